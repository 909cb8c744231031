import fs from 'node:fs';
import type { Db } from '../store/workspace';
import { nowIso } from '../store/workspace';
import { WorkbenchError } from '../errors';
import type { FewShotModel, ModelMetrics } from './model';
import { fromRecord, toRecord, type ModelRecord } from './serialize';
import type { TrainCurvePoint } from './meta-train';
import type { ModelAdaptation, ModelInfo } from '../../../shared/api/models';

/** The metrics JSON stored with a model (the shape the Models view draws). */
export interface StoredMetrics {
  accuracy?: number;
  f1?: number;
  auc?: number;
  fpr?: number;
  unknownRate?: number;
  validationRows?: number;
  perClass?: ModelMetrics['perClass'];
  curve?: { step: number; loss: number; acc: number }[];
  confusion?: { classes: string[]; matrix: number[][] };
  roc?: { fpr: number[]; tpr: number[]; auc: number };
  [k: string]: unknown;
}


/** A model as the contract lists it (shared/api/models.ts). */
export type ModelSummary = ModelInfo;

interface ModelRow {
  id: number;
  parent_id: number | null;
  name: string;
  algorithm: string;
  schema: string;
  classes: string;
  hyper: string;
  metrics: string;
  pipeline: string;
  weights: Buffer | null;
  prototypes: Buffer | null;
  calibration: string;
  adaptation: string | null;
  created_at: string;
}

export function storedMetrics(m: ModelMetrics, classes: string[], curve: TrainCurvePoint[]): StoredMetrics {
  const macroF1 = m.perClass.length ? m.perClass.reduce((s, c) => s + c.f1, 0) / m.perClass.length : NaN;
  return {
    accuracy: m.accuracy,
    f1: macroF1,
    auc: m.auc,
    fpr: m.fpr,
    unknownRate: m.unknownRate,
    validationRows: m.validationRows,
    perClass: m.perClass,
    curve: curve.map((p) => ({ step: p.episode, loss: p.loss, acc: p.accuracy })),
    confusion: { classes, matrix: m.confusion },
    roc: { fpr: m.roc.map((p) => p.fpr), tpr: m.roc.map((p) => p.tpr), auc: m.auc },
  };
}

const json = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'number' && !Number.isFinite(x) ? null : x));

export function saveModel(db: Db, m: FewShotModel, o: { name: string; parentId?: number | null; metrics: StoredMetrics; adaptation?: ModelAdaptation | null; createdAt?: string }): number {
  const r = toRecord(m, o.name);
  return insertRecord(db, r, { parentId: o.parentId ?? null, metrics: o.metrics, adaptation: o.adaptation ?? null, createdAt: o.createdAt ?? nowIso() });
}

