import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { JobContext, JobHandler } from '../jobs/types';
import type { Db } from '../store/workspace';
import { nowIso } from '../store/workspace';
import { WorkbenchError } from '../errors';
import type { JobSpec } from '../../../shared/jobs';
import type { ReportFormat, ReportJobResult } from '../../../shared/api/reports';
import { gatherReport, resolveRun } from './content';
import { renderHtml } from './html';
import { writeDetectionsCsv, writeDetectionsJson } from './tabular';
import { writeStixBundle } from './stix';
import { AtomicFileWriter } from './writer';
import { ChromiumPdfPrinter, findChromium, hostPdfPrinter, noChromiumError, type PdfPrinter } from './pdf';

export type ReportSpec = JobSpec<'report'>;

/**
 * Checks a report request before a job is queued (so mistakes fail at once, with what to do)
 * and returns the job spec: the run resolved (newest when none is named), the output path
 * absolute, and who prints a PDF.
 */
export function prepareReportSpec(db: Db, req: { format: ReportFormat; path: string; runId?: number }, host: 'electron' | 'browser' | 'cli'): ReportSpec {
  if (!path.isAbsolute(req.path) && host !== 'cli') {
    throw new WorkbenchError('E_INVALID', `The report path must be absolute (it is on the machine that runs NSTD Workbench): ${JSON.stringify(req.path.slice(0, 300))}.`);
  }
  const out = path.resolve(req.path);
  const dir = path.dirname(out);
  if (!fs.existsSync(dir)) throw new WorkbenchError('E_NOT_FOUND', `Cannot write the report: the folder ${dir} does not exist.`);
  if (fs.existsSync(out) && fs.statSync(out).isDirectory()) throw new WorkbenchError('E_INVALID', `${out} is a folder; give a file name for the report.`);
  const runId = resolveRun(db, req.runId);
  let pdfPrinter: ReportSpec['pdfPrinter'] = 'chromium';
  if (req.format === 'pdf') {
    if (host === 'electron' && hostPdfPrinter()) pdfPrinter = 'host';
    else if (!findChromium()) throw noChromiumError();
  }
  return { format: req.format, out, runId, pdfPrinter, htmlMaxDetections: htmlRowsFor(req.format) };
}

/**
 * Detections listed one by one in HTML (2,000) and PDF (500): printing is the slow step (about
 * 40 s for 2,000 rows on a busy 2-core machine), and every detection is in the CSV/JSON anyway.
 */
export function htmlRowsFor(format: ReportFormat): number {
  return format === 'pdf' ? 500 : 2000;
}

/** Records a written report in the workspace's `reports` table. */
export function recordReport(db: Db, r: { runId: number; format: string; path: string; sha256: string | null }): number {
  const res = db.prepare('INSERT INTO reports (run_id, format, path, sha256, created_at) VALUES (?, ?, ?, ?, ?)').run(r.runId, r.format, r.path, r.sha256, nowIso());
  return Number(res.lastInsertRowid);
}

function checkCancel(ctx: JobContext): void {
  if (ctx.signal.aborted) throw new WorkbenchError('E_CANCELLED', 'Report cancelled.');
}

async function htmlOf(spec: ReportSpec, ctx: JobContext): Promise<{ html: string; detections: number }> {
  const ws = ctx.workspace();
  ctx.progress(0, 3, 'steps', 'Gathering the report content');
  const content = gatherReport(ws.db, ws.path, { runId: spec.runId, maxDetections: spec.htmlMaxDetections });
  checkCancel(ctx);
  ctx.progress(1, 3, 'steps', 'Rendering HTML');
  await new Promise<void>((r) => setImmediate(r));
  return { html: renderHtml(content), detections: content.run.detectionCount };
}

