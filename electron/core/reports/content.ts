/**
 * The report's content, gathered from one workspace and one detection run. Every renderer (HTML,
 * PDF, CSV, JSON, STIX) reads this model or the detection rows below; none of them queries the
 * workspace itself. Strings here are raw (possibly hostile): renderers escape them.
 */
import path from 'node:path';
import type { Db } from '../store/workspace';
import { WorkbenchError } from '../errors';
import { appVersion } from '../app-info';
import { schemaColumns } from '../ml/schema-info';

export type ClassKind = 'benign' | 'attack' | 'unknown';
export type Verdict = 'new' | 'confirmed' | 'dismissed' | 'relabelled';
export const VERDICTS: readonly Verdict[] = ['confirmed', 'relabelled', 'new', 'dismissed'];

export interface ReportSource {
  id: number;
  name: string;
  path: string;
  size: number;
  sha256: string | null;
  format: string;
  schema: string | null;
  status: string;
  importedAt: string;
  packets: number;
  flowCount: number;
  timeFirst: number | null;
  timeLast: number | null;
  /** The first import errors (file, offset or line, message). */
  errors: { file?: string; offset?: number; line?: number; message: string }[];
  errorCount: number;
}

export interface ReportAdaptation {
  modelId: number;
  className: string;
  /** Support flows the class was taught from (K). */
  k: number | null;
  supportFlowIds: number[];
  /** The filter that chose the support flows, when they were chosen by filter. */
  filter: string | null;
  fineTuned: boolean | null;
  createdAt: string;
}

export interface ReportModelVersion {
  id: number;
  name: string;
  algorithm: string;
  createdAt: string;
  /** The class this version added by few-shot adaptation, if it is an adaptation. */
  adaptedClass: string | null;
}

export interface ReportModel {
  id: number;
  name: string;
  algorithm: string;
  schema: string;
  createdAt: string;
  classes: string[];
  /** Classes of the root model (meta-training); the rest came from adaptations. */
  baseClasses: string[];
  adaptations: ReportAdaptation[];
  /** Root first, this model last. */
  lineage: ReportModelVersion[];
  /** Headline numbers of the metrics JSON (accuracy, f1, auc, fpr, ...), dotted paths. */
  metrics: { name: string; value: number | string }[];
  perClass: { name: string; precision: number; recall: number; f1: number; support: number }[];
  confusion: { classes: string[]; matrix: number[][] } | null;
  hyper: { name: string; value: number | string }[];
}

export interface ClassCount {
  name: string;
  kind: ClassKind;
  colour: string;
  detections: number;
  verdicts: Record<Verdict, number>;
  meanScore: number;
  maxAttackScore: number;
}

export interface ReportRun {
  id: number;
  createdAt: string;
  filter: string;
  modelId: number | null;
  jobId: number | null;
  flowCount: number;
  detectionCount: number;
  classes: ClassCount[];
  verdicts: Record<Verdict, number>;
  /** Detections of an attack class or unknown. */
  flagged: number;
  unknowns: number;
  timeFirst: number | null;
  timeLast: number | null;
}

/** One detection with its flow, as every format lists it. */
export interface ReportDetection {
  id: number;
  flowId: number;
  predicted: string;
  kind: ClassKind;
  score: number;
  novelty: number;
  attackScore: number;
  verdict: Verdict;
  reviewer: string | null;
  note: string;
  reviewedAt: string | null;
  /** The flow's current label (analyst or dataset), if any. */
  label: string | null;
  truth: string | null;
  source: string | null;
  ts: number | null;
  endTs: number | null;
  proto: number | null;
  srcIp: string | null;
  srcPort: number | null;
  dstIp: string | null;
  dstPort: number | null;
  vlan: number | null;
  communityId: string | null;
  packets: number;
  bytes: number;
  /** Initiator to responder (fwd) and back (bwd); bytes are IP-layer bytes. */
  packetsFwd: number;
  packetsBwd: number;
  bytesFwd: number;
  bytesBwd: number;
  app: string | null;
  hints: string | null;
}

export interface TimelineBucket {
  start: number;
  benign: number;
  attack: number;
  unknown: number;
}

export interface Timeline {
  start: number;
  bucketSeconds: number;
  buckets: TimelineBucket[];
}

