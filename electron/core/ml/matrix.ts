/** Row-major Float32 matrices: the engine's one in-memory format for feature rows. */
export interface Matrix {
  data: Float32Array;
  rows: number;
  cols: number;
}

export function matrix(rows: number, cols: number, data?: Float32Array): Matrix {
  const d = data ?? new Float32Array(rows * cols);
  if (d.length !== rows * cols) throw new Error(`matrix: ${d.length} values for ${rows}x${cols}`);
  return { data: d, rows, cols };
}

/** Copies the given rows (in that order) into a new matrix. */
export function takeRows(m: Matrix, idx: ArrayLike<number>): Matrix {
  const out = new Float32Array(idx.length * m.cols);
  for (let i = 0; i < idx.length; i++) {
    const r = idx[i]!;
    out.set(m.data.subarray(r * m.cols, (r + 1) * m.cols), i * m.cols);
  }
  return { data: out, rows: idx.length, cols: m.cols };
}

export function concatRows(...ms: Matrix[]): Matrix {
  const cols = ms[0]?.cols ?? 0;
  const rows = ms.reduce((s, m) => s + m.rows, 0);
  const out = new Float32Array(rows * cols);
  let o = 0;
  for (const m of ms) {
    if (m.cols !== cols) throw new Error(`concatRows: ${m.cols} columns, expected ${cols}`);
    out.set(m.data.subarray(0, m.rows * m.cols), o);
    o += m.rows * m.cols;
  }
  return { data: out, rows, cols };
}

export function row(m: Matrix, r: number): Float32Array {
  return m.data.subarray(r * m.cols, (r + 1) * m.cols);
}

/**
 * Indices of the first occurrence of each distinct row among `rows` (default: all), bit-exact
 * (so -0/0 and NaN payloads count as written); with `extra`, a row is its bytes in `m` and in
 * `extra` together (features and packet sequence). Duplicate rows are removed before any split
 * so the same flow never sits on both sides.
 */
export function distinctRows(m: Matrix, rows?: Iterable<number>, extra?: Matrix): number[] {
  const seen = new Set<string>();
  const keep: number[] = [];
  const bytes = new Uint8Array(m.data.buffer, m.data.byteOffset, m.data.byteLength);
  const w = m.cols * 4;
  const xBytes = extra ? new Uint8Array(extra.data.buffer, extra.data.byteOffset, extra.data.byteLength) : null;
  const xw = extra ? extra.cols * 4 : 0;
  const dec = new TextDecoder('latin1');
  for (const r of rows ?? Array.from({ length: m.rows }, (_, k) => k)) {
    let key = dec.decode(bytes.subarray(r * w, (r + 1) * w));
    if (xBytes) key += dec.decode(xBytes.subarray(r * xw, (r + 1) * xw));
    if (!seen.has(key)) {
      seen.add(key);
      keep.push(r);
    }
  }
  return keep;
}
