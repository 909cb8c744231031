/**
 * Hostile strings from traffic, logs and notes, put into a real workspace, through the report
 * job (JobManager + worker process, as in the app) into every format; the HTML opened in
 * Chromium must run nothing, with its CSP and without it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { tmpDir } from '../../helpers/tmp';
import { requireTool, sharedData } from '../../helpers/data';
import { Workbench } from '../../../electron/core/workbench';
import { NodeWorkerHost } from '../../../electron/core/jobs/host';
import { workerEntry } from '../../../electron/core/worker-entry';
import { CHROMIUM_FLAGS } from '../../../electron/core/reports/pdf';
import type { ReportFormat, ReportJobResult } from '../../../shared/api/reports';
import { buildReportWorkspace, HOSTILE, HUGE, type Fixture } from '../../unit/reports/fixture';
import { parseCsv } from '../../unit/reports/harness';
import { stixValidator } from '../../unit/reports/stix-schema';

const BIDI = /[\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069]/;

let dir: string;
let fx: Fixture;
let wb: Workbench;
const outputs = new Map<ReportFormat, string>();

async function makeReport(format: ReportFormat): Promise<ReportJobResult> {
  const out = path.join(dir, `report.${format}`);
  const { jobId } = await wb.invoke('reports.create', { format, path: out, runId: fx.runId });
  const info = await wb.jobs!.wait(jobId);
  expect(info.error, `${format} job`).toBeNull();
  expect(info.state).toBe('done');
  outputs.set(format, out);
  return info.result as ReportJobResult;
}

beforeAll(() => {
  dir = tmpDir('nstd-hostile-');
  const file = path.join(dir, 'hostile.nstd');
  fx = buildReportWorkspace(file, { hostile: HOSTILE });
  wb = new Workbench({ host: 'cli', workerHost: new NodeWorkerHost(workerEntry()) });
  wb.openWorkspace(file);
});

afterAll(async () => {
  await wb?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('hostile strings into every format', () => {
  it('HTML escapes them all and reveals direction overrides', async () => {
    await makeReport('html');
    const html = fs.readFileSync(outputs.get('html')!, 'utf8');
    // Every raw tag in the file is one the renderer wrote: none is active.
    const tags = html.match(/<[a-zA-Z!/][^>]*>/g)!;
    expect(tags.length).toBeGreaterThan(100);
    for (const tag of tags) {
      expect(tag).not.toMatch(/^<\/?(script|iframe|img|object|embed|base|link|a|form|input)\b/i);
      expect(tag).not.toMatch(/\son[a-z]+\s*=|javascript:|style=/i);
      if (tag.startsWith('<meta')) expect(tag).not.toMatch(/refresh/i);
    }
    expect(html).not.toMatch(BIDI);
    expect(html).toContain('&lt;script&gt;window.__pwned=1;alert(1)&lt;/script&gt;');
    expect(html).toContain('invoice&lt;U+202E&gt;gpj.exe');
    // The 1 MiB value is cut in the HTML (the CSV/JSON keep it) and the file stays small.
    expect(html.length).toBeLessThan(1_000_000);
    expect(html).toMatch(/more characters\]/);
    const list = await wb.invoke('reports.list', {});
    expect(list[0]).toMatchObject({ format: 'html', path: outputs.get('html'), runId: fx.runId, exists: true });
  });

  it('opening the HTML in Chromium runs no script, with or without its CSP', async () => {
    const chromiumPath = requireTool('chromium');
    if (!chromiumPath) return;
    if (!outputs.has('html')) await makeReport('html');
    const { chromium } = await import('playwright-core');
    const profile = tmpDir('nstd-chromium-');
    const ctx = await chromium.launchPersistentContext(profile, { executablePath: chromiumPath, headless: true, args: [...CHROMIUM_FLAGS] });
    try {
      const withCsp = outputs.get('html')!;
      const noCsp = path.join(dir, 'no-csp.html');
      const src = fs.readFileSync(withCsp, 'utf8');
      const stripped = src.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, '');
      expect(stripped).not.toBe(src);
      fs.writeFileSync(noCsp, stripped);
      for (const file of [withCsp, noCsp]) {
        const page = await ctx.newPage();
        const events: string[] = [];
        page.on('dialog', (d) => {
          events.push(`dialog ${d.message()}`);
          void d.dismiss();
        });
        page.on('console', (m) => {
          if (m.type() !== 'error' && m.type() !== 'warning') events.push(`console ${m.text()}`);
        });
        page.on('request', (r) => {
          if (!r.url().startsWith('file:')) events.push(`request ${r.url()}`);
        });
        page.on('framenavigated', (f) => {
          if (f !== page.mainFrame()) events.push(`frame ${f.url()}`);
        });
        await page.goto(`file://${file}`, { waitUntil: 'domcontentloaded', timeout: 20_000 });
        await page.waitForTimeout(500);
        // A string, so this file needs no DOM typings (the project compiles against Node's).
        const dom = (await page.evaluate(`(() => ({
          pwned: window.__pwned ?? null,
          scripts: document.scripts.length,
          iframes: document.querySelectorAll('iframe, object, embed, img, base, link').length,
          refresh: document.querySelectorAll('meta[http-equiv="refresh" i]').length,
          handlers: [...document.querySelectorAll('*')].filter((e) => [...e.attributes].some((a) => a.name.startsWith('on'))).length,
          jsLinks: [...document.querySelectorAll('[href], [src]')].filter((e) => /javascript:/i.test(e.getAttribute('href') ?? e.getAttribute('src') ?? '')).length,
          styles: document.querySelectorAll('style').length,
          url: location.href,
          h2Border: getComputedStyle(document.querySelector('h2')).borderBottomWidth,
          text: document.body.innerText,
        }))()`)) as {
          pwned: number | null;
          scripts: number;
          iframes: number;
          refresh: number;
          handlers: number;
          jsLinks: number;
          styles: number;
          url: string;
          h2Border: string;
          text: string;
        };
        expect(dom.pwned, file).toBeNull();
        expect(dom.scripts).toBe(0);
        expect(dom.iframes).toBe(0);
        expect(dom.refresh).toBe(0);
        expect(dom.handlers).toBe(0);
        expect(dom.jsLinks).toBe(0);
        expect(dom.styles).toBe(1);
        expect(dom.url).toBe(`file://${file}`);
        // The hashed style sheet applies under the CSP.
        expect(dom.h2Border).toBe('2px');
        // The strings are there, as text.
        expect(dom.text).toContain('<script>window.__pwned=1;alert(1)</script>');
        expect(dom.text).toContain('invoice<U+202E>gpj.exe');
        expect(events).toEqual([]);
        await page.close();
      }
    } finally {
      await ctx.close();
      fs.rmSync(profile, { recursive: true, force: true });
    }
  });

  it('CSV neutralises formulas and controls in every cell and clips the 1 MiB value', async () => {
    const r = await makeReport('csv');
    expect(r.detections).toBe(200);
    const rows = parseCsv(fs.readFileSync(outputs.get('csv')!, 'utf8').replace(/^\uFEFF/, ''));
    expect(rows).toHaveLength(201);
    const width = rows[0]!.length;
    for (const row of rows) {
      expect(row).toHaveLength(width);
      for (const cell of row) {
        expect(cell).not.toMatch(/^[=+\-@\t\r]/);
        expect(cell).not.toMatch(/^\s+[=+\-@]/);
        expect(cell).not.toMatch(BIDI);
        expect(cell.length).toBeLessThan(33_000);
      }
    }
    const cells = rows.flat();
    expect(cells).toContain(`'=HYPERLINK("http://203.0.113.9/x","open")`);
    expect(cells.some((c) => c.startsWith('<script>window.__pwned=11</script>AAAA') && c.endsWith('more characters]'))).toBe(true);
  });

  it('JSON keeps every value exactly while escaping what could hurt a viewer', async () => {
    await makeReport('json');
    const text = fs.readFileSync(outputs.get('json')!, 'utf8');
    expect(text).not.toMatch(/[<>]/);
    expect(text).not.toMatch(BIDI);
    const doc = JSON.parse(text) as { workspace: { name: string }; detections: { note: string; hints: string | null; app: string | null }[] };
    expect(doc.detections).toHaveLength(200);
    expect(doc.workspace.name).toBe(`Case 42: lab capture ${HOSTILE[0]}`);
    expect(doc.detections.some((d) => d.note === HUGE)).toBe(true);
    expect(doc.detections.some((d) => d.hints === HUGE)).toBe(true);
    const notes = new Set(doc.detections.map((d) => d.note));
    expect(notes.has('invoice\u202Egpj.exe')).toBe(true);
  });

  it('STIX stays valid: hostile addresses are dropped, patterns cannot be broken out of', async () => {
    const r = await makeReport('stix');
    const bundle = JSON.parse(fs.readFileSync(outputs.get('stix')!, 'utf8')) as { objects: Record<string, unknown>[] };
    for (const o of bundle.objects.filter((x) => x.type === 'indicator')) {
      expect(o.pattern).toMatch(/^\[network-traffic:(src|dst)_ref\.value = '[0-9a-f.:]+'( AND network-traffic:dst_ref\.value = '[0-9a-f.:]+')?( AND network-traffic:dst_port = \d+)?( AND network-traffic:protocols\[\*\] = '[a-z0-9-]+')?\]$/);
    }
    for (const o of bundle.objects.filter((x) => x.type === 'ipv4-addr' || x.type === 'ipv6-addr')) expect(o.value).toMatch(/^[0-9a-f.:]+$/);
    expect(r.notes.join(' ')).toMatch(/observed-data/);
    const schemas = sharedData('stix2-json-schemas', 'schemas');
    if (!schemas) return;
    const v = stixValidator(schemas);
    expect(v.bundle(bundle), JSON.stringify(v.bundle.errors?.slice(0, 3))).toBe(true);
  });

  it('PDF opens and its text holds the detections, hostile strings as plain text', async () => {
    if (!requireTool('chromium') || !requireTool('pdftotext')) return;
    await makeReport('pdf');
    const pdf = outputs.get('pdf')!;
    expect(fs.readFileSync(pdf).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const text = execFileSync('pdftotext', ['-enc', 'UTF-8', pdf, '-'], { encoding: 'utf8', maxBuffer: 64 << 20 });
    expect(text).toContain('Detection report');
    expect(text).toContain('192.0.2.80');
    expect(text).toContain('confirmed');
    expect(text).toContain('window.__pwned=1');
    expect(text).toContain('<U+202E>');
    for (const id of fx.confirmed.slice(0, 5)) expect(text).toMatch(new RegExp(`\\bflow ${id}\\b`));
  });
});