export interface Talker {
  ip: string;
  flows: number;
  bytes: number;
  flagged: number;
}

export interface FeatureDriver {
  name: string;
  /** Median in the feature's own unit. */
  classMedian: number;
  referenceMedian: number;
  /** Standardised difference of means on signed log1p values (Cohen's d). */
  effect: number;
}

export interface ClassDrivers {
  className: string;
  kind: ClassKind;
  sampled: number;
  reference: 'benign' | 'all';
  referenceSampled: number;
  features: FeatureDriver[];
}

export interface ReportContent {
  generatedAt: string;
  tool: { name: string; version: string };
  workspace: { name: string; analyst: string; createdAt: string; notes: string; file: string };
  sources: ReportSource[];
  model: ReportModel | null;
  run: ReportRun;
  /** Detections listed one by one: analyst-reviewed and flagged ones, confirmed first. */
  detections: ReportDetection[];
  /** How many detections qualified for the list (may exceed detections.length). */
  detectionsQualified: number;
  timeline: Timeline | null;
  topTalkers: { byBytes: Talker[]; byFlagged: Talker[] };
  drivers: ClassDrivers[];
}

const BENIGN_NAMES = /^(benign|normal|background)$/i;

/** Kind and colour of every class name a run predicted, from label_classes when it is there. */
export class ClassTable {
  private readonly byName = new Map<string, { kind: ClassKind; colour: string }>();
  constructor(db: Db) {
    const rows = db.prepare('SELECT name, kind, colour FROM label_classes').all() as { name: string; kind: ClassKind; colour: string }[];
    for (const r of rows) this.byName.set(r.name, { kind: r.kind, colour: r.colour });
  }
  kind(name: string): ClassKind {
    const k = this.byName.get(name)?.kind;
    if (k) return k;
    if (name.toLowerCase() === 'unknown') return 'unknown';
    return BENIGN_NAMES.test(name) ? 'benign' : 'attack';
  }
  colour(name: string): string | null {
    return this.byName.get(name)?.colour ?? null;
  }
}

interface RunRow {
  id: number;
  model_id: number | null;
  job_id: number | null;
  filter: string;
  created_at: string;
  flow_count: number;
}

/** The run a report is about: the one named, else the newest. Errors say what to do. */
export function resolveRun(db: Db, runId?: number): number {
  if (runId !== undefined) {
    const ok = db.prepare('SELECT 1 FROM detection_runs WHERE id = ?').get(runId);
    if (!ok) throw new WorkbenchError('E_NOT_FOUND', `No detection run ${runId} in this workspace. List runs in the Detections view (or run "nstd detect").`);
    return runId;
  }
  const id = db.prepare('SELECT id FROM detection_runs ORDER BY created_at DESC, id DESC LIMIT 1').pluck().get() as number | undefined;
  if (id === undefined) throw new WorkbenchError('E_NOT_FOUND', 'This workspace has no detection run yet. Run a detection first (Detections view, or "nstd detect"), then make the report.');
  return id;
}

/** Columns of one detection with its flow; used by the list below and by the CSV/JSON/STIX streams. */
export const DETECTION_SELECT = /* sql */ `
  SELECT d.id, d.flow_id, d.predicted, d.score, d.novelty, d.attack_score, d.verdict, d.reviewer, d.note, d.reviewed_at,
         f.ts, f.end_ts, f.proto, f.src_ip, f.src_port, f.dst_ip, f.dst_port, f.vlan, f.community_id,
         f.packets, f.bytes, f.packets_fwd, f.packets_bwd, f.bytes_fwd, f.bytes_bwd, f.app, f.hints, f.truth, lc.name AS label, s.name AS source
  FROM detections d
  JOIN flows f ON f.id = d.flow_id
  LEFT JOIN sources s ON s.id = f.source_id
  LEFT JOIN label_classes lc ON lc.id = f.label_id`;

export interface DetectionRow {
  id: number;
  flow_id: number;
  predicted: string;
  score: number;
  novelty: number;
  attack_score: number;
  verdict: Verdict;
  reviewer: string | null;
  note: string;
  reviewed_at: string | null;
  ts: number | null;
  end_ts: number | null;
  proto: number | null;
  src_ip: string | null;
  src_port: number | null;
  dst_ip: string | null;
  dst_port: number | null;
  vlan: number | null;
  community_id: string | null;
  packets: number;
  bytes: number;
  packets_fwd: number;
  packets_bwd: number;
  bytes_fwd: number;
  bytes_bwd: number;
  app: string | null;
  hints: string | null;
  truth: string | null;
  label: string | null;
  source: string | null;
}

