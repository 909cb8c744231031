/**
 * Compiles the filter language (shared/filter) to a WHERE clause over `flows f`, with every
 * value a bound parameter: nothing from the filter text is ever spliced into SQL.
 *
 * Detection fields (prediction, score, novelty, verdict) read the `detections` row of the flow
 * in one run through correlated subqueries: the run is `opts.runId` when given, else the newest
 * run (`SELECT max(id) FROM detection_runs`). Index detections_run_flow serves them.
 *
 * CIDR blocks on whole octets (/0, /8, /16, /24, /32) compile to plain LIKE prefixes; other
 * prefix lengths call the SQL function nstd_ip_in(ip, network, prefix), which
 * `registerFilterFunctions(db)` adds to a connection (every query path of the store calls it;
 * callers with their own connection call it once).
 */
import type { Db } from './workspace';
import { parseFilter, expandIPv6 as expandIPv6Words, FilterError, type FilterNode, type TypedValue } from '../../../shared/filter/parse';
import type { FieldDef } from '../../../shared/filter/fields';
import { lookupClass } from '../../../shared/taxonomy';
import { WorkbenchError } from '../errors';

export interface CompiledFilter {
  where: string;
  params: unknown[];
}

export interface CompileOptions {
  runId?: number;
}

/** SQL for the plain (one-column) fields. */
const COLUMN: Record<string, string> = {
  id: 'f.id',
  community_id: 'f.community_id',
  source: 'f.source_id',
  row: 'f.row_no',
  ts: 'f.ts',
  end: 'f.end_ts',
  duration: 'f.duration',
  'ip.src': 'f.src_ip',
  'ip.dst': 'f.dst_ip',
  'src.port': 'f.src_port',
  'dst.port': 'f.dst_port',
  proto: 'f.proto',
  vlan: 'f.vlan',
  app: 'f.app',
  packets: 'f.packets',
  bytes: 'f.bytes',
  'packets.fwd': 'f.packets_fwd',
  'packets.bwd': 'f.packets_bwd',
  'bytes.fwd': 'f.bytes_fwd',
  'bytes.bwd': 'f.bytes_bwd',
  label: 'f.label_id',
  truth: 'f.truth',
};

const DETECTION_COLUMN: Record<string, string> = {
  prediction: 'd.predicted',
  score: 'd.score',
  novelty: 'd.novelty',
  verdict: 'd.verdict',
};

class Compiler {
  readonly params: unknown[] = [];
  constructor(private readonly opts: CompileOptions) {}

  private p(v: unknown): string {
    this.params.push(v);
    return '?';
  }

  private run(): string {
    return this.opts.runId !== undefined ? this.p(this.opts.runId) : '(SELECT max(id) FROM detection_runs)';
  }

  private detection(field: FieldDef): string {
    return `(SELECT ${DETECTION_COLUMN[field.name]} FROM detections d WHERE d.run_id = ${this.run()} AND d.flow_id = f.id)`;
  }

  node(n: FilterNode): string {
    switch (n.type) {
      case 'true':
        return '1';
      case 'and':
        return `(${this.node(n.left)} AND ${this.node(n.right)})`;
      case 'or':
        return `(${this.node(n.left)} OR ${this.node(n.right)})`;
      case 'not':
        // A comparison with a missing value is false, so its negation is true.
        return `(NOT coalesce(${this.node(n.expr)}, 0))`;
      case 'exists':
        return this.exists(n.field);
      case 'contains':
        return this.contains(n.field, n.value);
      case 'cmp':
        if (n.op === '!=') return `(NOT coalesce(${this.cmp(n.field, '==', n.value)}, 0))`;
        return this.cmp(n.field, n.op, n.value);
      case 'in':
        return `(${n.values.map((v) => this.cmp(n.field, '==', v)).join(' OR ')})`;
    }
  }

  private exists(field: FieldDef): string {
    if (field.detection) return `EXISTS (SELECT 1 FROM detections d WHERE d.run_id = ${this.run()} AND d.flow_id = f.id)`;
    const cols = this.columns(field);
    return `(${cols.map((c) => `${c} IS NOT NULL`).join(' OR ')})`;
  }

  private contains(field: FieldDef, value: string): string {
    if (field.type === 'class') return `f.label_id IN (SELECT id FROM label_classes WHERE instr(lower(name), lower(${this.p(value)})) > 0)`;
    if (field.type === 'source') return `f.source_id IN (SELECT id FROM sources WHERE instr(lower(name), lower(${this.p(value)})) > 0)`;
    const col = field.detection ? this.detection(field) : COLUMN[field.name]!;
    return `instr(lower(${col}), lower(${this.p(value)})) > 0`;
  }

  /** Columns a field reads: two for either-fields. */
  private columns(field: FieldDef): string[] {
    switch (field.name) {
      case 'ip.addr':
        return ['f.src_ip', 'f.dst_ip'];
      case 'port':
      case 'tcp.port':
      case 'udp.port':
        return ['f.src_port', 'f.dst_port'];
      default:
        return [COLUMN[field.name]!];
    }
  }

