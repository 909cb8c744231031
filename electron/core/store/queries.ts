/**
 * Read paths over flows: keyset pages sorted on an indexed column, counts, top talkers, a
 * time histogram, one flow in detail, and a streaming export. Rows use the field vocabulary
 * of shared/filter/fields.ts as keys. Every filter goes through compileFilter (bound
 * parameters only); sort fields come from a fixed table, never from the caller's text.
 */
import type { Db } from './workspace';
import { WorkbenchError } from '../errors';
import { compileFilter, registerFilterFunctions } from './filter-sql';
import { columnNames, sortableFields } from '../../../shared/filter/fields';
import { flowLabelHistory } from './labels';
import { featureSchemas } from '../importers/schemas';
import type { FlowCounts, FlowDetail, FlowPage, FlowRow, Histogram, Talker } from '../../../shared/api/flows';
export type { FlowCounts, FlowDetail, FlowPage, FlowRow, Histogram, Talker };


/** SELECT list producing the vocabulary's columns (labels and detections joined). */
const SELECT_ROW = `f.id AS "id", f.community_id AS "community_id", f.source_id AS "source", f.row_no AS "row",
  f.ts AS "ts", f.end_ts AS "end", f.duration AS "duration", f.src_ip AS "ip.src", f.dst_ip AS "ip.dst",
  f.src_port AS "src.port", f.dst_port AS "dst.port", f.proto AS "proto", f.vlan AS "vlan", f.app AS "app",
  f.packets AS "packets", f.bytes AS "bytes", f.packets_fwd AS "packets.fwd", f.packets_bwd AS "packets.bwd",
  f.bytes_fwd AS "bytes.fwd", f.bytes_bwd AS "bytes.bwd", c.name AS "label", f.truth AS "truth",
  d.predicted AS "prediction", d.score AS "score", d.novelty AS "novelty", d.verdict AS "verdict"`;

function fromClause(runSql: string, hint = ''): string {
  return `FROM flows f ${hint}
  LEFT JOIN label_classes c ON c.id = f.label_id
  LEFT JOIN detections d ON d.id = (SELECT dd.id FROM detections dd WHERE dd.run_id = ${runSql} AND dd.flow_id = f.id LIMIT 1)`;
}

/** Sort field -> the index that holds the flow table in that order (id: the table itself). */
const SORT_INDEX: Record<string, string | null> = {
  id: null,
  ts: 'flows_ts',
  duration: 'flows_duration',
  'ip.src': 'flows_src',
  'ip.dst': 'flows_dst',
  'dst.port': 'flows_dst_port',
  packets: 'flows_packets',
  bytes: 'flows_bytes',
  label: 'flows_label',
  truth: 'flows_truth',
};

/** Rows of the sort order sampled to estimate how often the filter matches. */
const SAMPLE_ROWS = 2000;

/** Sort field -> the indexed column (label sorts by class id: flows_label). */
const SORT_COLUMN: Record<string, string> = {
  id: 'f.id',
  ts: 'f.ts',
  duration: 'f.duration',
  'ip.src': 'f.src_ip',
  'ip.dst': 'f.dst_ip',
  'dst.port': 'f.dst_port',
  packets: 'f.packets',
  bytes: 'f.bytes',
  label: 'f.label_id',
  truth: 'f.truth',
};

export interface PageQuery {
  filter?: string;
  sort?: string;
  dir?: 'asc' | 'desc';
  after?: string | null;
  before?: string | null;
  limit?: number;
  runId?: number;
}


type CursorValue = [string | number | null, number];

function encodeCursor(v: CursorValue): string {
  return Buffer.from(JSON.stringify(v)).toString('base64url');
}

function decodeCursor(s: string): CursorValue {
  try {
    const v = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 2 && (v[0] === null || typeof v[0] === 'string' || typeof v[0] === 'number') && Number.isInteger(v[1])) {
      return v as CursorValue;
    }
  } catch {
    /* fall through */
  }
  throw new WorkbenchError('E_INVALID', 'The page cursor is not one this workspace gave out; start from the first page.');
}

/** Sums of NOT NULL counters: descending pages need no NULL tail. */
const NEVER_NULL = new Set(['f.bytes', 'f.packets']);

/** Rows after (v, id) in the order (col dir, id dir); NULL sorts first ascending, as SQLite does. */
function keyset(col: string, asc: boolean, cur: CursorValue, params: unknown[]): string {
  const [v, id] = cur;
  if (col === 'f.id') {
    params.push(id);
    return asc ? 'f.id > ?' : 'f.id < ?';
  }
  if (asc) {
    if (v === null) {
      params.push(id);
      return `((${col} IS NULL AND f.id > ?) OR ${col} IS NOT NULL)`;
    }
    // a row value is a range the index can seek to (an OR of comparisons is not)
    params.push(v, id);
    return `(${col}, f.id) > (?, ?)`;
  }
  if (v === null) {
    params.push(id);
    return `(${col} IS NULL AND f.id < ?)`;
  }
  params.push(v, id);
  return NEVER_NULL.has(col) ? `(${col}, f.id) < (?, ?)` : `((${col}, f.id) < (?, ?) OR ${col} IS NULL)`;
}

