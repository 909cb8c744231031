import type { Db } from '../store/workspace';
import { compileFilter, registerFilterFunctions } from '../store/filter-sql';
import { WorkbenchError } from '../errors';
import type { ClassInfo, LabelledData } from './model';
import { schemaColumns } from './schema-info';
import { rng, sample } from './random';

/** Reading flows out of the workspace into the engine's matrices. */

export function decodeFloats(b: Buffer | null, n: number, out: Float32Array, at: number): void {
  if (!b) {
    out.fill(NaN, at, at + n);
    return;
  }
  const m = Math.min(n, b.length >> 2);
  // Buffers from SQLite are not 4-byte aligned in general: copy through bytes.
  new Uint8Array(out.buffer, out.byteOffset + at * 4, m * 4).set(b.subarray(0, m * 4));
  if (m < n) out.fill(NaN, at + m, at + n);
}

/** The schema with the most labelled flows (or most flows when none is labelled). */
export function dominantSchema(db: Db): string {
  const s = (db.prepare('SELECT schema FROM flows WHERE label_id IS NOT NULL GROUP BY schema ORDER BY count(*) DESC LIMIT 1').pluck().get() ??
    db.prepare('SELECT schema FROM flows GROUP BY schema ORDER BY count(*) DESC LIMIT 1').pluck().get()) as string | undefined;
  if (!s) throw new WorkbenchError('E_INVALID', 'The workspace has no flows. Import a capture or a flow log first (nstd ingest).');
  return s;
}

export interface LoadOptions {
  schema?: string;
  /** Class names to use (default: every labelled class of kind benign/attack). */
  classes?: string[];
  /** At most this many flows per class (seeded sample). */
  perClass?: number;
  filter?: string;
  seed?: number;
}

/** Labelled flows (current label) of one schema, as a LabelledData. */
export function loadLabelled(db: Db, o: LoadOptions = {}): LabelledData & { flowIds: Int32Array } {
  const schema = o.schema ?? dominantSchema(db);
  const cols = schemaColumns(schema);
  registerFilterFunctions(db);
  const f = o.filter ? compileFilter(o.filter) : { where: '1', params: [] as unknown[] };
  const classRows = db
    .prepare(
      `SELECT lc.id, lc.name, lc.kind, count(*) AS n FROM flows f JOIN label_classes lc ON lc.id = f.label_id
       WHERE f.schema = ? AND f.features IS NOT NULL AND (${f.where}) GROUP BY lc.id ORDER BY lc.name`,
    )
    .all(schema, ...f.params) as { id: number; name: string; kind: string; n: number }[];
  let chosen = classRows.filter((c) => c.kind !== 'unknown');
  if (o.classes?.length) {
    const want = new Set(o.classes.map((c) => c.toLowerCase()));
    chosen = classRows.filter((c) => want.has(c.name.toLowerCase()));
    const missing = o.classes.filter((c) => !classRows.some((r) => r.name.toLowerCase() === c.toLowerCase()));
    if (missing.length) throw new WorkbenchError('E_INVALID', `No labelled ${schema} flows of class ${missing.join(', ')}. Labelled classes: ${classRows.map((c) => `${c.name} (${c.n})`).join(', ') || 'none'}.`);
  }
  if (!chosen.length) throw new WorkbenchError('E_INVALID', `No labelled flows of schema ${schema}. Label flows (nstd label) or import a dataset with a label column.`);
  const rand = rng(o.seed ?? 1);
  const ids: number[] = [];
  const ys: number[] = [];
  const classes: ClassInfo[] = [];
  const idStmt = db.prepare(`SELECT f.id FROM flows f WHERE f.label_id = ? AND f.schema = ? AND f.features IS NOT NULL AND (${f.where}) ORDER BY f.id`).pluck();
  chosen.forEach((c, k) => {
    let rows = idStmt.all(c.id, schema, ...f.params) as number[];
    if (o.perClass && rows.length > o.perClass) rows = sample(rows, o.perClass, rand).sort((a, b) => a - b);
    ids.push(...rows);
    ys.push(...rows.map(() => k));
    classes.push({ name: c.name, kind: c.kind === 'benign' ? 'benign' : 'attack' });
  });
  const m = loadFeatures(db, Int32Array.from(ids), cols.names.length, cols.seq);
  return {
    schema,
    names: cols.names,
    roles: cols.roles,
    x: m.x,
    seq: m.seq,
    y: Int32Array.from(ys),
    classes,
    flowIds: Int32Array.from(ids),
  };
}

