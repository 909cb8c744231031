import { rng } from './random';

/**
 * k-means++ with a fixed seed, for several prototypes per class (a benign class is many kinds of
 * traffic; one mean would sit between them and pull attacks close).
 */
export function kMeans(x: Float32Array, rows: number, dim: number, k: number, seed: number, iters = 25): Float32Array {
  k = Math.max(1, Math.min(k, rows));
  const rand = rng(seed);
  const cent = new Float32Array(k * dim);
  const d2 = new Float64Array(rows).fill(Infinity);
  const dist = (r: number, c: number): number => {
    let s = 0;
    for (let j = 0; j < dim; j++) {
      const t = x[r * dim + j]! - cent[c * dim + j]!;
      s += t * t;
    }
    return s;
  };
  let first = Math.floor(rand() * rows);
  cent.set(x.subarray(first * dim, first * dim + dim), 0);
  for (let c = 1; c < k; c++) {
    let total = 0;
    for (let r = 0; r < rows; r++) {
      d2[r] = Math.min(d2[r]!, dist(r, c - 1));
      total += d2[r]!;
    }
    let pick = rand() * total;
    first = rows - 1;
    for (let r = 0; r < rows; r++) {
      pick -= d2[r]!;
      if (pick <= 0) {
        first = r;
        break;
      }
    }
    cent.set(x.subarray(first * dim, first * dim + dim), c * dim);
  }
  const assign = new Int32Array(rows);
  for (let it = 0; it < iters; it++) {
    let changed = 0;
    for (let r = 0; r < rows; r++) {
      let best = 0;
      let bd = Infinity;
      for (let c = 0; c < k; c++) {
        const d = dist(r, c);
        if (d < bd) {
          bd = d;
          best = c;
        }
      }
      if (assign[r] !== best || it === 0) changed++;
      assign[r] = best;
    }
    const sum = new Float64Array(k * dim);
    const cnt = new Int32Array(k);
    for (let r = 0; r < rows; r++) {
      const c = assign[r]!;
      cnt[c]!++;
      for (let j = 0; j < dim; j++) sum[c * dim + j]! += x[r * dim + j]!;
    }
    for (let c = 0; c < k; c++) if (cnt[c]) for (let j = 0; j < dim; j++) cent[c * dim + j] = sum[c * dim + j]! / cnt[c]!;
    if (!changed) break;
  }
  // Drop empty clusters (duplicate seeds): keep only centroids that own a row.
  const used = new Set(assign);
  if (used.size === k) return cent;
  const out = new Float32Array(used.size * dim);
  let o = 0;
  for (let c = 0; c < k; c++) if (used.has(c)) out.set(cent.subarray(c * dim, c * dim + dim), dim * o++);
  return out;
}

export function meanRow(x: Float32Array, rows: number, dim: number): Float32Array {
  const m = new Float32Array(dim);
  for (let r = 0; r < rows; r++) for (let j = 0; j < dim; j++) m[j]! += x[r * dim + j]!;
  for (let j = 0; j < dim; j++) m[j]! /= rows || 1;
  return m;
}
