import { z } from 'zod';
import { method } from './define';
import { FilePath, Id } from './common';

export const ReportFormat = z.enum(['html', 'pdf', 'csv', 'json', 'stix']);
export type ReportFormat = z.infer<typeof ReportFormat>;

/** The file name extension each format is written with by default. */
export const reportExtensions: Record<ReportFormat, string> = {
  html: '.html',
  pdf: '.pdf',
  csv: '.csv',
  json: '.json',
  stix: '.stix.json',
};

/** One exported report, as recorded in the workspace's `reports` table. */
export interface ReportInfo {
  id: number;
  runId: number | null;
  format: string;
  path: string;
  sha256: string | null;
  createdAt: string;
  /** Whether the file is still where it was written. */
  exists: boolean;
}

/** What a finished report job returns (JobInfo.result). */
export interface ReportJobResult {
  reportId: number | null;
  format: ReportFormat;
  path: string;
  bytes: number;
  sha256: string | null;
  runId: number;
  detections: number;
  /** Set when the host prints the PDF after the job (Electron): the HTML waiting to be printed. */
  pendingPrint?: { htmlPath: string };
  /** Things the reader should know (e.g. detections without addresses left out of STIX). */
  notes: string[];
}

/** Reports: HTML, PDF, CSV, JSON and STIX 2.1 from one detection run. */
export const reportsMethods = {
  /** Starts a report job; without runId, the newest detection run. `path` is on the machine that runs the core. */
  'reports.create': method(
    z.object({
      format: ReportFormat,
      path: FilePath,
      runId: Id.optional(),
    }),
  ).returns<{ jobId: number }>(),
  'reports.list': method(z.object({ limit: z.number().int().min(1).max(1000).default(100) })).returns<ReportInfo[]>(),
};