/** Features (and sequences) of the given flows, in that order. */
export function loadFeatures(db: Db, ids: Int32Array, D: number, seqShape: { len: number; channels: number } | null) {
  const x = new Float32Array(ids.length * D);
  const S = seqShape ? seqShape.len * seqShape.channels : 0;
  const s = seqShape ? new Float32Array(ids.length * S) : null;
  const stmt = db.prepare(`SELECT f.id, f.features, f.sequence FROM flows f WHERE f.id IN (SELECT value FROM json_each(?))`);
  const pos = new Map<number, number>();
  ids.forEach((id, i) => pos.set(id, i));
  for (let i = 0; i < ids.length; i += 20000) {
    const chunk = Array.from(ids.subarray(i, i + 20000));
    for (const r of stmt.iterate(JSON.stringify(chunk)) as Iterable<{ id: number; features: Buffer | null; sequence: Buffer | null }>) {
      const k = pos.get(r.id)!;
      decodeFloats(r.features, D, x, k * D);
      if (s) decodeFloats(r.sequence, S, s, k * S);
    }
  }
  return {
    x: { data: x, rows: ids.length, cols: D },
    seq: s && seqShape ? { m: { data: s, rows: ids.length, cols: S }, len: seqShape.len, channels: seqShape.channels } : null,
  };
}

/**
 * Flows matching a filter (and schema) in id order, in batches, with features decoded: the
 * detection and embedding jobs stream the workspace through this.
 */
export function* iterateFlows(db: Db, o: { schema: string; filter?: string; runId?: number; batch?: number; limit?: number }): Generator<{ ids: Int32Array; x: Float32Array; seq: Float32Array | null; rows: number }> {
  const cols = schemaColumns(o.schema);
  const D = cols.names.length;
  const S = cols.seq ? cols.seq.len * cols.seq.channels : 0;
  registerFilterFunctions(db);
  const f = o.filter ? compileFilter(o.filter, { runId: o.runId }) : { where: '1', params: [] as unknown[] };
  const batch = o.batch ?? 50_000;
  const stmt = db.prepare(
    `SELECT f.id, f.features${S ? ', f.sequence' : ''} FROM flows f WHERE f.schema = ? AND f.id > ? AND (${f.where}) ORDER BY f.id LIMIT ?`,
  );
  let after = 0;
  let left = o.limit ?? Infinity;
  for (;;) {
    const rows = stmt.all(o.schema, after, ...f.params, Math.min(batch, left)) as { id: number; features: Buffer | null; sequence?: Buffer | null }[];
    if (!rows.length) return;
    const n = rows.length;
    const ids = new Int32Array(n);
    const x = new Float32Array(n * D);
    const seq = S ? new Float32Array(n * S) : null;
    for (let i = 0; i < n; i++) {
      const r = rows[i]!;
      ids[i] = r.id;
      decodeFloats(r.features, D, x, i * D);
      if (seq) decodeFloats(r.sequence ?? null, S, seq, i * S);
    }
    yield { ids, x, seq, rows: n };
    after = rows[n - 1]!.id;
    left -= n;
    if (left <= 0 || n < Math.min(batch, left + n)) return;
  }
}

export function countFlows(db: Db, o: { schema: string; filter?: string; runId?: number }): number {
  registerFilterFunctions(db);
  const f = o.filter ? compileFilter(o.filter, { runId: o.runId }) : { where: '1', params: [] as unknown[] };
  return db.prepare(`SELECT count(*) FROM flows f WHERE f.schema = ? AND (${f.where})`).pluck().get(o.schema, ...f.params) as number;
}