/** Prints HTML with `printer` into the report writer; the HTML and PDF pass through a private temp folder. */
export async function printPdf(printer: PdfPrinter, html: string, out: AtomicFileWriter, signal?: AbortSignal): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nstd-report-'));
  const name = printer.name ?? 'the PDF printer';
  try {
    const htmlPath = path.join(dir, 'report.html');
    const pdfPath = path.join(dir, 'report.pdf');
    fs.writeFileSync(htmlPath, html);
    await printer.print(htmlPath, pdfPath, signal ? { signal } : {});
    const pdf = fs.existsSync(pdfPath) ? fs.readFileSync(pdfPath) : Buffer.alloc(0);
    if (pdf.byteLength < 5 || pdf.subarray(0, 5).toString('latin1') !== '%PDF-') {
      throw new WorkbenchError('E_INTERNAL', `${name} did not write a PDF (${pdf.byteLength} bytes).`);
    }
    out.writeBytes(pdf);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The report job (runs in a worker): gathers the run's content, writes the chosen format to a
 * temporary file beside the target, renames it into place and records it in `reports`.
 */
export const reportJob: JobHandler<'report'> = async (spec, ctx): Promise<ReportJobResult> => {
  const db = ctx.workspace().db;
  resolveRun(db, spec.runId);
  const notes: string[] = [];
  const total = (db.prepare('SELECT count(*) FROM detections WHERE run_id = ?').pluck().get(spec.runId) as number) || 1;
  const onProgress = (done: number): void => ctx.progress(done, total, 'detections', `${spec.format.toUpperCase()}: ${done.toLocaleString('en-US')} detections written`);

  if (spec.format === 'pdf' && spec.pdfPrinter === 'host') {
    // Electron prints with its own Chromium in the main process once the job is done.
    const { html, detections } = await htmlOf(spec, ctx);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nstd-report-'));
    const htmlPath = path.join(dir, 'report.html');
    fs.writeFileSync(htmlPath, html);
    ctx.progress(3, 3, 'steps', 'HTML ready for printing');
    return { reportId: null, format: 'pdf', path: spec.out, bytes: 0, sha256: null, runId: spec.runId, detections, pendingPrint: { htmlPath }, notes };
  }

  const out = new AtomicFileWriter(spec.out);
  let detections: number;
  try {
    switch (spec.format) {
      case 'html': {
        const r = await htmlOf(spec, ctx);
        out.write(r.html);
        detections = r.detections;
        break;
      }
      case 'pdf': {
        const printer = ChromiumPdfPrinter.find();
        const r = await htmlOf(spec, ctx);
        ctx.progress(2, 3, 'steps', `Printing with ${printer.name ?? 'Chromium'}`);
        await printPdf(printer, r.html, out, ctx.signal);
        detections = r.detections;
        break;
      }
      case 'csv':
        detections = await writeDetectionsCsv({ db, runId: spec.runId, signal: ctx.signal, onProgress }, out);
        break;
      case 'json': {
        const ws = ctx.workspace().meta();
        const run = db.prepare('SELECT id, created_at AS createdAt, filter, model_id AS modelId, flow_count AS flowCount FROM detection_runs WHERE id = ?').get(spec.runId);
        detections = await writeDetectionsJson({ db, runId: spec.runId, signal: ctx.signal, onProgress }, out, {
          generatedAt: nowIso(),
          workspace: { name: ws.name, analyst: ws.analyst },
          run,
        });
        break;
      }
      case 'stix': {
        const s = await writeStixBundle({ db, runId: spec.runId, signal: ctx.signal, onProgress }, out);
        detections = total;
        notes.push(`${s.observed} observed-data, ${s.indicators} indicators, ${s.objects} objects in all.`);
        if (s.skippedNoAddress) notes.push(`${s.skippedNoAddress} flagged detections have no IP address and are left out of the bundle (they are in CSV and JSON).`);
        break;
      }
    }
    checkCancel(ctx);
  } catch (err) {
    out.abort();
    throw err;
  }
  const written = out.commit();
  const reportId = recordReport(db, { runId: spec.runId, format: spec.format, path: written.path, sha256: written.sha256 });
  ctx.progress(total, total, 'detections', `Wrote ${written.path}`);
  ctx.log(`Report ${spec.format} written to ${written.path} (${written.bytes} bytes, sha256 ${written.sha256})`);
  return { reportId, format: spec.format, path: written.path, bytes: written.bytes, sha256: written.sha256, runId: spec.runId, detections, notes };
};
