import { z } from 'zod';

/**
 * Every kind of job and the schema of its spec. The worker validates the spec again before it
 * runs, so a spec is checked at both ends of the process boundary.
 */
export const jobSpecs = {
  'self-test': z.object({
    epochs: z.number().int().min(1).max(200).default(20),
    rows: z.number().int().min(16).max(100_000).default(2000),
    /** Milliseconds to wait between epochs: lets tests catch the job mid-run. */
    delayMs: z.number().int().min(0).max(10_000).default(0),
    seed: z.number().int().default(1),
  }),
  ingest: z.object({
    paths: z.array(z.string().min(1)).min(1),
    /** Flow assembler options for captures (seconds). */
    idleTimeout: z.number().positive().optional(),
    activeTimeout: z.number().positive().optional(),
  }),
  train: z.record(z.string(), z.unknown()),
  adapt: z.record(z.string(), z.unknown()),
  detect: z.record(z.string(), z.unknown()),
  eval: z.record(z.string(), z.unknown()),
  report: z.object({
    format: z.enum(['html', 'pdf', 'csv', 'json', 'stix']),
    /** Absolute path of the file to write (replaced atomically when the job finishes). */
    out: z.string().min(1).max(4096),
    /** The detection run; the service fills in the newest when the caller names none. */
    runId: z.number().int().positive(),
    /** Who prints a PDF: headless Chromium in the worker, or the host after the job (Electron's printToPDF). */
    pdfPrinter: z.enum(['chromium', 'host']).default('chromium'),
    /** Detections listed one by one in HTML and PDF (the summary always counts them all). */
    htmlMaxDetections: z.number().int().min(0).max(100_000).default(2000),
  }),
  embed: z.record(z.string(), z.unknown()),
} as const;

export type JobKind = keyof typeof jobSpecs;
export const JobKind = z.enum(Object.keys(jobSpecs) as [JobKind, ...JobKind[]]);
export type JobSpec<K extends JobKind> = z.output<(typeof jobSpecs)[K]>;
export type JobSpecInput<K extends JobKind> = z.input<(typeof jobSpecs)[K]>;

/** Messages between a job host and its worker; the same in Electron and in Node. */
export type ToWorker =
  | { type: 'start'; jobId: number; kind: JobKind; spec: unknown; workspacePath: string }
  | { type: 'cancel' };

export type FromWorker =
  | { type: 'progress'; done: number; total: number; unit: string; message: string }
  | { type: 'log'; line: string }
  | { type: 'result'; result: unknown }
  | { type: 'error'; message: string; code: string };

export interface JobProgress {
  done: number;
  total: number;
  unit: string;
  message: string;
}
