/** `nstd report` as a user runs it: the built CLI, a worker process, files on disk, exit codes. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { projectRoot } from '../../../electron/core/data-dir';
import { Workspace } from '../../../electron/core/store/workspace';
import { tmpDir } from '../../helpers/tmp';
import { requireTool } from '../../helpers/data';
import { buildReportWorkspace, type Fixture } from '../../unit/reports/fixture';

const cli = path.join(projectRoot(), 'bin', 'nstd.js');
let dir: string;
let ws: string;
let fx: Fixture;

function nstd(args: string[], env: NodeJS.ProcessEnv = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  dir = tmpDir('nstd-report-cli-');
  ws = path.join(dir, 'case.nstd');
  fx = buildReportWorkspace(ws);
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('nstd report', () => {
  it('writes html, csv, json and stix for the newest run and prints what it wrote', () => {
    for (const format of ['html', 'csv', 'json', 'stix'] as const) {
      const out = path.join(dir, `r.${format}`);
      const r = nstd(['report', '--workspace', ws, '--format', format, '--out', out, '--json']);
      expect(r.code, r.stderr).toBe(0);
      const res = JSON.parse(r.stdout) as { path: string; format: string; runId: number; bytes: number; sha256: string; detections: number };
      expect(res).toMatchObject({ path: out, format, runId: fx.runId, detections: 200 });
      expect(fs.statSync(out).size).toBe(res.bytes);
    }
    const w = Workspace.open(ws);
    try {
      expect(w.db.prepare('SELECT format FROM reports ORDER BY id').pluck().all()).toEqual(['html', 'csv', 'json', 'stix']);
      expect(w.db.prepare(`SELECT state FROM jobs WHERE kind = 'report'`).pluck().all()).toEqual(['done', 'done', 'done', 'done']);
    } finally {
      w.close();
    }
  });

  it('prints a PDF with headless Chromium', () => {
    if (!requireTool('chromium')) return;
    const out = path.join(dir, 'r.pdf');
    const r = nstd(['report', '--workspace', ws, '--run', String(fx.runId), '--format', 'pdf', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(out);
    expect(fs.readFileSync(out).subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });

  it('fails clearly: no browser, unknown run, bad format, missing folder, no run at all', () => {
    const pdf = nstd(['report', '--workspace', ws, '--format', 'pdf', '--out', path.join(dir, 'x.pdf')], { CHROME_PATH: '/nonexistent/chromium' });
    expect(pdf.code).toBe(1);
    expect(pdf.stderr).toMatch(/no Chromium browser found \(CHROME_PATH=\/nonexistent\/chromium does not exist\)/);
    expect(fs.existsSync(path.join(dir, 'x.pdf'))).toBe(false);

    const run = nstd(['report', '--workspace', ws, '--run', '99', '--format', 'csv', '--out', path.join(dir, 'x.csv')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/No detection run 99/);

    const fmt = nstd(['report', '--workspace', ws, '--format', 'docx', '--out', path.join(dir, 'x.docx')]);
    expect(fmt.code).toBe(2);
    expect(fmt.stderr).toMatch(/--format must be one of html, pdf, csv, json, stix/);

    const folder = nstd(['report', '--workspace', ws, '--format', 'csv', '--out', path.join(dir, 'missing', 'x.csv')]);
    expect(folder.code).toBe(1);
    expect(folder.stderr).toMatch(/folder .*missing does not exist/);

    const empty = path.join(dir, 'empty.nstd');
    Workspace.open(empty, { create: { name: 'empty' } }).close();
    const none = nstd(['report', '--workspace', empty, '--format', 'html', '--out', path.join(dir, 'e.html'), '--json']);
    expect(none.code).toBe(1);
    expect(JSON.parse(none.stdout)).toEqual({ error: { code: 'E_NOT_FOUND', message: expect.stringMatching(/no detection run yet/) } });
  });
});
