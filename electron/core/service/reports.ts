import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Handlers, ServiceContext } from './types';
import type { ReportInfo, ReportJobResult, reportsMethods } from '../../../shared/api/reports';
import { prepareReportSpec, printPdf, recordReport } from '../reports/report-job';
import { hostPdfPrinter } from '../reports/pdf';
import { AtomicFileWriter } from '../reports/writer';
import { errorMessage } from '../errors';

/**
 * Electron only: the job built the HTML; the host's own Chromium prints it here, in the main
 * process, then the report is recorded. The outcome is told on the job's log and as a
 * `workspace.changed` (reports) event.
 */
async function finishHostPrint(ctx: ServiceContext, jobId: number): Promise<void> {
  // The report belongs to the workspace it was asked of, even if another is opened meanwhile.
  const ws = ctx.ws();
  const info = await ctx.jobs().wait(jobId);
  const result = info.result as ReportJobResult | null;
  if (info.state !== 'done' || !result?.pendingPrint) return;
  const printer = hostPdfPrinter();
  const htmlPath = result.pendingPrint.htmlPath;
  const tmpDir = path.dirname(htmlPath);
  // Only ever remove the private folder the job made (os.tmpdir()/nstd-report-*).
  if (path.dirname(tmpDir) !== path.resolve(os.tmpdir()) || !path.basename(tmpDir).startsWith('nstd-report-')) {
    ctx.emit('job.log', { id: jobId, line: `PDF printing refused: ${htmlPath} is not a report job's temporary file.` });
    return;
  }
  try {
    if (!printer) throw new Error('the application has no PDF printer registered');
    const out = new AtomicFileWriter(result.path);
    try {
      const html = fs.readFileSync(htmlPath, 'utf8');
      await printPdf(printer, html, out);
    } catch (err) {
      out.abort();
      throw err;
    }
    const written = out.commit();
    if (!ws.db.open) throw new Error(`the workspace ${ws.path} was closed before the PDF was printed`);
    recordReport(ws.db, { runId: result.runId, format: 'pdf', path: written.path, sha256: written.sha256 });
    ctx.emit('job.log', { id: jobId, line: `PDF written to ${written.path} (${written.bytes} bytes) by ${printer.name ?? 'the app'}` });
  } catch (err) {
    ctx.emit('job.log', { id: jobId, line: `PDF printing failed: ${errorMessage(err)}` });
  } finally {
    fs.rmSync(tmpDir, { recursive: true, force: true });
    ctx.emit('workspace.changed', { what: 'reports' });
  }
}

/** Reports (issue 7). */
export const reportsHandlers: Handlers<typeof reportsMethods> = {
  'reports.create': (p, ctx) => {
    const spec = prepareReportSpec(ctx.ws().db, p.runId === undefined ? { format: p.format, path: p.path } : { format: p.format, path: p.path, runId: p.runId }, ctx.host);
    const jobId = ctx.jobs().start('report', spec);
    if (spec.pdfPrinter === 'host') void finishHostPrint(ctx, jobId);
    else
      void ctx
        .jobs()
        .wait(jobId)
        .then(() => ctx.emit('workspace.changed', { what: 'reports' }))
        .catch(() => undefined);
    return { jobId };
  },
  'reports.list': (p, ctx) => {
    const rows = ctx.ws().db.prepare('SELECT id, run_id, format, path, sha256, created_at FROM reports ORDER BY id DESC LIMIT ?').all(p.limit) as {
      id: number;
      run_id: number | null;
      format: string;
      path: string;
      sha256: string | null;
      created_at: string;
    }[];
    return rows.map(
      (r): ReportInfo => ({ id: r.id, runId: r.run_id, format: r.format, path: r.path, sha256: r.sha256, createdAt: r.created_at, exists: fs.existsSync(r.path) }),
    );
  },
};
