import { UMAP } from 'umap-js';
import { rng, sample } from './random';

export interface Projection2 {
  x: Float32Array;
  y: Float32Array;
  px: Float32Array;
  py: Float32Array;
}

/** UMAP works on a sample: at most this many flows (the Embedding view's job for UMAP). */
export const UMAP_MAX_FLOWS = 10_000;

/** Row indices of a seeded sample of at most `max` of `n` rows, in ascending order. */
export function umapSample(n: number, max: number, seed: number): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  return sample(Array.from({ length: n }, (_, i) => i), max, rng(seed)).sort((a, b) => a - b);
}

/**
 * 2-D UMAP of `n` embeddings and `m` prototypes fitted together (so prototypes land among
 * their flows). Seeded: same input and seed, same layout. `onEpoch` reports progress and is
 * where a caller throws to cancel.
 */
export function umap2(
  x: Float32Array,
  n: number,
  dim: number,
  extra: Float32Array,
  m: number,
  opts: { seed: number; onEpoch?: (done: number, total: number) => void },
): Projection2 {
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) rows.push(Array.from(x.subarray(i * dim, (i + 1) * dim)));
  for (let i = 0; i < m; i++) rows.push(Array.from(extra.subarray(i * dim, (i + 1) * dim)));
  const out = { x: new Float32Array(n), y: new Float32Array(n), px: new Float32Array(m), py: new Float32Array(m) };
  if (rows.length < 3) return out;
  const umap = new UMAP({ nComponents: 2, nNeighbors: Math.min(15, rows.length - 1), minDist: 0.1, random: rng(opts.seed) });
  const epochs = umap.initializeFit(rows);
  for (let e = 0; e < epochs; e++) {
    umap.step();
    if (e % 10 === 0) opts.onEpoch?.(e, epochs);
  }
  const emb = umap.getEmbedding();
  for (let i = 0; i < n; i++) {
    out.x[i] = emb[i]![0]!;
    out.y[i] = emb[i]![1]!;
  }
  for (let i = 0; i < m; i++) {
    out.px[i] = emb[n + i]![0]!;
    out.py[i] = emb[n + i]![1]!;
  }
  return out;
}