  private cmp(field: FieldDef, op: '==' | '<' | '<=' | '>' | '>=', v: TypedValue): string {
    if (field.detection) {
      const col = this.detection(field);
      if (v.kind === 'range') return `${col} BETWEEN ${this.p(v.lo)} AND ${this.p(v.hi)}`;
      if (v.kind !== 'num' && v.kind !== 'str') throw new FilterError(`${field.name} cannot compare with that value`, 1);
      const sqlOp = op === '==' ? '=' : op;
      return field.name === 'prediction' ? `${col} = ${this.p(v.value)} COLLATE NOCASE` : `${col} ${sqlOp} ${this.p(v.value)}`;
    }
    if (field.type === 'class') {
      if (v.kind === 'none') return 'f.label_id IS NULL';
      if (v.kind !== 'str') throw new FilterError('label compares with a class name', 1);
      const canonical = lookupClass(v.value)?.name ?? v.value;
      // At most one class matches (names are unique by key, see ensureClass): an equality lets
      // the planner walk flows_label(label_id, id), already in id order.
      return `f.label_id = (SELECT id FROM label_classes WHERE name = ${this.p(v.value)} COLLATE NOCASE OR name = ${this.p(canonical)} COLLATE NOCASE ORDER BY name = ${this.p(v.value)} DESC LIMIT 1)`;
    }
    if (field.type === 'source' && v.kind === 'str') {
      return `f.source_id IN (SELECT id FROM sources WHERE name = ${this.p(v.value)} OR path = ${this.p(v.value)})`;
    }
    const cols = this.columns(field);
    const one = (col: string): string => {
      if (v.kind === 'range') return `${col} BETWEEN ${this.p(v.lo)} AND ${this.p(v.hi)}`;
      if (v.kind === 'cidr') return this.cidr(col, v);
      if (v.kind === 'none') return `${col} IS NULL`;
      return `${col} ${op === '==' ? '=' : op} ${this.p(v.value)}`;
    };
    const test = cols.length === 1 ? one(cols[0]!) : `(${cols.map(one).join(' OR ')})`;
    if (field.name === 'tcp.port') return `(f.proto = 6 AND ${test})`;
    if (field.name === 'udp.port') return `(f.proto = 17 AND ${test})`;
    return test;
  }

  private cidr(col: string, v: Extract<TypedValue, { kind: 'cidr' }>): string {
    if (v.version === 4 && v.prefix % 8 === 0) {
      if (v.prefix === 0) return `(${col} LIKE '%.%' AND ${col} NOT LIKE '%:%')`;
      if (v.prefix === 32) return `${col} = ${this.p(v.network)}`;
      const octets = v.network.split('.').slice(0, v.prefix / 8);
      return `${col} LIKE ${this.p(octets.join('.') + '.%')}`;
    }
    return `nstd_ip_in(${col}, ${this.p(v.network)}, ${this.p(v.prefix)})`;
  }
}

/**
 * A filter's WHERE clause over `flows f` and its parameters. Throws WorkbenchError E_INVALID
 * whose details carry the column of the problem.
 */
export function compileFilter(text: string, opts: CompileOptions = {}): CompiledFilter {
  let node: FilterNode;
  try {
    node = parseFilter(text);
  } catch (err) {
    if (err instanceof FilterError) throw new WorkbenchError('E_INVALID', `Filter error: ${err.message}`, { column: err.column, length: err.length });
    throw err;
  }
  const c = new Compiler(opts);
  return { where: c.node(node), params: c.params };
}

// ---- SQL functions --------------------------------------------------------------------------

function ipv4ToInt(s: string): number | null {
  const p = s.split('.');
  if (p.length !== 4) return null;
  let v = 0;
  for (const o of p) {
    const x = Number(o);
    if (!Number.isInteger(x) || x < 0 || x > 255 || o === '') return null;
    v = v * 256 + x;
  }
  return v;
}

function ipv6Words(s: string): number[] | null {
  return expandIPv6Words(s);
}

export function ipInNetwork(ip: string | null, network: string, prefix: number): boolean {
  if (ip === null) return false;
  if (!ip.includes(':')) {
    const a = ipv4ToInt(ip);
    const b = ipv4ToInt(network);
    if (a === null || b === null || prefix > 32) return false;
    if (prefix === 0) return true;
    const shift = 32 - prefix;
    return Math.floor(a / 2 ** shift) === Math.floor(b / 2 ** shift);
  }
  if (!network.includes(':')) return false;
  const wa = ipv6Words(ip);
  const wb = ipv6Words(network);
  if (!wa || !wb) return false;
  let left = prefix;
  for (let i = 0; i < 8 && left > 0; i++) {
    const bits = Math.min(16, left);
    const mask = (0xffff << (16 - bits)) & 0xffff;
    if ((wa[i]! & mask) !== (wb[i]! & mask)) return false;
    left -= bits;
  }
  return true;
}

const registered = new WeakSet<Db>();

/** Adds the functions compiled filters may call to a connection (idempotent). */
export function registerFilterFunctions(db: Db): void {
  if (registered.has(db)) return;
  db.function('nstd_ip_in', { deterministic: true }, (ip: unknown, net: unknown, prefix: unknown) =>
    ipInNetwork(typeof ip === 'string' ? ip : null, String(net), Number(prefix)) ? 1 : 0,
  );
  registered.add(db);
}
