/**
 * Calls to contract methods that other domains are still adding (flows, labels, models,
 * detections, embedding). A view asks `has(name)` first and shows what it needs instead of
 * failing; `call` is the untyped twin of `invoke` for those names, checked at run time against
 * the contract map so a missing method reads as a clear message, never as a 404.
 * The result shapes below are the ones written down in notes/ui-needs.md.
 */
import { isMethodName, methods, type MethodName, type Params, type Result } from '$shared/api';
import { invoke } from './api';

export class Unavailable extends Error {
  constructor(readonly method: string) {
    super(`This needs the contract method \`${method}\`, which this build of the core does not have yet.`);
  }
}

/** Whether the contract (the one the renderer was built with) has the method. */
export function has(name: string): boolean {
  return isMethodName(name) && Object.prototype.hasOwnProperty.call(methods, name);
}

/** Calls a method by name; throws Unavailable when the contract lacks it. */
export async function call<R>(name: string, params: Record<string, unknown>): Promise<R> {
  if (!has(name)) throw new Unavailable(name);
  return (await invoke(name as MethodName, params as Params<MethodName>)) as R;
}

/** The typed call for methods that certainly exist. */
export function typed<K extends MethodName>(name: K, params: Params<K>): Promise<Result<K>> {
  return invoke(name, params);
}

export type FlowRow = Record<string, string | number | null>;

export interface LabelEntry {
  id: number;
  flowId: number;
  classId?: number | null;
  className: string | null;
  origin: 'analyst' | 'dataset' | 'model-accepted';
  author: string;
  createdAt: string;
  note: string;
  batch: number | null;
}

export interface ClassInfo {
  id: number;
  name: string;
  kind: 'benign' | 'attack' | 'unknown';
  colour: string;
  attackIds: string[];
  description: string;
  createdAt?: string;
  flows: number;
}

export interface LabelBatchResult {
  batch: number;
  count: number;
}

export interface LabelBatchInfo {
  id: number;
  origin: 'analyst' | 'dataset' | 'model-accepted';
  author: string;
  createdAt: string;
  note: string;
  classId: number | null;
  className: string | null;
  filter: string | null;
  sourceId: number | null;
  count: number;
  undoOf: number | null;
  undoneBy: number | null;
}

export interface SequencePacket {
  dir: number;
  size: number;
  iat: number;
  flags: number;
}

export interface FlowDetail {
  row: FlowRow;
  schema: string;
  features: { name: string; value: number; unit?: string }[];
  sequence: SequencePacket[] | null;
  labels: LabelEntry[];
  detections: { runId: number; predicted: string; score: number; novelty: number; verdict: string }[];
}

export interface FlowPage {
  rows: FlowRow[];
  next: string | null;
  prev: string | null;
}

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
  [k: string]: unknown;
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
  adaptation: { className: string; shots: number; fineTune: boolean } | null;
  metrics: ModelMetrics;
}

export interface RunInfo {
  id: number;
  modelId: number | null;
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
  flow: FlowRow;
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

/** Pulls a `{step, loss, acc}` point out of a job log line (`metrics {...}`), if it is one. */
export function parseCurveLine(line: string): CurvePoint | null {
  const m = /^\s*metrics\s+(\{.*\})\s*$/.exec(line);
  if (!m) return null;
  try {
    const o = JSON.parse(m[1]!) as Partial<CurvePoint>;
    if (typeof o.step === 'number' && typeof o.loss === 'number') return { step: o.step, loss: o.loss, acc: typeof o.acc === 'number' ? o.acc : NaN };
  } catch {
    /* not a metrics line */
  }
  return null;
}