function runSqlFor(runId: number | undefined, params: unknown[]): string {
  if (runId === undefined) return '(SELECT max(id) FROM detection_runs)';
  params.push(runId);
  return '?';
}

export function pageFlows(db: Db, q: PageQuery): FlowPage {
  registerFilterFunctions(db);
  const sort = q.sort ?? 'id';
  const col = SORT_COLUMN[sort];
  if (!col) throw new WorkbenchError('E_INVALID', `Cannot sort by ${JSON.stringify(sort)}: sortable fields are ${sortableFields.join(', ')}.`);
  const limit = Math.max(1, Math.min(q.limit ?? 200, 5000));
  const asc = (q.dir ?? 'asc') === 'asc';
  const backwards = !!q.before && !q.after;
  const scanAsc = backwards ? !asc : asc;
  const params: unknown[] = [];
  const runSql = runSqlFor(q.runId, params);
  const f = compileFilter(q.filter ?? '', { runId: q.runId });
  const where: string[] = [f.where];
  params.push(...f.params);
  const cursor = q.after ?? q.before ?? null;
  const keysetParams: unknown[] = [];
  const keysetSql = cursor ? keyset(col, scanAsc, decodeCursor(cursor), keysetParams) : '1';
  where.push(keysetSql);
  params.push(...keysetParams);
  const d = scanAsc ? 'ASC' : 'DESC';
  const order = col === 'f.id' ? `f.id ${d}` : `${col} ${d}, f.id ${d}`;
  // SQLite's planner does not weigh LIMIT: with a filter on an indexed column it may read every
  // match through that index and sort them (hundreds of ms over 1 M flows) where walking the
  // sort order would stop after a few hundred rows. Sample the next rows of the sort order: when
  // the filter matches a page's worth there, walk the sort order; otherwise let the planner pick
  // (a selective filter is best served by its index).
  let hint = '';
  if (f.where !== '1') {
    const sortIdx = SORT_INDEX[sort]!;
    const sampleSql = `SELECT count(*) FROM flows f WHERE f.id IN (SELECT f.id FROM flows f ${sortIdx ? `INDEXED BY ${sortIdx}` : 'NOT INDEXED'} WHERE ${keysetSql} ORDER BY ${order} LIMIT ${SAMPLE_ROWS}) AND ${f.where}`;
    const matches = db.prepare(sampleSql).pluck().get(...keysetParams, ...f.params) as number;
    // walk the sort order when it should fill the page within about 20 samples' worth of rows
    if (matches * 20 > limit) hint = sortIdx ? `INDEXED BY ${sortIdx}` : 'NOT INDEXED';
  }
  const sql = `SELECT ${SELECT_ROW}, ${col} AS "__k" ${fromClause(runSql, hint)} WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ?`;
  params.push(limit + 1);
  const raw = db.prepare(sql).all(...params) as (FlowRow & { __k: string | number | null })[];
  const more = raw.length > limit;
  if (more) raw.pop();
  if (backwards) raw.reverse();
  const cur = (r: FlowRow & { __k: string | number | null }): string => encodeCursor([r.__k, r.id as number]);
  const next = raw.length === 0 ? null : backwards ? cur(raw[raw.length - 1]!) : more ? cur(raw[raw.length - 1]!) : null;
  const prev = raw.length === 0 ? null : backwards ? (more ? cur(raw[0]!) : null) : cursor ? cur(raw[0]!) : null;
  const rows = raw.map((r) => {
    const { __k: _k, ...row } = r;
    return row;
  });
  return { rows, next, prev };
}

export function countFlows(db: Db, q: { filter?: string; runId?: number }): number {
  registerFilterFunctions(db);
  const f = compileFilter(q.filter ?? '', { runId: q.runId });
  return db.prepare(`SELECT count(*) FROM flows f WHERE ${f.where}`).pluck().get(...f.params) as number;
}


