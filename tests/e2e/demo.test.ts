import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { openApp, type Session } from './harness';
import { tmpDir } from '../helpers/tmp';

// The README's first command: `npm run demo` imports the shipped sample captures, runs the base
// model over them and serves the app.
describe('nstd demo', () => {
  let s: Session | null = null;
  beforeAll(async () => {
    s = await openApp({ command: 'demo', workspace: path.join(tmpDir(), 'demo.nstd') });
  });
  afterAll(async () => {
    await s?.stop();
  });

  it('opens on the sample captures with the base model\'s detections', async (ctx) => {
    if (!s) return ctx.skip();
    const { page } = s;
    await expect.poll(() => page.getByTestId('workspace-name').textContent()).toBe('Demo case');
    await expect.poll(() => page.getByTestId('source-row').count()).toBe(9);
    const names = await page.getByTestId('source-row').locator('td').first().allTextContents();
    expect(names.join(' ')).not.toBe('');
    const r = await page.evaluate(async () => {
      const res = await fetch('/api/call/detections.runs', { method: 'POST', body: '{}' });
      return (await res.json()) as { ok: boolean; result: { flowCount?: number; flows?: number }[] };
    });
    expect(r.ok).toBe(true);
    expect(r.result.length).toBe(1);
    await s.screenshot('demo-workspace');
  });
});
