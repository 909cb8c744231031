/**
 * The analyst's whole loop in Chromium against `nstd serve`, on a capture the project
 * generates: create a case, import the capture, see flows, filter, label K flows of an attack as
 * a new class, train and adapt, detect, review (confirm one, dismiss one), export a report.
 * Every view is photographed (artifacts/screenshots/loop-*.png; one set in the dark theme).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { openApp, type Session } from './harness';
import { tmpDir } from '../helpers/tmp';
import { synthesizeFile } from '../../electron/core/capture/synth';

/** The machine is shared: UI updates wait for the server, so polls get room. */
const WAIT = { timeout: 20_000 };
const K = 5;
const ATTACK = 'SYN flood';
/** One unanswered SYN to port 80: the generator's SYN-flood flows. */
const ATTACK_FILTER = 'dst.port == 80 && proto == tcp && packets == 1';

async function rows(page: Page, testid: string): Promise<number> {
  return Number((await page.getByTestId(testid).getAttribute('aria-rowcount')) ?? 0);
}

async function view(page: Page, name: string): Promise<void> {
  await page.getByTestId(`nav-${name}`).click();
}

async function jobDone(page: Page, kind: string, timeout = 120_000): Promise<void> {
  const job = page.locator(`[data-testid="job"]`, { hasText: `${kind} #` }).first();
  await expect.poll(() => job.getAttribute('data-state'), { timeout }).toMatch(/done|failed|cancelled|interrupted/);
  const state = await job.getAttribute('data-state');
  if (state !== 'done') throw new Error(`${kind} job ended ${state}: ${await job.textContent()}`);
}