export function flowCounts(db: Db, q: { filter?: string; runId?: number }): FlowCounts {
  registerFilterFunctions(db);
  const f = compileFilter(q.filter ?? '', { runId: q.runId });
  const byClass = (
    db
      .prepare(
        `SELECT x.label_id AS classId, coalesce(c.name, 'unlabelled') AS name, coalesce(c.kind, 'unknown') AS kind, coalesce(c.colour, '#cccccc') AS colour, x.n AS flows
         FROM (SELECT f.label_id, count(*) AS n FROM flows f WHERE ${f.where} GROUP BY f.label_id) x
         LEFT JOIN label_classes c ON c.id = x.label_id ORDER BY x.n DESC`,
      )
      .all(...f.params) as FlowCounts['byClass']
  );
  const bySource = db
    .prepare(
      `SELECT x.source_id AS sourceId, s.name, x.n AS flows FROM (SELECT f.source_id, count(*) AS n FROM flows f WHERE ${f.where} GROUP BY f.source_id) x
       JOIN sources s ON s.id = x.source_id ORDER BY x.source_id`,
    )
    .all(...f.params) as FlowCounts['bySource'];
  const byTruth = db
    .prepare(`SELECT f.truth AS truth, count(*) AS flows FROM flows f WHERE ${f.where} GROUP BY f.truth ORDER BY flows DESC LIMIT 1000`)
    .all(...f.params) as FlowCounts['byTruth'];
  return { total: byClass.reduce((a, c) => a + c.flows, 0), byClass, bySource, byTruth };
}


export function topTalkers(db: Db, q: { filter?: string; runId?: number; by?: 'src' | 'dst' | 'addr'; metric?: 'flows' | 'packets' | 'bytes'; limit?: number }): Talker[] {
  registerFilterFunctions(db);
  const f = compileFilter(q.filter ?? '', { runId: q.runId });
  const metric = q.metric ?? 'bytes';
  const limit = Math.max(1, Math.min(q.limit ?? 10, 1000));
  const by = q.by ?? 'addr';
  const parts: string[] = [];
  const params: unknown[] = [];
  for (const colName of by === 'addr' ? ['f.src_ip', 'f.dst_ip'] : [by === 'src' ? 'f.src_ip' : 'f.dst_ip']) {
    parts.push(`SELECT ${colName} AS ip, f.packets AS packets, f.bytes AS bytes FROM flows f WHERE ${colName} IS NOT NULL AND ${f.where}`);
    params.push(...f.params);
  }
  const order = metric === 'flows' ? 'flows' : metric;
  return db
    .prepare(`SELECT ip, count(*) AS flows, sum(packets) AS packets, sum(bytes) AS bytes FROM (${parts.join(' UNION ALL ')}) GROUP BY ip ORDER BY ${order} DESC, ip LIMIT ?`)
    .all(...params, limit) as Talker[];
}


export function histogram(db: Db, q: { filter?: string; runId?: number; buckets?: number; byClass?: boolean }): Histogram {
  registerFilterFunctions(db);
  const f = compileFilter(q.filter ?? '', { runId: q.runId });
  const buckets = Math.max(1, Math.min(q.buckets ?? 200, 5000));
  const range = db
    .prepare(`SELECT min(f.ts) AS lo, max(coalesce(f.end_ts, f.ts)) AS hi FROM flows f WHERE f.ts IS NOT NULL AND ${f.where}`)
    .get(...f.params) as { lo: number | null; hi: number | null };
  if (range.lo === null || range.hi === null) return { t0: 0, width: 0, counts: [], series: [] };
  const width = range.hi > range.lo ? (range.hi - range.lo) / buckets : 1;
  const counts = new Array<number>(buckets).fill(0);
  const rows = db
    .prepare(`SELECT min(CAST((f.ts - ?) / ? AS INTEGER), ?) AS b, f.label_id AS l, count(*) AS n FROM flows f WHERE f.ts IS NOT NULL AND ${f.where} GROUP BY b, l`)
    .all(range.lo, width, buckets - 1, ...f.params) as { b: number; l: number | null; n: number }[];
  const perClass = new Map<number | null, number[]>();
  for (const r of rows) {
    counts[r.b] = (counts[r.b] ?? 0) + r.n;
    if (q.byClass) {
      let s = perClass.get(r.l);
      if (!s) perClass.set(r.l, (s = new Array<number>(buckets).fill(0)));
      s[r.b] = (s[r.b] ?? 0) + r.n;
    }
  }
  const series: Histogram['series'] = [];
  if (q.byClass) {
    const classes = new Map(
      (db.prepare('SELECT id, name, colour FROM label_classes').all() as { id: number; name: string; colour: string }[]).map((c) => [c.id, c]),
    );
    const top = [...perClass].sort((a, b) => b[1].reduce((x, y) => x + y, 0) - a[1].reduce((x, y) => x + y, 0)).slice(0, 8);
    for (const [id, s] of top) {
      const c = id === null ? undefined : classes.get(id);
      series.push({ name: c?.name ?? 'unlabelled', colour: c?.colour ?? '#cccccc', counts: s });
    }
  }
  return { t0: range.lo, width, counts, series };
}