/** SQLite may hand back a text or blob where a number was expected (hostile imports): coerce. */
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'bigint' ? Number(v) : null);
const str = (v: unknown): string | null => (v === null || v === undefined ? null : typeof v === 'string' ? v : Buffer.isBuffer(v) ? v.toString('latin1') : String(v));

/**
 * Every detection of a run with its flow, in id order, a batch at a time (keyset paging). The
 * pause between batches lets the worker hear a cancel; `signal` stops the walk.
 */
export async function* detectionBatches(db: Db, runId: number, classes: ClassTable, signal?: AbortSignal, batch = 5000): AsyncGenerator<ReportDetection[]> {
  // `+d.run_id` keeps the planner on the rowid range (d.id > ?) instead of the (run_id, flow_id)
  // index, which would sort the whole run again for every batch.
  const stmt = db.prepare(`${DETECTION_SELECT} WHERE +d.run_id = ? AND d.id > ? ORDER BY d.id LIMIT ?`);
  let after = 0;
  for (;;) {
    if (signal?.aborted) throw new WorkbenchError('E_CANCELLED', 'Report cancelled.');
    const rows = stmt.all(runId, after, batch) as DetectionRow[];
    if (rows.length === 0) return;
    after = rows[rows.length - 1]!.id;
    yield rows.map((r) => toReportDetection(r, classes));
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

export function toReportDetection(r: DetectionRow, classes: ClassTable): ReportDetection {
  const predicted = str(r.predicted) ?? '';
  return {
    id: r.id,
    flowId: r.flow_id,
    predicted,
    kind: classes.kind(predicted),
    score: num(r.score) ?? 0,
    novelty: num(r.novelty) ?? 0,
    attackScore: num(r.attack_score) ?? 0,
    verdict: r.verdict,
    reviewer: str(r.reviewer),
    note: str(r.note) ?? '',
    reviewedAt: str(r.reviewed_at),
    label: str(r.label),
    truth: str(r.truth),
    source: str(r.source),
    ts: num(r.ts),
    endTs: num(r.end_ts),
    proto: num(r.proto),
    srcIp: str(r.src_ip),
    srcPort: num(r.src_port),
    dstIp: str(r.dst_ip),
    dstPort: num(r.dst_port),
    vlan: num(r.vlan),
    communityId: str(r.community_id),
    packets: num(r.packets) ?? 0,
    bytes: num(r.bytes) ?? 0,
    packetsFwd: num(r.packets_fwd) ?? 0,
    packetsBwd: num(r.packets_bwd) ?? 0,
    bytesFwd: num(r.bytes_fwd) ?? 0,
    bytesBwd: num(r.bytes_bwd) ?? 0,
    app: str(r.app),
    hints: str(r.hints),
  };
}

function parseJson(s: unknown): unknown {
  if (typeof s !== 'string' || s === '') return null;
  try {
    return JSON.parse(s) as unknown;
  } catch {
    return null;
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Class names from a model's `classes` JSON: strings, or objects with a name. */
function classNames(v: unknown): string[] {
  if (!Array.isArray(v)) return [];
  return v
    .map((c) => (typeof c === 'string' ? c : isRecord(c) && typeof c.name === 'string' ? c.name : null))
    .filter((c): c is string => c !== null);
}

/** Numeric (and short string) leaves of a JSON object as dotted paths, for metric tables. */
export function flattenLeaves(v: unknown, max = 80): { name: string; value: number | string }[] {
  const out: { name: string; value: number | string }[] = [];
  const walk = (x: unknown, prefix: string, depth: number): void => {
    if (out.length >= max || depth > 6) return;
    if (typeof x === 'number') {
      if (Number.isFinite(x)) out.push({ name: prefix, value: x });
    } else if (typeof x === 'string' || typeof x === 'boolean') {
      if (prefix) out.push({ name: prefix, value: String(x) });
    } else if (Array.isArray(x)) {
      if (x.length <= 12 && x.every((e) => typeof e === 'number')) out.push({ name: prefix, value: (x as number[]).map((n) => fmtNum(n)).join(', ') });
      else if (x.length <= 12) x.forEach((e, i) => walk(e, `${prefix}[${i}]`, depth + 1));
    } else if (isRecord(x)) {
      for (const [k, e] of Object.entries(x)) walk(e, prefix ? `${prefix}.${k}` : k, depth + 1);
    }
  };
  walk(v, '', 0);
  return out;
}

export function fmtNum(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Number.isInteger(n)) return n.toLocaleString('en-US');
  const a = Math.abs(n);
  if (a !== 0 && (a < 0.001 || a >= 1e9)) return n.toExponential(3);
  const digits = a >= 1000 ? 0 : a >= 100 ? 1 : a >= 10 ? 2 : 4;
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, useGrouping: a >= 10000 });
}

function adaptationOf(modelId: number, createdAt: string, raw: unknown): ReportAdaptation | null {
  const a = parseJson(raw);
  if (!isRecord(a)) return null;
  const name = [a.className, a.class, a.name, a.label].find((x): x is string => typeof x === 'string') ?? null;
  if (name === null) return null;
  const ids = [a.supportFlowIds, a.support, a.flowIds, a.flows].find((x) => Array.isArray(x)) as unknown[] | undefined;
  const supportFlowIds = (ids ?? []).map((x) => (typeof x === 'number' ? x : isRecord(x) && typeof x.id === 'number' ? x.id : isRecord(x) && typeof x.flowId === 'number' ? x.flowId : NaN)).filter(Number.isFinite);
  const kRaw = [a.k, a.shots, a.K].find((x) => typeof x === 'number') as number | undefined;
  const ft = [a.fineTune, a.finetune, a.fineTuned].find((x) => typeof x === 'boolean' || isRecord(x));
  return {
    modelId,
    className: name,
    k: kRaw ?? (supportFlowIds.length || null),
    supportFlowIds: supportFlowIds.slice(0, 1000),
    filter: typeof a.filter === 'string' && a.filter !== '' ? a.filter : null,
    fineTuned: ft === undefined ? null : typeof ft === 'boolean' ? ft : true,
    createdAt,
  };
}

const finite = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : NaN);