function insertRecord(db: Db, r: ModelRecord, o: { parentId: number | null; metrics: unknown; adaptation: unknown; createdAt: string }): number {
  const res = db
    .prepare(
      `INSERT INTO models (parent_id, name, algorithm, schema, classes, hyper, metrics, pipeline, weights, prototypes, calibration, adaptation, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(o.parentId, r.name, r.algorithm, r.schema, json(r.classes), json(r.hyper), json(o.metrics), json(r.pipeline), r.weights, r.prototypes, json(r.calibration), o.adaptation === null ? null : json(o.adaptation), o.createdAt);
  return Number(res.lastInsertRowid);
}

function row(db: Db, id: number): ModelRow {
  const r = db.prepare('SELECT * FROM models WHERE id = ?').get(id) as ModelRow | undefined;
  if (!r) throw new WorkbenchError('E_NOT_FOUND', `No model ${id} in this workspace (nstd models: see the Models view or models.list).`);
  return r;
}

function summary(r: ModelRow): ModelSummary {
  const classes = JSON.parse(r.classes) as { name: string }[];
  return {
    id: r.id,
    parentId: r.parent_id,
    name: r.name,
    algorithm: r.algorithm,
    schema: r.schema,
    classes: classes.map((c) => c.name),
    hyper: JSON.parse(r.hyper) as Record<string, unknown>,
    createdAt: r.created_at,
    adaptation: r.adaptation ? (JSON.parse(r.adaptation) as ModelAdaptation) : null,
    metrics: JSON.parse(r.metrics) as StoredMetrics,
  };
}

export function listModels(db: Db): ModelSummary[] {
  return (db.prepare('SELECT id, parent_id, name, algorithm, schema, classes, hyper, metrics, adaptation, created_at FROM models ORDER BY id DESC').all() as ModelRow[]).map(summary);
}

export function getModelSummary(db: Db, id: number): ModelSummary & { lineage: { id: number; name: string; createdAt: string; adaptation: ModelAdaptation | null }[]; classKinds: { name: string; kind: string }[]; calibration: unknown } {
  const r = row(db, id);
  const lineage: { id: number; name: string; createdAt: string; adaptation: ModelAdaptation | null }[] = [];
  let p = r.parent_id;
  const seen = new Set<number>([r.id]);
  while (p !== null && !seen.has(p)) {
    seen.add(p);
    const pr = db.prepare('SELECT id, parent_id, name, created_at, adaptation FROM models WHERE id = ?').get(p) as ModelRow | undefined;
    if (!pr) break;
    lineage.push({ id: pr.id, name: pr.name, createdAt: pr.created_at, adaptation: pr.adaptation ? (JSON.parse(pr.adaptation) as ModelAdaptation) : null });
    p = pr.parent_id;
  }
  return { ...summary(r), lineage, classKinds: JSON.parse(r.classes) as { name: string; kind: string }[], calibration: JSON.parse(r.calibration) as unknown };
}

function recordOf(r: ModelRow): ModelRecord {
  if (!r.prototypes) throw new WorkbenchError('E_INVALID', `Model ${r.id} has no prototypes stored; retrain it.`);
  return {
    name: r.name,
    algorithm: r.algorithm as ModelRecord['algorithm'],
    schema: r.schema,
    classes: JSON.parse(r.classes) as ModelRecord['classes'],
    hyper: JSON.parse(r.hyper) as ModelRecord['hyper'],
    pipeline: JSON.parse(r.pipeline) as ModelRecord['pipeline'],
    calibration: JSON.parse(r.calibration) as ModelRecord['calibration'],
    weights: r.weights,
    prototypes: r.prototypes,
  };
}

export function loadModel(db: Db, id: number): FewShotModel {
  return fromRecord(recordOf(row(db, id)));
}

/** The newest model of a schema in the workspace, or null. */
export function newestModelId(db: Db, schema: string): number | null {
  return (db.prepare('SELECT id FROM models WHERE schema = ? ORDER BY id DESC LIMIT 1').pluck().get(schema) as number | undefined) ?? null;
}

export function deleteModel(db: Db, id: number): void {
  row(db, id);
  db.prepare('DELETE FROM models WHERE id = ?').run(id);
}

// ---- .nstdmodel ------------------------------------------------------------------------------

const FILE_MAGIC = Buffer.from('NSTDMODEL1\n', 'latin1');

/**
 * One file: magic, u32 header length, header JSON (every text column + blob sizes), weights,
 * prototypes. Row ids are left out, so exporting an imported model gives the same bytes.
 */
export function exportModelBytes(db: Db, id: number): Buffer {
  const r = row(db, id);
  const header = {
    format: 1,
    name: r.name,
    algorithm: r.algorithm,
    schema: r.schema,
    classes: r.classes,
    hyper: r.hyper,
    metrics: r.metrics,
    pipeline: r.pipeline,
    calibration: r.calibration,
    adaptation: r.adaptation,
    createdAt: r.created_at,
    weightsBytes: r.weights ? r.weights.length : -1,
    prototypesBytes: r.prototypes ? r.prototypes.length : -1,
  };
  const h = Buffer.from(JSON.stringify(header), 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32LE(h.length);
  return Buffer.concat([FILE_MAGIC, len, h, r.weights ?? Buffer.alloc(0), r.prototypes ?? Buffer.alloc(0)]);
}

export function importModelBytes(db: Db, buf: Buffer, file = '(buffer)'): number {
  if (buf.length < FILE_MAGIC.length + 4 || !buf.subarray(0, FILE_MAGIC.length).equals(FILE_MAGIC)) {
    throw new WorkbenchError('E_INVALID', `${file} is not an .nstdmodel file (bad magic at byte 0). Export one with "nstd" or the Models view.`);
  }
  const n = buf.readUInt32LE(FILE_MAGIC.length);
  const start = FILE_MAGIC.length + 4;
  if (start + n > buf.length) throw new WorkbenchError('E_INVALID', `${file}: header of ${n} bytes runs past the end of the file (${buf.length} bytes); the file is truncated.`);
  let h: Record<string, unknown>;
  try {
    h = JSON.parse(buf.toString('utf8', start, start + n)) as Record<string, unknown>;
  } catch (err) {
    throw new WorkbenchError('E_INVALID', `${file}: header at byte ${start} is not JSON (${(err as Error).message}).`);
  }
  const text = (k: string): string => {
    if (typeof h[k] !== 'string') throw new WorkbenchError('E_INVALID', `${file}: header field "${k}" is missing.`);
    return h[k] as string;
  };
  const wb = Number(h.weightsBytes);
  const pb = Number(h.prototypesBytes);
  if (h.format !== 1 || !Number.isInteger(wb) || !Number.isInteger(pb) || pb < 0) throw new WorkbenchError('E_INVALID', `${file}: unsupported header (format ${String(h.format)}).`);
  const body = start + n;
  if (body + Math.max(0, wb) + pb !== buf.length) {
    throw new WorkbenchError('E_INVALID', `${file}: expected ${body + Math.max(0, wb) + pb} bytes, found ${buf.length}; the file is truncated or has trailing data.`);
  }
  const weights = wb >= 0 ? Buffer.from(buf.subarray(body, body + wb)) : null;
  const prototypes = Buffer.from(buf.subarray(body + Math.max(0, wb), body + Math.max(0, wb) + pb));
  const adaptation = h.adaptation === null ? null : text('adaptation');
  const rec: ModelRow = {
    id: 0,
    parent_id: null,
    name: text('name'),
    algorithm: text('algorithm'),
    schema: text('schema'),
    classes: text('classes'),
    hyper: text('hyper'),
    metrics: text('metrics'),
    pipeline: text('pipeline'),
    calibration: text('calibration'),
    adaptation,
    created_at: text('createdAt'),
    weights,
    prototypes,
  };
  // Validate by decoding before it enters the workspace.
  try {
    fromRecord(recordOf(rec)).dispose();
  } catch (err) {
    throw new WorkbenchError('E_INVALID', `${file}: the model does not decode: ${(err as Error).message}`);
  }
  const res = db
    .prepare(
      `INSERT INTO models (parent_id, name, algorithm, schema, classes, hyper, metrics, pipeline, weights, prototypes, calibration, adaptation, created_at)
       VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(rec.name, rec.algorithm, rec.schema, rec.classes, rec.hyper, rec.metrics, rec.pipeline, rec.weights, rec.prototypes, rec.calibration, rec.adaptation, rec.created_at);
  return Number(res.lastInsertRowid);
}

export function exportModelFile(db: Db, id: number, file: string): { path: string; bytes: number } {
  const b = exportModelBytes(db, id);
  fs.writeFileSync(file, b);
  return { path: file, bytes: b.length };
}

export function importModelFile(db: Db, file: string): number {
  let b: Buffer;
  try {
    b = fs.readFileSync(file);
  } catch (err) {
    throw new WorkbenchError('E_NOT_FOUND', `Cannot read ${file}: ${(err as Error).message}`);
  }
  return importModelBytes(db, b, file);
}
