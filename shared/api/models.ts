import { z } from 'zod';
import { method } from './define';
import { Id, FilePath } from './common';

/** Models, training, adaptation, detection, review and the embedding projection (issue 5). */

export interface CurvePoint {
  step: number;
  loss: number;
  acc: number;
}

export interface ModelMetrics {
  accuracy?: number;
  f1?: number;
  auc?: number;
  fpr?: number;
  curve?: CurvePoint[];
  confusion?: { classes: string[]; matrix: number[][] };
  roc?: { fpr: number[]; tpr: number[]; auc: number };
  perClass?: { name: string; precision: number; recall: number; f1: number; support: number }[];
  [k: string]: unknown;
}

export interface ModelAdaptation {
  className: string;
  shots: number;
  fineTune: boolean;
  flowIds?: number[];
  filter?: string;
}

export interface ModelInfo {
  id: number;
  parentId: number | null;
  name: string;
  algorithm: string;
  schema: string;
  classes: string[];
  hyper: Record<string, unknown>;
  createdAt: string;
  adaptation: ModelAdaptation | null;
  metrics: ModelMetrics;
}

export interface ModelDetail extends ModelInfo {
  lineage: { id: number; name: string; createdAt: string; adaptation: ModelAdaptation | null }[];
  classKinds: { name: string; kind: string }[];
  calibration: unknown;
}

export interface RunInfo {
  id: number;
  modelId: number | null;
  jobId: number | null;
  createdAt: string;
  flowCount: number;
  filter: string;
  counts: Record<string, number>;
}

export type Verdict = 'new' | 'confirmed' | 'dismissed' | 'relabelled';

export interface DetectionRow {
  id: number;
  runId: number;
  flowId: number;
  predicted: string;
  score: number;
  novelty: number;
  attackScore: number;
  verdict: Verdict;
  reviewer: string | null;
  note: string;
  reviewedAt: string | null;
  /** The flow's row, keyed by filter field names (id, ts, end, ip.src, src.port, ...). */
  flow: Record<string, string | number | null>;
}

/** A finished embed job's projection as compact base64 Float32/Int32 arrays (one call). */
export interface EmbeddingProjection {
  total: number;
  classes: string[];
  flowIds: string;
  x: string;
  y: string;
  predicted: string;
  prototypes: { name: string; x: number; y: number }[];
}

export interface EmbeddingPage {
  total: number;
  flowIds: number[];
  x: number[];
  y: number[];
  label: (string | null)[];
  predicted: (string | null)[];
  source: number[];
  prototypes: { name: string; x: number; y: number }[];
}

const Algorithm = z.enum(['protonet', 'fomaml', 'reptile', 'supervised', 'knn', 'prototype']);
const Filter = z.string().max(10_000);

export const modelsMethods = {
  'models.list': method(z.object({ schema: z.string().optional() })).returns<ModelInfo[]>(),
  'models.get': method(z.object({ id: Id })).returns<ModelDetail>(),
  'models.export': method(z.object({ id: Id, path: FilePath })).returns<{ path: string; bytes: number }>(),
  'models.import': method(z.object({ path: FilePath })).returns<ModelInfo>(),
  'models.delete': method(z.object({ id: Id })).returns<{ deleted: number }>(),
  'models.train': method(
    z.object({
      algorithm: Algorithm.default('protonet'),
      ways: z.number().int().min(2).max(50).optional(),
      shots: z.number().int().min(1).max(100).optional(),
      queries: z.number().int().min(1).max(200).optional(),
      episodes: z.number().int().min(1).max(1_000_000).optional(),
      seed: z.number().int().optional(),
      classes: z.array(z.string().min(1)).optional(),
      schema: z.string().optional(),
      perClass: z.number().int().min(2).optional(),
      filter: Filter.optional(),
      name: z.string().min(1).max(200).optional(),
    }),
  ).returns<{ jobId: number }>(),
  'models.adapt': method(
    z.object({
      modelId: Id,
      className: z.string().min(1).max(200),
      kind: z.enum(['attack', 'benign']).optional(),
      flowIds: z.array(Id).min(1).max(100_000).optional(),
      filter: Filter.min(1).optional(),
      fineTune: z.boolean().optional(),
      seed: z.number().int().optional(),
    }),
  ).returns<{ jobId: number }>(),
  'models.eval': method(
    z.object({
      novel: z.array(z.string().min(1)).min(1),
      base: z.array(z.string().min(1)).optional(),
      benign: z.string().optional(),
      distractors: z.array(z.string().min(1)).optional(),
      perClass: z.number().int().min(2).optional(),
      benignRatio: z.number().positive().optional(),
      pool: z.number().int().min(2).optional(),
      shots: z.array(z.number().int().min(1)).min(1).optional(),
      repeats: z.number().int().min(1).max(100).optional(),
      algorithm: Algorithm.optional(),
      seed: z.number().int().optional(),
      episodes: z.number().int().min(1).optional(),
    }),
  ).returns<{ jobId: number }>(),
  'detect.run': method(z.object({ modelId: Id.optional(), filter: Filter.optional(), schema: z.string().optional() })).returns<{ jobId: number }>(),
  'detections.runs': method(z.object({ limit: z.number().int().min(1).max(1000).optional() })).returns<RunInfo[]>(),
  'detections.page': method(
    z.object({
      runId: Id.optional(),
      sort: z.enum(['score', 'novelty', 'attack']).default('score'),
      /** Unknown (open-set) detections first. */
      unknownFirst: z.boolean().default(false),
      verdict: z.enum(['new', 'confirmed', 'dismissed', 'relabelled', 'all']).default('all'),
      predicted: z.string().optional(),
      /** Keyset cursor from the previous page's `next`. */
      after: z.string().max(200).nullable().optional(),
      limit: z.number().int().min(1).max(5000).default(500),
    }),
  ).returns<{ rows: DetectionRow[]; next: string | null; total: number }>(),
  'detections.review': method(
    z.object({
      id: Id,
      verdict: z.enum(['confirmed', 'dismissed', 'relabelled', 'new']),
      className: z.string().min(1).max(200).optional(),
      note: z.string().max(10_000).optional(),
      reviewer: z.string().max(200).optional(),
    }),
  ).returns<DetectionRow>(),
  'detections.timeline': method(z.object({ runId: Id.optional(), buckets: z.number().int().min(1).max(2000).default(100) })).returns<{
    t0: number;
    width: number;
    series: { name: string; counts: number[] }[];
  }>(),
  'embedding.start': method(
    z.object({ modelId: Id.optional(), filter: Filter.optional(), limit: z.number().int().min(1).max(100_000).optional(), method: z.enum(['pca', 'umap']).optional() }),
  ).returns<{ jobId: number }>(),
  'embedding.page': method(z.object({ jobId: Id, offset: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(100_000).default(20_000) })).returns<EmbeddingPage>(),
  /** The projection of a finished embed job as compact base64 Float32/Int32 arrays (one call). */
  'embedding.project': method(z.object({ jobId: Id })).returns<EmbeddingProjection>(),
};