/** The metrics JSON as the Models view stores it: headline numbers, per-class rows, confusion matrix. */
function metricsOf(raw: unknown): Pick<ReportModel, 'metrics' | 'perClass' | 'confusion'> {
  if (!isRecord(raw)) return { metrics: [], perClass: [], confusion: null };
  const { perClass, confusion, curve: _curve, roc: _roc, ...rest } = raw;
  const rows = Array.isArray(perClass)
    ? perClass.filter(isRecord).slice(0, 100).map((c) => ({
        name: typeof c.name === 'string' ? c.name : '',
        precision: finite(c.precision),
        recall: finite(c.recall),
        f1: finite(c.f1),
        support: finite(c.support),
      }))
    : [];
  let cm: ReportModel['confusion'] = null;
  if (isRecord(confusion) && Array.isArray(confusion.classes) && Array.isArray(confusion.matrix)) {
    const classes = confusion.classes.map((c) => String(c)).slice(0, 40);
    const matrix = confusion.matrix.slice(0, classes.length).map((r) => (Array.isArray(r) ? r.slice(0, classes.length + 1).map(finite) : []));
    if (classes.length && matrix.length === classes.length) cm = { classes, matrix };
  }
  return { metrics: flattenLeaves(rest, 40), perClass: rows, confusion: cm };
}

interface ModelRow {
  id: number;
  parent_id: number | null;
  name: string;
  algorithm: string;
  schema: string;
  classes: string;
  hyper: string;
  metrics: string;
  adaptation: string | null;
  created_at: string;
}

