import { describe, expect, it } from 'vitest';
import { umap2, umapSample } from '../../../electron/core/ml/umap';
import { rng } from '../../../electron/core/ml/random';

/** Two well-separated Gaussian clusters in 16-d, 120 points each, and one prototype per cluster. */
function clusters(seed: number): { x: Float32Array; protos: Float32Array; n: number; dim: number } {
  const r = rng(seed);
  const dim = 16;
  const n = 240;
  const x = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) x[i * dim + j] = (i < n / 2 ? 0 : 8) + (r() - 0.5);
  const protos = new Float32Array(2 * dim);
  protos.fill(0, 0, dim);
  protos.fill(8, dim);
  return { x, protos, n, dim };
}

const mean = (a: Float32Array, from: number, to: number): number => a.subarray(from, to).reduce((s, v) => s + v, 0) / (to - from);

describe('UMAP projection', () => {
  it('keeps separate clusters apart, puts each prototype with its cluster, and is seeded', () => {
    const { x, protos, n, dim } = clusters(3);
    const epochs: number[] = [];
    const p = umap2(x, n, dim, protos, 2, { seed: 7, onEpoch: (e) => epochs.push(e) });
    expect(epochs.length).toBeGreaterThan(5);
    const ax = [mean(p.x, 0, n / 2), mean(p.y, 0, n / 2)];
    const bx = [mean(p.x, n / 2, n), mean(p.y, n / 2, n)];
    const gap = Math.hypot(ax[0]! - bx[0]!, ax[1]! - bx[1]!);
    const spread = Math.max(...Array.from({ length: n / 2 }, (_, i) => Math.hypot(p.x[i]! - ax[0]!, p.y[i]! - ax[1]!)));
    expect(gap).toBeGreaterThan(spread);
    const dA = Math.hypot(p.px[0]! - ax[0]!, p.py[0]! - ax[1]!);
    const dB = Math.hypot(p.px[0]! - bx[0]!, p.py[0]! - bx[1]!);
    expect(dA).toBeLessThan(dB);
    const again = umap2(x, n, dim, protos, 2, { seed: 7 });
    expect(Array.from(again.x)).toEqual(Array.from(p.x));
  });

  it('samples at most the cap, seeded and sorted', () => {
    expect(umapSample(5, 10, 1)).toEqual([0, 1, 2, 3, 4]);
    const s = umapSample(50_000, 10_000, 4);
    expect(s.length).toBe(10_000);
    expect(new Set(s).size).toBe(10_000);
    expect(s).toEqual([...s].sort((a, b) => a - b));
    expect(umapSample(50_000, 10_000, 4)).toEqual(s);
  });
});
