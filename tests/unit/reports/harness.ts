import { Workspace } from '../../../electron/core/store/workspace';
import type { JobContext } from '../../../electron/core/jobs/types';
import { reportJob } from '../../../electron/core/reports/report-job';
import { jobSpecs, type JobSpecInput } from '../../../shared/jobs';
import type { ReportJobResult } from '../../../shared/api/reports';

/**
 * Runs the report job handler in this process with a context like the worker's (its own
 * workspace connection, progress collected), for unit tests of the formats. The integration
 * tests run the same handler through the JobManager and a worker process.
 */
export async function runReportJob(
  workspaceFile: string,
  spec: JobSpecInput<'report'>,
  signal: AbortSignal = new AbortController().signal,
): Promise<{ result: ReportJobResult; progress: { done: number; total: number; unit: string; message: string }[]; log: string[] }> {
  let ws: Workspace | null = null;
  const progress: { done: number; total: number; unit: string; message: string }[] = [];
  const log: string[] = [];
  const ctx: JobContext = {
    jobId: 1,
    workspacePath: workspaceFile,
    signal,
    progress: (done, total, unit, message = '') => progress.push({ done, total, unit, message }),
    log: (line) => log.push(line),
    workspace: () => (ws ??= Workspace.open(workspaceFile)),
  };
  try {
    const result = (await reportJob(jobSpecs.report.parse(spec), ctx)) as ReportJobResult;
    return { result, progress, log };
  } finally {
    (ws as Workspace | null)?.close();
  }
}

/** RFC 4180 parser for checking what the CSV export wrote (quotes, CRLF, embedded newlines). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 2;
        continue;
      }
      if (c === '"') {
        quoted = false;
        i++;
        continue;
      }
      cell += c;
      i++;
      continue;
    }
    if (c === '"' && cell === '') {
      quoted = true;
      i++;
    } else if (c === ',') {
      row.push(cell);
      cell = '';
      i++;
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i += 2;
    } else {
      cell += c;
      i++;
    }
  }
  if (cell !== '' || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}