export function gatherModel(db: Db, modelId: number | null): ReportModel | null {
  if (modelId === null) return null;
  const get = db.prepare('SELECT id, parent_id, name, algorithm, schema, classes, hyper, metrics, adaptation, created_at FROM models WHERE id = ?');
  const m = get.get(modelId) as ModelRow | undefined;
  if (!m) return null;
  const chain: ModelRow[] = [m];
  const seen = new Set([m.id]);
  let cur = m;
  while (cur.parent_id !== null && chain.length < 100) {
    const p = get.get(cur.parent_id) as ModelRow | undefined;
    if (!p || seen.has(p.id)) break;
    seen.add(p.id);
    chain.push(p);
    cur = p;
  }
  chain.reverse();
  const adaptations = chain.map((r) => adaptationOf(r.id, r.created_at, r.adaptation)).filter((a): a is ReportAdaptation => a !== null);
  return {
    id: m.id,
    name: m.name,
    algorithm: m.algorithm,
    schema: m.schema,
    createdAt: m.created_at,
    classes: classNames(parseJson(m.classes)),
    baseClasses: classNames(parseJson(chain[0]!.classes)),
    adaptations,
    lineage: chain.map((r) => ({ id: r.id, name: r.name, algorithm: r.algorithm, createdAt: r.created_at, adaptedClass: adaptationOf(r.id, r.created_at, r.adaptation)?.className ?? null })),
    ...metricsOf(parseJson(m.metrics)),
    hyper: flattenLeaves(parseJson(m.hyper), 40),
  };
}

function gatherSources(db: Db, runId: number): ReportSource[] {
  // The sources whose flows the run looked at; all sources when the run has no detections.
  const rows = db
    .prepare(
      `SELECT * FROM sources WHERE id IN (SELECT DISTINCT f.source_id FROM detections d JOIN flows f ON f.id = d.flow_id WHERE d.run_id = ?)
       OR NOT EXISTS (SELECT 1 FROM detections WHERE run_id = ?) ORDER BY id`,
    )
    .all(runId, runId) as Record<string, unknown>[];
  return rows.map((r) => {
    const errs = parseJson(r.errors);
    const list = Array.isArray(errs) ? errs.filter(isRecord) : [];
    return {
      id: r.id as number,
      name: str(r.name) ?? '',
      path: str(r.path) ?? '',
      size: num(r.size) ?? 0,
      sha256: str(r.sha256),
      format: str(r.format) ?? '',
      schema: str(r.schema),
      status: str(r.status) ?? '',
      importedAt: str(r.imported_at) ?? '',
      packets: num(r.packets) ?? 0,
      flowCount: num(r.flow_count) ?? 0,
      timeFirst: num(r.time_first),
      timeLast: num(r.time_last),
      errors: list.slice(0, 20).map((e) => ({
        ...(typeof e.file === 'string' ? { file: e.file } : {}),
        ...(typeof e.offset === 'number' ? { offset: e.offset } : {}),
        ...(typeof e.line === 'number' ? { line: e.line } : {}),
        message: typeof e.message === 'string' ? e.message : JSON.stringify(e),
      })),
      errorCount: list.length,
    };
  });
}

const emptyVerdicts = (): Record<Verdict, number> => ({ new: 0, confirmed: 0, dismissed: 0, relabelled: 0 });

function gatherRun(db: Db, row: RunRow, classes: ClassTable): ReportRun {
  const rows = db
    .prepare(
      `SELECT predicted, verdict, count(*) AS n, avg(score) AS mean_score, max(attack_score) AS max_attack
       FROM detections WHERE run_id = ? GROUP BY predicted, verdict`,
    )
    .all(row.id) as { predicted: string; verdict: Verdict; n: number; mean_score: number | null; max_attack: number | null }[];
  const byClass = new Map<string, ClassCount & { scoreSum: number }>();
  const verdicts = emptyVerdicts();
  for (const r of rows) {
    const name = str(r.predicted) ?? '';
    let c = byClass.get(name);
    if (!c) {
      const kind = classes.kind(name);
      c = { name, kind, colour: classes.colour(name) ?? '', detections: 0, verdicts: emptyVerdicts(), meanScore: 0, maxAttackScore: -Infinity, scoreSum: 0 };
      byClass.set(name, c);
    }
    c.detections += r.n;
    c.verdicts[r.verdict] = (c.verdicts[r.verdict] ?? 0) + r.n;
    c.scoreSum += (r.mean_score ?? 0) * r.n;
    c.maxAttackScore = Math.max(c.maxAttackScore, r.max_attack ?? -Infinity);
    verdicts[r.verdict] = (verdicts[r.verdict] ?? 0) + r.n;
  }
  const kindOrder: Record<ClassKind, number> = { attack: 0, unknown: 1, benign: 2 };
  const list: ClassCount[] = [...byClass.values()]
    .map(({ scoreSum, ...c }) => ({ ...c, meanScore: c.detections ? scoreSum / c.detections : 0, maxAttackScore: Number.isFinite(c.maxAttackScore) ? c.maxAttackScore : 0 }))
    .sort((a, b) => kindOrder[a.kind] - kindOrder[b.kind] || b.detections - a.detections || (a.name < b.name ? -1 : 1));
  const span = db
    .prepare('SELECT min(f.ts) AS a, max(coalesce(f.end_ts, f.ts)) AS b FROM detections d JOIN flows f ON f.id = d.flow_id WHERE d.run_id = ?')
    .get(row.id) as { a: number | null; b: number | null };
  const detectionCount = list.reduce((s, c) => s + c.detections, 0);
  return {
    id: row.id,
    createdAt: row.created_at,
    filter: row.filter,
    modelId: row.model_id,
    jobId: row.job_id,
    flowCount: row.flow_count || detectionCount,
    detectionCount,
    classes: list,
    verdicts,
    flagged: list.filter((c) => c.kind !== 'benign').reduce((s, c) => s + c.detections, 0),
    unknowns: list.filter((c) => c.kind === 'unknown').reduce((s, c) => s + c.detections, 0),
    timeFirst: num(span.a),
    timeLast: num(span.b),
  };
}

