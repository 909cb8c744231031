/** reports.create / reports.list through the Workbench contract, including the host-printer path the desktop app uses. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { tmpDir } from '../../helpers/tmp';
import { requireTool } from '../../helpers/data';
import { Workbench } from '../../../electron/core/workbench';
import { NodeWorkerHost } from '../../../electron/core/jobs/host';
import { workerEntry } from '../../../electron/core/worker-entry';
import { ChromiumPdfPrinter, setHostPdfPrinter, type PdfPrinter } from '../../../electron/core/reports/pdf';
import type { ReportJobResult } from '../../../shared/api/reports';
import { buildReportWorkspace, type Fixture } from '../../unit/reports/fixture';

let dir: string;
let file: string;
let fx: Fixture;

beforeAll(() => {
  dir = tmpDir('nstd-report-svc-');
  file = path.join(dir, 'case.nstd');
  fx = buildReportWorkspace(file);
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

afterEach(() => setHostPdfPrinter(null));

async function withWb<T>(host: 'electron' | 'browser' | 'cli', fn: (wb: Workbench) => Promise<T>): Promise<T> {
  const wb = new Workbench({ host, workerHost: new NodeWorkerHost(workerEntry()) });
  wb.openWorkspace(file);
  try {
    return await fn(wb);
  } finally {
    await wb.close();
  }
}

describe('reports service', () => {
  it('validates at the boundary and fails fast on an unknown run', async () => {
    await withWb('browser', async (wb) => {
      const bad = await wb.call('reports.create', { format: 'docx', path: path.join(dir, 'x') });
      expect(bad).toMatchObject({ ok: false, error: { code: 'E_INVALID' } });
      const run = await wb.call('reports.create', { format: 'csv', path: path.join(dir, 'x.csv'), runId: 404 });
      expect(run).toMatchObject({ ok: false, error: { code: 'E_NOT_FOUND', message: expect.stringMatching(/No detection run 404/) } });
      const rel = await wb.call('reports.create', { format: 'csv', path: 'x.csv' });
      expect(rel).toMatchObject({ ok: false, error: { code: 'E_INVALID', message: expect.stringMatching(/must be absolute/) } });
    });
  });

  it('runs the job and lists what was written, newest first', async () => {
    await withWb('browser', async (wb) => {
      const out = path.join(dir, 'svc.csv');
      const changed = new Promise<void>((resolve) => {
        const off = wb.on('workspace.changed', (e) => {
          if (e.what === 'reports') {
            off();
            resolve();
          }
        });
      });
      const { jobId } = await wb.invoke('reports.create', { format: 'csv', path: out });
      const info = await wb.jobs!.wait(jobId);
      await changed;
      expect(info.state).toBe('done');
      expect(info.result).toMatchObject({ format: 'csv', path: out, runId: fx.runId, detections: 200 });
      fs.rmSync(out);
      const list = await wb.invoke('reports.list', { limit: 5 });
      expect(list[0]).toMatchObject({ format: 'csv', path: out, runId: fx.runId, exists: false });
    });
  });

  it('in the desktop app, the host printer makes the PDF after the job builds the HTML', async () => {
    const exe = requireTool('chromium');
    if (!exe) return;
    // Any PdfPrinter does; the app registers ElectronPdfPrinter. This one counts its calls.
    const chromium = new ChromiumPdfPrinter(exe);
    const calls: string[] = [];
    const printer: PdfPrinter = {
      name: 'test host printer',
      print: async (htmlPath, pdfPath) => {
        calls.push(fs.readFileSync(htmlPath, 'utf8').slice(0, 15));
        return chromium.print(htmlPath, pdfPath);
      },
    };
    setHostPdfPrinter(printer);
    await withWb('electron', async (wb) => {
      const out = path.join(dir, 'app.pdf');
      const changed = new Promise<void>((resolve) => {
        const off = wb.on('workspace.changed', (e) => {
          if (e.what === 'reports') {
            off();
            resolve();
          }
        });
      });
      const logs: string[] = [];
      wb.on('job.log', (l) => logs.push(l.line));
      const { jobId } = await wb.invoke('reports.create', { format: 'pdf', path: out });
      const info = await wb.jobs!.wait(jobId);
      expect(info.state).toBe('done');
      const result = info.result as ReportJobResult;
      expect(result.pendingPrint?.htmlPath).toMatch(/report\.html$/);
      await changed;
      expect(calls).toEqual(['<!DOCTYPE html>']);
      expect(fs.readFileSync(out).subarray(0, 5).toString('latin1')).toBe('%PDF-');
      expect(fs.existsSync(result.pendingPrint!.htmlPath)).toBe(false);
      expect(logs.some((l) => /PDF written to .*app\.pdf .* by test host printer/.test(l))).toBe(true);
      const list = await wb.invoke('reports.list', {});
      expect(list[0]).toMatchObject({ format: 'pdf', path: out, exists: true, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    });
  });
});
