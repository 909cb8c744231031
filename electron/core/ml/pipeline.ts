import type { Matrix } from './matrix';

/**
 * The feature pipeline fitted on training flows and stored with a model (JSON): signed log1p
 * for counts, sizes and rates, robust scaling (median / IQR), one-hot for categorical columns,
 * NaN and +-Inf replaced by fitted values, outputs clipped. Its output has three blocks the
 * encoder treats differently: statistical, spectral and packet sequence.
 */

export type ColumnRole = 'numeric' | 'categorical' | 'spectral' | 'ignore';

export interface NumericFit {
  kind: 'num';
  name: string;
  block: 'stat' | 'spec';
  log: boolean;
  center: number;
  scale: number;
  /** Finite range seen in training: +Inf maps to hi, -Inf to lo. */
  lo: number;
  hi: number;
}
export interface CategoricalFit {
  kind: 'cat';
  name: string;
  /** One output per value; values never seen in training light the extra "other" output. */
  values: number[];
}
export interface DroppedFit {
  kind: 'drop';
  name: string;
  why: string;
}
export type ColumnFit = NumericFit | CategoricalFit | DroppedFit;

export interface SequenceFit {
  len: number;
  channels: number;
  center: number[];
  scale: number[];
}

export interface PipelineJson {
  version: 1;
  schema: string;
  inputNames: string[];
  columns: ColumnFit[];
  seq: SequenceFit | null;
  dims: { stat: number; spec: number; seq: number; total: number };
}

const CLIP = 10;
const MAX_CATEGORIES = 24;
const FIT_SAMPLE = 20_000;

const CATEGORICAL = /^(proto|protocol|protocol_type|service|state|flag|conn_state|proto_name|app|icmp[ _]?type|icmp[ _]?code|history_code)$/i;
const SPECTRAL = /^(fft|spec|spectral)[_ .]/i;

/** The role of a feature column, from its name, unless the schema says otherwise. */
export function columnRole(name: string): ColumnRole {
  if (CATEGORICAL.test(name)) return 'categorical';
  if (SPECTRAL.test(name)) return 'spectral';
  return 'numeric';
}

export interface FitOptions {
  schema: string;
  names: string[];
  roles?: ColumnRole[];
  /** Packet sequences (rows x len*channels), for the pcap schema. */
  sequence?: { m: Matrix; len: number; channels: number } | null;
}

const slog = (v: number): number => (v >= 0 ? Math.log1p(v) : -Math.log1p(-v));

function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return 0;
  const p = (sorted.length - 1) * q;
  const i = Math.floor(p);
  const f = p - i;
  return sorted[i]! * (1 - f) + (sorted[Math.min(i + 1, sorted.length - 1)] ?? sorted[i]!) * f;
}

function robust(values: Float64Array): { center: number; scale: number } {
  const s = values.slice().sort();
  const center = quantile(s, 0.5);
  let scale = (quantile(s, 0.75) - quantile(s, 0.25)) / 1.349;
  if (!(scale > 1e-6)) {
    let m = 0;
    for (const v of s) m += v;
    m /= s.length || 1;
    let v2 = 0;
    for (const v of s) v2 += (v - m) * (v - m);
    scale = Math.sqrt(v2 / (s.length || 1));
  }
  return { center, scale };
}

function sampleRows(rows: number): number[] {
  if (rows <= FIT_SAMPLE) return Array.from({ length: rows }, (_, i) => i);
  const step = rows / FIT_SAMPLE;
  return Array.from({ length: FIT_SAMPLE }, (_, i) => Math.floor(i * step));
}

export function fitPipeline(x: Matrix, opts: FitOptions): PipelineJson {
  if (opts.names.length !== x.cols) throw new Error(`fitPipeline: ${opts.names.length} names for ${x.cols} columns`);
  const rowsIdx = sampleRows(x.rows);
  const columns: ColumnFit[] = [];
  let stat = 0;
  let spec = 0;
  for (let c = 0; c < x.cols; c++) {
    const name = opts.names[c]!;
    const role = opts.roles?.[c] ?? columnRole(name);
    if (role === 'ignore') {
      columns.push({ kind: 'drop', name, why: 'ignored by the schema' });
      continue;
    }
    const finite: number[] = [];
    for (const r of rowsIdx) {
      const v = x.data[r * x.cols + c]!;
      if (Number.isFinite(v)) finite.push(v);
    }
    if (finite.length === 0) {
      columns.push({ kind: 'drop', name, why: 'no finite value in training' });
      continue;
    }
    if (role === 'categorical') {
      const counts = new Map<number, number>();
      for (const v of finite) counts.set(v, (counts.get(v) ?? 0) + 1);
      const values = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, MAX_CATEGORIES).map((e) => e[0]).sort((a, b) => a - b);
      columns.push({ kind: 'cat', name, values });
      stat += values.length + 1;
      continue;
    }
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of finite) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const log = hi - lo > 10 || Math.abs(hi) > 10 || Math.abs(lo) > 10;
    const t = Float64Array.from(finite, (v) => (log ? slog(v) : v));
    const { center, scale } = robust(t);
    if (!(scale > 1e-9)) {
      columns.push({ kind: 'drop', name, why: 'constant in training' });
      continue;
    }
    const block = role === 'spectral' ? 'spec' : 'stat';
    columns.push({ kind: 'num', name, block, log, center, scale, lo, hi });
    if (block === 'spec') spec++;
    else stat++;
  }
  let seq: SequenceFit | null = null;
  if (opts.sequence) {
    const { m, len, channels } = opts.sequence;
    const center: number[] = [];
    const scale: number[] = [];
    for (let ch = 0; ch < channels; ch++) {
      const vals: number[] = [];
      for (const r of rowsIdx.slice(0, 5000)) {
        for (let t = 0; t < len; t++) {
          const v = m.data[r * m.cols + t * channels + ch]!;
          if (Number.isFinite(v) && v !== 0) vals.push(slog(v));
        }
      }
      const rb = vals.length ? robust(Float64Array.from(vals)) : { center: 0, scale: 1 };
      center.push(0);
      scale.push(rb.scale > 1e-6 ? Math.max(rb.scale, Math.abs(rb.center)) : 1);
    }
    seq = { len, channels, center, scale };
  }
  const seqDim = seq ? seq.len * seq.channels : 0;
  return { version: 1, schema: opts.schema, inputNames: [...opts.names], columns, seq, dims: { stat, spec, seq: seqDim, total: stat + spec + seqDim } };
}