const NICE_BUCKETS = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800, 2592000, 31536000];

function gatherTimeline(db: Db, run: ReportRun, classes: ClassTable): Timeline | null {
  if (run.timeFirst === null || run.timeLast === null) return null;
  const spanS = Math.max(0.01, run.timeLast - run.timeFirst);
  const bucketSeconds = NICE_BUCKETS.find((b) => spanS / b <= 72) ?? Math.ceil(spanS / 72);
  const start = Math.floor(run.timeFirst / bucketSeconds) * bucketSeconds;
  const n = Math.min(100, Math.floor((run.timeLast - start) / bucketSeconds) + 1);
  const buckets: TimelineBucket[] = Array.from({ length: n }, (_, i) => ({ start: start + i * bucketSeconds, benign: 0, attack: 0, unknown: 0 }));
  const rows = db
    .prepare(
      `SELECT CAST((f.ts - ?) / ? AS INTEGER) AS b, d.predicted AS p, count(*) AS n
       FROM detections d JOIN flows f ON f.id = d.flow_id WHERE d.run_id = ? AND f.ts IS NOT NULL GROUP BY b, p`,
    )
    .all(start, bucketSeconds, run.id) as { b: number; p: string; n: number }[];
  for (const r of rows) {
    const bucket = buckets[Math.max(0, Math.min(n - 1, r.b))]!;
    bucket[classes.kind(str(r.p) ?? '')] += r.n;
  }
  return { start, bucketSeconds, buckets };
}

function gatherTalkers(db: Db, runId: number, flaggedClasses: string[]): ReportContent['topTalkers'] {
  // One pass over the run's flows; both rankings read the same materialised aggregate.
  const rows = db
    .prepare(
      `WITH r AS (
         SELECT f.src_ip, f.dst_ip, f.bytes, d.predicted IN (SELECT value FROM json_each(?)) AS flagged
         FROM detections d JOIN flows f ON f.id = d.flow_id WHERE d.run_id = ?
       ), e AS (
         SELECT src_ip AS ip, bytes, flagged FROM r WHERE src_ip IS NOT NULL
         UNION ALL SELECT dst_ip, bytes, flagged FROM r WHERE dst_ip IS NOT NULL AND dst_ip IS NOT src_ip
       ), agg AS MATERIALIZED (
         SELECT ip, count(*) AS flows, sum(bytes) AS bytes, sum(flagged) AS flagged FROM e GROUP BY ip
       )
       SELECT * FROM (SELECT 'b' AS rank, * FROM agg ORDER BY bytes DESC, flows DESC, ip LIMIT 10)
       UNION ALL
       SELECT * FROM (SELECT 'f' AS rank, * FROM agg WHERE flagged > 0 ORDER BY flagged DESC, bytes DESC, ip LIMIT 10)`,
    )
    .all(JSON.stringify(flaggedClasses), runId) as Record<string, unknown>[];
  const map = (rank: string): Talker[] =>
    rows.filter((r) => r.rank === rank).map((r) => ({ ip: str(r.ip) ?? '', flows: num(r.flows) ?? 0, bytes: num(r.bytes) ?? 0, flagged: num(r.flagged) ?? 0 }));
  return { byBytes: map('b'), byFlagged: map('f') };
}