/** Feature names of a schema: the importers' schemas, or the capture schema (lazy: it is big). */
async function featureNames(schema: string): Promise<string[] | null> {
  const s = featureSchemas[schema];
  if (s) return s.features.map((x) => x.name);
  if (schema === 'pcap') {
    try {
      const m = (await import('../capture/features')) as { pcapFeatureNames?: string[] };
      return m.pcapFeatureNames ?? null;
    } catch {
      return null;
    }
  }
  return null;
}

const floats = (b: Buffer | null): Float32Array | null =>
  b && b.byteLength % 4 === 0 ? new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)) : null;

export async function flowDetail(db: Db, id: number, runId?: number): Promise<FlowDetail> {
  const params: unknown[] = [];
  const runSql = runSqlFor(runId, params);
  const row = db.prepare(`SELECT ${SELECT_ROW} ${fromClause(runSql)} WHERE f.id = ?`).get(...params, id) as FlowRow | undefined;
  if (!row) throw new WorkbenchError('E_NOT_FOUND', `No flow with id ${id}.`);
  const raw = db
    .prepare(
      `SELECT f.schema, f.features, f.sequence, f.vlan, f.tcp_flags, f.hints, f.payload_fwd, f.payload_bwd, f.frame_bytes_fwd, f.frame_bytes_bwd, s.name AS source_name
       FROM flows f JOIN sources s ON s.id = f.source_id WHERE f.id = ?`,
    )
    .get(id) as {
    schema: string;
    features: Buffer | null;
    sequence: Buffer | null;
    vlan: number | null;
    tcp_flags: number | null;
    hints: string | null;
    payload_fwd: number;
    payload_bwd: number;
    frame_bytes_fwd: number;
    frame_bytes_bwd: number;
    source_name: string;
  };
  const values = floats(raw.features);
  const names = await featureNames(raw.schema);
  const features = values
    ? Array.from(values, (v, i) => ({ name: names?.[i] ?? `feature ${i + 1}`, value: Number.isNaN(v) ? null : v }))
    : [];
  const seqRaw = floats(raw.sequence);
  let sequence: FlowDetail['sequence'] = null;
  if (seqRaw) {
    // [packets, 3]: direction-signed IP length, inter-arrival time (s), TCP flags; zero-padded.
    sequence = [];
    for (let i = 0; i + 2 < seqRaw.length; i += 3) {
      const size = seqRaw[i]!;
      if (size === 0) break;
      sequence.push({ dir: size >= 0 ? 1 : -1, size: Math.abs(size), iat: seqRaw[i + 1]!, flags: seqRaw[i + 2]! });
    }
  }
  let hints: unknown = null;
  if (raw.hints) {
    try {
      hints = JSON.parse(raw.hints);
    } catch {
      hints = raw.hints;
    }
  }
  const detections = db
    .prepare('SELECT run_id AS runId, predicted, score, novelty, verdict, note FROM detections WHERE flow_id = ? ORDER BY run_id DESC LIMIT 50')
    .all(id) as FlowDetail['detections'];
  return {
    row,
    schema: raw.schema,
    sourceName: raw.source_name,
    extra: {
      vlan: raw.vlan,
      tcpFlags: raw.tcp_flags,
      hints,
      payloadFwd: raw.payload_fwd,
      payloadBwd: raw.payload_bwd,
      frameBytesFwd: raw.frame_bytes_fwd,
      frameBytesBwd: raw.frame_bytes_bwd,
    },
    features,
    sequence,
    labels: flowLabelHistory(db, id),
    detections,
  };
}

/** Every row a filter matches, in id order, streamed (for CSV/JSONL export). */
export function* iterateFlows(db: Db, q: { filter?: string; runId?: number; limit?: number }): Generator<FlowRow> {
  registerFilterFunctions(db);
  const params: unknown[] = [];
  const runSql = runSqlFor(q.runId, params);
  const f = compileFilter(q.filter ?? '', { runId: q.runId });
  params.push(...f.params);
  const limit = q.limit !== undefined && q.limit >= 0 ? q.limit : -1;
  const stmt = db.prepare(`SELECT ${SELECT_ROW} ${fromClause(runSql)} WHERE ${f.where} ORDER BY f.id LIMIT ?`);
  yield* stmt.iterate(...params, limit) as IterableIterator<FlowRow>;
}

export const exportColumns: readonly string[] = columnNames;

const TEXT_COLUMNS = new Set(['community_id', 'app', 'label', 'truth', 'prediction', 'verdict', 'ip.src', 'ip.dst']);

/**
 * One CSV cell. Text that came from traffic or datasets and starts like a spreadsheet formula
 * (= + - @ TAB CR) gets a leading apostrophe so opening the export cannot run it.
 */
export function csvCell(col: string, v: string | number | null): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  let s = v;
  if (TEXT_COLUMNS.has(col) && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(row: FlowRow): string {
  return exportColumns.map((c) => csvCell(c, row[c] ?? null)).join(',');
}