const clip = (v: number): number => (v > CLIP ? CLIP : v < -CLIP ? -CLIP : v);

/**
 * Scales raw rows into the model's input: [stat block | spectral block | sequence block].
 * `sequence` rows must match the fitted length x channels (missing rows: zeros).
 */
export function transform(p: PipelineJson, x: Matrix, sequence?: Matrix | null): Matrix {
  if (x.cols !== p.inputNames.length) {
    throw new Error(`The model expects ${p.inputNames.length} features of schema ${p.schema}, these flows have ${x.cols}.`);
  }
  const D = p.dims.total;
  const out = new Float32Array(x.rows * D);
  const specBase = p.dims.stat;
  const seqBase = p.dims.stat + p.dims.spec;
  // Compile the column plan once into typed arrays: a flat loop per row.
  const numCol: number[] = [];
  const numOut: number[] = [];
  const numLog: number[] = [];
  const numCenter: number[] = [];
  const numScale: number[] = [];
  const numLo: number[] = [];
  const numHi: number[] = [];
  const cats: { c: number; o: number; index: Map<number, number>; other: number }[] = [];
  let so = 0;
  let po = specBase;
  for (let c = 0; c < p.columns.length; c++) {
    const f = p.columns[c]!;
    if (f.kind === 'drop') continue;
    if (f.kind === 'cat') {
      cats.push({ c, o: so, index: new Map(f.values.map((v, k) => [v, k])), other: f.values.length });
      so += f.values.length + 1;
      continue;
    }
    numCol.push(c);
    numOut.push(f.block === 'spec' ? po++ : so++);
    numLog.push(f.log ? 1 : 0);
    numCenter.push(f.center);
    numScale.push(1 / f.scale);
    numLo.push(f.lo);
    numHi.push(f.hi);
  }
  const nc = Int32Array.from(numCol);
  const no = Int32Array.from(numOut);
  const nl = Uint8Array.from(numLog);
  const ncen = Float64Array.from(numCenter);
  const ninv = Float64Array.from(numScale);
  const nlo = Float64Array.from(numLo);
  const nhi = Float64Array.from(numHi);
  const K = nc.length;
  const xc = x.cols;
  const xd = x.data;
  for (let r = 0; r < x.rows; r++) {
    const base = r * D;
    const xb = r * xc;
    for (let k = 0; k < K; k++) {
      let v = xd[xb + nc[k]!]!;
      if (v !== v) continue; // NaN -> the median, i.e. 0 after scaling
      if (v === Infinity) v = nhi[k]!;
      else if (v === -Infinity) v = nlo[k]!;
      if (nl[k]) v = v >= 0 ? Math.log1p(v) : -Math.log1p(-v);
      v = (v - ncen[k]!) * ninv[k]!;
      out[base + no[k]!] = v > CLIP ? CLIP : v < -CLIP ? -CLIP : v;
    }
    for (const cat of cats) {
      const k = cat.index.get(xd[xb + cat.c]!);
      out[base + cat.o + (k === undefined ? cat.other : k)] = 1;
    }
  }
  if (p.seq) {
    const { len, channels, scale } = p.seq;
    const n = len * channels;
    if (sequence && sequence.rows === x.rows) {
      const sc = sequence.cols;
      for (let r = 0; r < x.rows; r++) {
        const base = r * D + seqBase;
        for (let i = 0; i < n && i < sc; i++) {
          const v = sequence.data[r * sc + i]!;
          out[base + i] = Number.isFinite(v) ? clip(slog(v) / scale[i % channels]!) : 0;
        }
      }
    }
  }
  return { data: out, rows: x.rows, cols: D };
}