/**
 * Feature names (and which are categorical) for the flows' schema: the schema's own table when
 * it has `dim` columns, else the model pipeline's input names, else f0..fN.
 */
function featureColumns(db: Db, schema: string | null, modelId: number | null, dim: number): { names: string[]; categorical: boolean[] } {
  if (schema) {
    try {
      const c = schemaColumns(schema);
      if (c.names.length === dim) return { names: c.names, categorical: c.roles.map((r) => r === 'categorical') };
    } catch {
      // An unknown schema name falls through to the model's own names.
    }
  }
  const names = featureNames(db, modelId, dim);
  return { names, categorical: names.map(() => false) };
}

function featureNames(db: Db, modelId: number | null, dim: number): string[] {
  if (modelId !== null) {
    const row = db.prepare('SELECT pipeline, hyper FROM models WHERE id = ?').get(modelId) as { pipeline: string; hyper: string } | undefined;
    for (const raw of [row?.pipeline, row?.hyper]) {
      const p = parseJson(raw);
      if (!isRecord(p)) continue;
      for (const key of ['inputNames', 'featureNames', 'features', 'columns', 'names']) {
        const v = p[key];
        if (Array.isArray(v) && v.length === dim) {
          const names = v.map((x) => (typeof x === 'string' ? x : isRecord(x) && typeof x.name === 'string' ? x.name : null));
          if (names.every((x) => x !== null)) return names as string[];
        }
      }
    }
  }
  return Array.from({ length: dim }, (_, i) => `f${i}`);
}

function decodeFeatures(b: unknown): Float32Array | null {
  if (!Buffer.isBuffer(b) || b.byteLength === 0 || b.byteLength % 4 !== 0) return null;
  const copy = new Uint8Array(b.byteLength);
  copy.set(b);
  return new Float32Array(copy.buffer);
}

const slog = (x: number): number => Math.sign(x) * Math.log1p(Math.abs(x));

function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const SAMPLE = 2000;

/**
 * What sets each flagged class apart: for a sample of the run's flows of that class and of the
 * flows predicted benign (or all flows when none is benign), the features with the largest
 * standardised difference of means on signed log1p values. Model-agnostic: embeddings and
 * prototypes are not per-feature, the raw flow features are.
 */
function gatherDrivers(db: Db, run: ReportRun, classes: ClassTable): ClassDrivers[] {
  // One schema per comparison: the most common among the run's flows.
  const schema = (db.prepare('SELECT f.schema FROM detections d JOIN flows f ON f.id = d.flow_id WHERE d.run_id = ? GROUP BY f.schema ORDER BY count(*) DESC LIMIT 1').pluck().get(run.id) as string | undefined) ?? null;
  const sampleOf = (where: string, params: unknown[]): Float32Array[] =>
    (db.prepare(`SELECT f.features FROM detections d JOIN flows f ON f.id = d.flow_id WHERE d.run_id = ? AND ${where} AND f.features IS NOT NULL AND f.schema IS ? ORDER BY d.id LIMIT ${SAMPLE}`).pluck().all(run.id, ...params, schema) as unknown[])
      .map(decodeFeatures)
      .filter((f): f is Float32Array => f !== null);
  const benignNames = run.classes.filter((c) => c.kind === 'benign').map((c) => c.name);
  let reference: 'benign' | 'all' = 'benign';
  let ref = benignNames.length ? sampleOf('d.predicted IN (SELECT value FROM json_each(?))', [JSON.stringify(benignNames)]) : [];
  if (ref.length < 2) {
    reference = 'all';
    ref = sampleOf('1', []);
  }
  if (ref.length < 2) return [];
  const dim = ref[0]!.length;
  ref = ref.filter((f) => f.length === dim);
  const { names, categorical } = featureColumns(db, schema, run.modelId, dim);
  const stats = (rows: Float32Array[], j: number): { mean: number; v: number; med: number; n: number } => {
    const raw: number[] = [];
    let s = 0;
    let s2 = 0;
    for (const r of rows) {
      const x = r[j]!;
      if (!Number.isFinite(x)) continue;
      raw.push(x);
      const l = slog(x);
      s += l;
      s2 += l * l;
    }
    const n = raw.length;
    const mean = n ? s / n : 0;
    return { mean, v: n > 1 ? Math.max(0, (s2 - n * mean * mean) / (n - 1)) : 0, med: median(raw), n };
  };
  const refStats = Array.from({ length: dim }, (_, j) => stats(ref, j));
  const out: ClassDrivers[] = [];
  for (const c of run.classes) {
    if (c.kind === 'benign' || (reference === 'benign' && benignNames.includes(c.name))) continue;
    const rows = sampleOf('d.predicted = ?', [c.name]).filter((f) => f.length === dim);
    if (rows.length === 0) continue;
    const feats: FeatureDriver[] = [];
    for (let j = 0; j < dim; j++) {
      if (categorical[j]) continue;
      const a = stats(rows, j);
      const b = refStats[j]!;
      if (a.n === 0 || b.n === 0) continue;
      const pooled = Math.sqrt((a.v + b.v) / 2);
      const diff = a.mean - b.mean;
      if (Math.abs(diff) < 1e-9) continue;
      const effect = diff / Math.max(pooled, 0.05);
      feats.push({ name: names[j]!, classMedian: a.med, referenceMedian: b.med, effect });
    }
    feats.sort((x, y) => Math.abs(y.effect) - Math.abs(x.effect) || (x.name < y.name ? -1 : 1));
    out.push({ className: c.name, kind: classes.kind(c.name), sampled: rows.length, reference, referenceSampled: ref.length, features: feats.slice(0, 6) });
  }
  return out;
}

