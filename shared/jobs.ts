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
  train: z.object({
    algorithm: z.enum(['protonet', 'fomaml', 'reptile', 'supervised', 'knn', 'prototype']).default('protonet'),
    ways: z.number().int().min(2).max(50).default(5),
    shots: z.number().int().min(1).max(100).default(5),
    queries: z.number().int().min(1).max(200).default(15),
    episodes: z.number().int().min(1).max(1_000_000).default(3000),
    seed: z.number().int().default(1),
    /** Class names to train on (default: every labelled benign/attack class of the schema). */
    classes: z.array(z.string().min(1)).optional(),
    schema: z.string().min(1).optional(),
    /** At most this many flows per class (seeded sample). */
    perClass: z.number().int().min(2).max(1_000_000).default(5000),
    filter: z.string().max(10_000).optional(),
    name: z.string().min(1).max(200).optional(),
  }),
  adapt: z
    .object({
      modelId: z.number().int().positive(),
      className: z.string().min(1).max(200),
      kind: z.enum(['attack', 'benign']).default('attack'),
      flowIds: z.array(z.number().int().positive()).min(1).max(100_000).optional(),
      filter: z.string().min(1).max(10_000).optional(),
      fineTune: z.boolean().default(false),
      seed: z.number().int().default(1),
    })
    .refine((s) => (s.flowIds ? 1 : 0) + (s.filter ? 1 : 0) === 1, { message: 'give exactly one of flowIds or filter' }),
  detect: z.object({
    /** Default: the newest model of the flows' schema, else the shipped base model. */
    modelId: z.number().int().positive().optional(),
    filter: z.string().max(10_000).default(''),
    schema: z.string().min(1).optional(),
  }),
  eval: z.object({
    novel: z.array(z.string().min(1)).min(1),
    base: z.array(z.string().min(1)).optional(),
    benign: z.string().min(1).optional(),
    distractors: z.array(z.string().min(1)).default([]),
    perClass: z.number().int().min(2).default(500),
    benignRatio: z.number().positive().default(4),
    pool: z.number().int().min(2).default(2000),
    shots: z.array(z.number().int().min(1).max(1000)).min(1).default([1, 3, 5, 10]),
    repeats: z.number().int().min(1).max(100).default(5),
    algorithm: z.enum(['protonet', 'fomaml', 'reptile', 'supervised', 'knn', 'prototype']).default('protonet'),
    seed: z.number().int().default(1),
    episodes: z.number().int().min(1).max(1_000_000).optional(),
    fineTune: z.boolean().default(false),
    schema: z.string().min(1).optional(),
  }),
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
  embed: z.object({
    modelId: z.number().int().positive().optional(),
    filter: z.string().max(10_000).default(''),
    limit: z.number().int().min(1).max(100_000).default(100_000),
    /** pca over every flow; umap on a seeded sample of at most 10,000 of them. */
    method: z.enum(['pca', 'umap']).default('pca'),
    schema: z.string().min(1).optional(),
    seed: z.number().int().default(1),
  }),
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