describe('the analyst loop in Chromium', () => {
  let s: Session | null = null;
  const dir = tmpDir('nstd-loop-');
  const capture = path.join(dir, 'loop.pcap');
  const picked = path.join(dir, 'picked.pcapng');
  /** Uncaught errors in the page (an effect loop, a failed render) fail the run at the end. */
  const pageErrors: string[] = [];

  beforeAll(async () => {
    const truth = synthesizeFile(capture, { packets: 20_000, seed: 11 });
    synthesizeFile(picked, { packets: 1_000, seed: 12, format: 'pcapng' });
    expect(truth.byKind.synflood!.flows).toBeGreaterThan(K);
    s = await openApp();
    s?.page.on('pageerror', (err) => pageErrors.push(err.message));
  });
  afterAll(async () => {
    await s?.stop();
  });

  it('creates a case and imports a generated capture', async (ctx) => {
    if (!s) return ctx.skip();
    const { page } = s;
    await s.screenshot('loop-00-start');
    await page.getByTestId('create-path').fill(path.join(dir, 'loop.nstd'));
    await page.getByTestId('create-name').fill('Loop case: SYN flood on 192.168.1.80');
    await page.getByTestId('create-analyst').fill('E2E analyst');
    await page.getByTestId('create-submit').click();
    await expect.poll(() => page.getByTestId('workspace-name').textContent(), WAIT).toContain('Loop case');

    await page.getByTestId('import-path').fill(capture);
    await page.getByTestId('import-submit').click();
    await expect.poll(() => page.getByTestId('source-status').first().textContent(), { timeout: 120_000 }).toMatch(/ok|partial|failed/);
    expect((await page.getByTestId('source-status').first().textContent())?.trim()).toBe('ok');
    expect(Number((await page.getByTestId('source-flows').first().textContent())!.replace(/\D/g, ''))).toBeGreaterThan(100);

    // A second capture through the file picker: browser mode streams the file up to the core.
    await page.getByLabel('Pick files to import').setInputFiles(picked);
    await expect.poll(() => page.getByTestId('source-row').count(), WAIT).toBe(2);
    await expect.poll(() => page.getByTestId('source-status').nth(1).textContent(), { timeout: 120_000 }).toMatch(/ok|partial|failed/);
    expect((await page.getByTestId('source-status').nth(1).textContent())?.trim()).toBe('ok');
    await s.screenshot('loop-01-workspace');
  });

  it('edits the case name and analyst', async (ctx) => {
    if (!s) return ctx.skip();
    const { page } = s;
    await page.getByTestId('case-edit').click();
    await page.getByTestId('case-analyst').fill('Ada Analyst');
    await page.getByTestId('case-save').click();
    await expect.poll(() => page.getByTestId('case').textContent(), WAIT).toContain('Ada Analyst');
  });

  it('shows flows and filters them, checking the filter as it is typed', async (ctx) => {
    if (!s) return ctx.skip();
    const { page } = s;
    await view(page, 'flows');
    await expect.poll(() => rows(page, 'flows-table'), { timeout: 30_000 }).toBeGreaterThan(100);
    await s.screenshot('loop-02-flows');

    const input = page.getByTestId('filter-input');
    await input.fill('dst.port == 80 && packets >');
    await expect.poll(() => page.getByTestId('filter-error').textContent(), WAIT).toMatch(/column \d+/);
    expect(await page.getByTestId('filter-apply').isDisabled()).toBe(true);
    await s.screenshot('loop-03-filter-error');

    await input.fill(ATTACK_FILTER);
    await expect.poll(() => page.getByTestId('filter-error').count(), WAIT).toBe(0);
    await input.press('Enter');
    await expect.poll(() => page.getByTestId('filter-status').textContent(), { timeout: 30_000 }).toMatch(/[\d,]+ flows/);
    const matched = Number((await page.getByTestId('filter-status').textContent())!.match(/([\d,]+) flows/)![1]!.replace(/,/g, ''));
    expect(matched).toBeGreaterThan(K);
    await expect.poll(() => rows(page, 'flows-table'), WAIT).toBe(matched);
  });

  it(`labels ${K} flows of the attack as a new class, with shift-click and the keyboard`, async (ctx) => {
    if (!s) return ctx.skip();
    const { page } = s;
    const table = page.getByTestId('flows-table');
    const r = table.locator('[role="row"][data-row-key]');
    await r.nth(0).click();
    await r.nth(K - 2).click({ modifiers: ['Shift'] });
    // One more with the keyboard: shift+down extends the selection.
    await table.press('Shift+ArrowDown');
    await expect.poll(() => table.locator('[aria-selected="true"]').count(), WAIT).toBe(K);

    await page.getByTestId('label-new-class').fill(ATTACK);
    await page.getByTestId('label-new-submit').click();
    await expect.poll(() => page.getByTestId('label-done').textContent(), WAIT).toContain(`${K} labelled ${ATTACK}`);

    // Enter opens the detail of the cursor's row (the last one selected) without changing the selection.
    await table.press('Enter');
    await expect.poll(() => page.getByTestId('label-history').textContent(), WAIT).toContain(ATTACK);
    await expect.poll(() => table.locator('[aria-selected="true"]').count(), WAIT).toBe(K);
    await s.screenshot('loop-04-flows-labelled-detail');
  });

  it('labels the benign and scan traffic by filter (the base classes to train on)', async (ctx) => {
    if (!s) return ctx.skip();
    const { page } = s;
    await view(page, 'labels');
    for (const [filter, cls] of [
      ['dst.port in {443 53} || udp.port == 53', 'Benign'],
      ['proto == tcp && packets in {2 3} && dst.port != 80 && dst.port != 443', 'PortScan'],
    ] as const) {
      const panel = page.getByLabel('Label by filter');
      await panel.getByTestId('filter-input').fill(filter);
      await panel.getByTestId('filter-input').press('Enter');
      await expect.poll(() => panel.getByTestId('filter-status').textContent(), WAIT).toMatch(/flows match/);
      // The class exists (Benign, PortScan are in the taxonomy once created); create it if not.
      const select = panel.getByRole('combobox', { name: 'Class' });
      if ((await select.locator('option', { hasText: cls }).count()) === 0) {
        await page.getByTestId('class-new').click();
        const form = page.getByTestId('class-form');
        await form.getByLabel('Name', { exact: true }).fill(cls);
        await form.getByLabel('Kind').selectOption(cls === 'Benign' ? 'benign' : 'attack');
        if (cls === 'PortScan') await form.getByLabel('ATT&CK technique ids').fill('T1046');
        await form.getByRole('button', { name: 'Save' }).click();
        await expect.poll(() => select.locator('option', { hasText: cls }).count(), WAIT).toBe(1);
      }
      await select.selectOption({ label: cls });
      await page.getByTestId('label-by-filter').click();
      await expect.poll(() => page.getByTestId('labels-result').textContent(), WAIT).toMatch(/flows labelled/);
    }
    await expect.poll(() => page.getByTestId('classes').textContent(), WAIT).toContain(ATTACK);
    await s.screenshot('loop-05-labels');
  });

  it('trains a model with live curves, then adapts it to the new class', async (ctx) => {
    if (!s) return ctx.skip();
    const { page } = s;
    await view(page, 'models');
    const train = page.getByTestId('train-form');
    await train.getByLabel('Episodes').fill('60');
    await train.getByLabel('Ways').fill('2');
    await train.getByRole('checkbox', { name: /Benign/ }).check();
    await train.getByRole('checkbox', { name: /PortScan/ }).check();
    await page.getByTestId('train-submit').click();
    await jobDone(page, 'train', 170_000);
    await expect.poll(() => page.getByTestId('model-item').count(), WAIT).toBeGreaterThan(0);
    await s.screenshot('loop-06-models-trained');

    await page.getByTestId('model-item').last().click();
    await page.getByTestId('adapt-class').fill(ATTACK);
    await expect.poll(() => page.getByTestId('adapt-form').textContent(), WAIT).toContain(`the ${K} flows selected`);
    await page.getByTestId('adapt-submit').click();
    await jobDone(page, 'adapt');
    await expect.poll(() => page.getByTestId('models').textContent(), WAIT).toContain(ATTACK);
    await page.getByTestId('model-item').last().click();
    await expect.poll(() => page.getByTestId('model-detail').textContent(), WAIT).toMatch(/parent #\d+/);
    await s.screenshot('loop-07-models-adapted');
  });

  it('detects and reviews: confirm one, dismiss one, from the keyboard', async (ctx) => {
    if (!s) return ctx.skip();
    const { page } = s;
    await view(page, 'detections');
    await page.getByTestId('detect-submit').click();
    await jobDone(page, 'detect');
    await expect.poll(() => rows(page, 'review-queue'), { timeout: 30_000 }).toBeGreaterThan(1);
    const queue = page.getByTestId('review-queue');
    const r = queue.locator('[role="row"][data-row-key]');
    await r.nth(0).click();
    await queue.press('c');
    await expect.poll(() => r.nth(0).textContent(), WAIT).toContain('confirmed');
    // The cursor moved to the next row: dismiss it; then k goes back up.
    await queue.press('d');
    await expect.poll(() => r.nth(1).textContent(), WAIT).toContain('dismissed');
    await queue.press('k');
    await expect.poll(() => queue.locator('.cur').getAttribute('aria-rowindex'), WAIT).toBe('2');
    await s.screenshot('loop-08-detections');

    // A confirmed detection becomes an analyst label of origin model-accepted.
    await r.nth(0).click();
    await expect.poll(() => page.getByTestId('label-history').textContent(), WAIT).toContain('model-accepted');
  });

  it('projects the embedding and exports a report', async (ctx) => {
    if (!s) return ctx.skip();
    const { page } = s;
    await view(page, 'embedding');
    await page.getByTestId('embed-submit').click();
    await expect.poll(() => page.getByTestId('embedding-view').getAttribute('data-points'), { timeout: 120_000 }).not.toBe('0');
    // A lasso around the whole plot selects every point: the label bar counts them.
    const box = (await page.getByTestId('scatter-overlay').boundingBox())!;
    await page.mouse.move(box.x + 4, box.y + 4);
    await page.mouse.down();
    for (const [fx, fy] of [[1, 0], [1, 1], [0, 1], [0, 0]] as const) await page.mouse.move(box.x + 4 + fx * (box.width - 8), box.y + 4 + fy * (box.height - 8), { steps: 4 });
    await page.mouse.up();
    const points = Number(await page.getByTestId('embedding-view').getAttribute('data-points'));
    await expect.poll(() => page.getByTestId('embedding-view').getByTestId('label-bar').textContent(), WAIT).toContain(`${points.toLocaleString('en-US')} selected`);
    await s.screenshot('loop-09-embedding');

    await view(page, 'reports');
    await page.getByTestId('report-path').fill(path.join(dir, 'loop-report.html'));
    await page.getByTestId('report-submit').click();
    await expect.poll(() => page.getByTestId('report-status').getAttribute('data-state'), { timeout: 120_000 }).toBe('done');
    await expect.poll(() => page.getByTestId('reports').textContent(), WAIT).toContain('loop-report.html');
    await s.screenshot('loop-10-reports');
  });

  it('renders every view in the dark theme', async (ctx) => {
    if (!s) return ctx.skip();
    const { page } = s;
    await page.getByRole('button', { name: 'Toggle dark theme' }).click();
    for (const [i, v] of ['workspace', 'flows', 'labels', 'models', 'detections', 'embedding', 'reports'].entries()) {
      await view(page, v);
      await expect.poll(() => page.locator('.view h2').first().textContent(), WAIT).toBe(v[0]!.toUpperCase() + v.slice(1));
      if (v === 'flows') {
        // A web flow's detail: its packet sequence plotted both ways.
        await page.getByTestId('filter-input').fill('dst.port == 443 && packets > 10');
        await page.getByTestId('filter-input').press('Enter');
        await expect.poll(() => page.getByTestId('filter-status').textContent(), WAIT).toMatch(/[\d,]+ flows/);
        const table = page.getByTestId('flows-table');
        await table.locator('[role="row"][data-row-key]').first().click();
        await table.press('Enter');
        await expect.poll(() => page.getByTestId('sequence-plot').count(), WAIT).toBe(1);
      }
      await s.screenshot(`loop-dark-${i}-${v}`);
    }
    expect(await page.evaluate('document.documentElement.dataset.theme')).toBe('dark');
  });

  it('ran without an uncaught error in the page', (ctx) => {
    if (!s) return ctx.skip();
    expect(pageErrors).toEqual([]);
  });
});