export interface GatherOptions {
  runId: number;
  /** Detections listed one by one (the rest are counted). */
  maxDetections: number;
  now?: Date;
}

/** Everything the HTML and PDF show. Bounded in memory whatever the run's size. */
export function gatherReport(db: Db, workspaceFile: string, opts: GatherOptions): ReportContent {
  const ws = db.prepare('SELECT name, analyst, created_at, notes FROM workspace WHERE id = 1').get() as
    | { name: string; analyst: string; created_at: string; notes: string }
    | undefined;
  if (!ws) throw new WorkbenchError('E_WORKSPACE', `${workspaceFile} has no workspace record.`);
  const runRow = db.prepare('SELECT id, model_id, job_id, filter, created_at, flow_count FROM detection_runs WHERE id = ?').get(opts.runId) as RunRow | undefined;
  if (!runRow) throw new WorkbenchError('E_NOT_FOUND', `No detection run ${opts.runId} in ${workspaceFile}.`);
  const classes = new ClassTable(db);
  const run = gatherRun(db, runRow, classes);
  const flaggedNames = run.classes.filter((c) => c.kind !== 'benign').map((c) => c.name);
  const listWhere = `d.run_id = ? AND (d.verdict <> 'new' OR d.predicted IN (SELECT value FROM json_each(?)))`;
  const detectionsQualified = db.prepare(`SELECT count(*) FROM detections d WHERE ${listWhere}`).pluck().get(run.id, JSON.stringify(flaggedNames)) as number;
  const detections = (
    db
      .prepare(
        `${DETECTION_SELECT} WHERE ${listWhere}
         ORDER BY CASE d.verdict WHEN 'confirmed' THEN 0 WHEN 'relabelled' THEN 1 WHEN 'new' THEN 2 ELSE 3 END, d.attack_score DESC, d.score DESC, d.id
         LIMIT ?`,
      )
      .all(run.id, JSON.stringify(flaggedNames), opts.maxDetections) as DetectionRow[]
  ).map((r) => toReportDetection(r, classes));
  return {
    generatedAt: (opts.now ?? new Date()).toISOString(),
    tool: { name: 'NSTD Workbench', version: appVersion() },
    workspace: { name: ws.name, analyst: ws.analyst, createdAt: ws.created_at, notes: ws.notes, file: path.basename(workspaceFile) },
    sources: gatherSources(db, run.id),
    model: gatherModel(db, run.modelId),
    run,
    detections,
    detectionsQualified,
    timeline: gatherTimeline(db, run, classes),
    topTalkers: gatherTalkers(db, run.id, flaggedNames),
    drivers: gatherDrivers(db, run, classes),
  };
}
