import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { openApp, type Session } from './harness';
import { tmpDir } from '../helpers/tmp';

describe('the app in Chromium against nstd serve', () => {
  let s: Session | null = null;
  beforeAll(async () => {
    s = await openApp();
  });
  afterAll(async () => {
    await s?.stop();
  });

  it('creates a workspace and runs the self-test job to done with a live progress bar', async (ctx) => {
    if (!s) return ctx.skip();
    const { page } = s;
    await expect.poll(() => page.getByTestId('workspace-name').textContent()).toBe('No workspace open');
    await s.screenshot('00-start');
    const file = path.join(tmpDir(), 'case.nstd');
    await page.getByTestId('create-path').fill(file);
    await page.getByTestId('create-name').fill('E2E case');
    await page.getByTestId('create-submit').click();
    await expect.poll(() => page.getByTestId('workspace-name').textContent()).toBe('E2E case');
    await expect.poll(() => page.getByTestId('no-sources').isVisible()).toBe(true);

    await page.getByTestId('self-test').click();
    const job = page.getByTestId('job').first();
    // The bar moves while it runs and reaches 100 when the job is done.
    await expect.poll(() => job.getAttribute('data-state'), { timeout: 60_000 }).toBe('done');
    expect(await job.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100');
    expect(await job.textContent()).toContain('accuracy');
    await s.screenshot('01-workspace-self-test');
  });
});
