import { method } from './define';
import { z } from 'zod';
import { FilePath, Id } from './common';

/**
 * Flows, labels, classes and queries (issue 4). Row keys and filter fields are the one
 * vocabulary of shared/filter/fields.ts.
 */

/** A flow as the table, exports and API see it: keys are filter field names. */
export type FlowRow = Record<string, string | number | null>;

export interface FlowPage {
  rows: FlowRow[];
  /** Opaque keyset cursor of the last row when more follow (pass as `after`). */
  next: string | null;
  /** Cursor of the first row when rows come before it (pass as `before`). */
  prev: string | null;
}

export type LabelOrigin = 'analyst' | 'dataset' | 'model-accepted';
export type ClassKind = 'benign' | 'attack' | 'unknown';

export interface LabelEvent {
  id: number;
  flowId: number;
  classId: number | null;
  className: string | null;
  origin: LabelOrigin;
  author: string;
  createdAt: string;
  note: string;
  batch: number | null;
}

export interface FlowDetail {
  row: FlowRow;
  schema: string;
  sourceName: string;
  extra: {
    vlan: number | null;
    tcpFlags: number | null;
    /** Source-specific hints: Suricata alerts, Zeek uid, NSL-KDD difficulty... */
    hints: unknown;
    payloadFwd: number;
    payloadBwd: number;
    frameBytesFwd: number;
    frameBytesBwd: number;
  };
  /** The schema's features by name (null for a missing value). */
  features: { name: string; value: number | null }[];
  /** First packets (captures only): direction, IP length, inter-arrival time (s), TCP flags. */
  sequence: { dir: 1 | -1; size: number; iat: number; flags: number }[] | null;
  /** Label history, newest first (the first is the current label). */
  labels: LabelEvent[];
  detections: { runId: number; predicted: string; score: number; novelty: number; verdict: string; note: string }[];
}

export interface FlowCounts {
  total: number;
  byClass: { classId: number | null; name: string; kind: string; colour: string; flows: number }[];
  bySource: { sourceId: number; name: string; flows: number }[];
  byTruth: { truth: string | null; flows: number }[];
}

export interface Talker {
  ip: string;
  flows: number;
  packets: number;
  bytes: number;
}

export interface Histogram {
  /** Start of the first bucket (epoch seconds) and bucket width (seconds). */
  t0: number;
  width: number;
  counts: number[];
  series: { name: string; colour: string; counts: number[] }[];
}

export interface ClassInfo {
  id: number;
  name: string;
  kind: ClassKind;
  colour: string;
  attackIds: string[];
  description: string;
  createdAt: string;
  /** Flows whose current label is this class. */
  flows: number;
}

export interface LabelBatchResult {
  batch: number;
  count: number;
}

export interface LabelBatchInfo {
  id: number;
  origin: LabelOrigin;
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

export interface LabelImportResult {
  batch: number | null;
  entries: number;
  matched: number;
  unmatched: number;
  ambiguous: number;
  errors: { line: number; message: string }[];
}

export type FilterCheckResult = { ok: true; fields: string[]; detection: boolean } | { ok: false; message: string; column: number; length: number };

const Filter = z.string().max(20_000).default('');
const RunId = Id.optional();
const ClassKindSchema = z.enum(['benign', 'attack', 'unknown']);
const Colour = z.string().regex(/^#[0-9a-fA-F]{6}$/);
const AttackIds = z.array(z.string().regex(/^T\d{4}(\.\d{3})?$/)).max(50);
const ClassName = z.string().trim().min(1).max(200);
const OriginSchema = z.enum(['analyst', 'dataset', 'model-accepted']);

export const flowsMethods = {
  'flows.page': method(
    z.object({
      filter: Filter,
      sort: z.string().max(40).default('id'),
      dir: z.enum(['asc', 'desc']).default('asc'),
      after: z.string().max(2000).nullable().default(null),
      before: z.string().max(2000).nullable().default(null),
      limit: z.number().int().min(1).max(5000).default(200),
      runId: RunId,
    }),
  ).returns<FlowPage>(),
  'flows.count': method(z.object({ filter: Filter, runId: RunId })).returns<{ flows: number }>(),
  'flows.get': method(z.object({ id: Id, runId: RunId })).returns<FlowDetail>(),
  'flows.counts': method(z.object({ filter: Filter, runId: RunId })).returns<FlowCounts>(),
  'flows.topTalkers': method(
    z.object({
      filter: Filter,
      runId: RunId,
      by: z.enum(['src', 'dst', 'addr']).default('addr'),
      metric: z.enum(['flows', 'packets', 'bytes']).default('bytes'),
      limit: z.number().int().min(1).max(1000).default(10),
    }),
  ).returns<Talker[]>(),
  'flows.histogram': method(
    z.object({ filter: Filter, runId: RunId, buckets: z.number().int().min(1).max(5000).default(200), byClass: z.boolean().default(false) }),
  ).returns<Histogram>(),
  'flows.export': method(
    z.object({ path: FilePath, filter: Filter, runId: RunId, format: z.enum(['csv', 'jsonl']).default('csv'), limit: z.number().int().min(0).optional() }),
  ).returns<{ path: string; rows: number }>(),
  /** Writes one capture flow's packets to a pcap file for Wireshark (nstd carve). */
  'flows.carve': method(z.object({ id: Id, path: FilePath })).returns<{ path: string; packets: number; skipped: number }>(),
  'filter.check': method(z.object({ text: z.string().max(100_000) })).returns<FilterCheckResult>(),
  'labels.apply': method(
    z
      .object({
        ids: z.array(Id).min(1).max(1_000_000).optional(),
        filter: z.string().min(1).max(20_000).optional(),
        runId: RunId,
        /** null removes the label (the history keeps the removal). */
        classId: Id.nullable().optional(),
        /** Alternative to classId: a class name, created (kind from the taxonomy, else `kind`) when missing. */
        className: ClassName.optional(),
        kind: ClassKindSchema.optional(),
        note: z.string().max(10_000).default(''),
      })
      .refine((p) => (p.ids === undefined) !== (p.filter === undefined), { message: 'give exactly one of ids and filter' })
      .refine((p) => p.classId !== undefined || p.className !== undefined, { message: 'give classId (or null to unlabel) or className' }),
  ).returns<LabelBatchResult>(),
  'labels.undo': method(z.object({ batch: Id })).returns<LabelBatchResult>(),
  'labels.history': method(z.object({ flowId: Id })).returns<LabelEvent[]>(),
  'labels.batches': method(z.object({ before: Id.optional(), limit: z.number().int().min(1).max(1000).default(100) })).returns<LabelBatchInfo[]>(),
  'labels.export': method(
    z.object({ path: FilePath, format: z.enum(['csv', 'json']).optional(), filter: Filter, origins: z.array(OriginSchema).max(3).optional() }),
  ).returns<{ path: string; count: number; format: 'csv' | 'json' }>(),
  'labels.import': method(z.object({ path: FilePath })).returns<LabelImportResult>(),
  'classes.list': method(z.object({})).returns<ClassInfo[]>(),
  'classes.create': method(
    z.object({ name: ClassName, kind: ClassKindSchema.optional(), colour: Colour.optional(), attackIds: AttackIds.optional(), description: z.string().max(10_000).optional() }),
  ).returns<ClassInfo>(),
  'classes.update': method(
    z.object({ id: Id, name: ClassName.optional(), kind: ClassKindSchema.optional(), colour: Colour.optional(), attackIds: AttackIds.optional(), description: z.string().max(10_000).optional() }),
  ).returns<ClassInfo>(),
  'classes.delete': method(z.object({ id: Id })).returns<null>(),
};
