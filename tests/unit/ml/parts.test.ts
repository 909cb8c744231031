import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fitPipeline, transform } from '../../../electron/core/ml/pipeline';
import { EpisodeSampler } from '../../../electron/core/ml/episodes';
import { auroc, binaryMetrics, rocPoints, tInterval, tCritical975 } from '../../../electron/core/ml/metrics';
import { distinctRows } from '../../../electron/core/ml/matrix';
import { kMeans } from '../../../electron/core/ml/cluster';
import { pca2 } from '../../../electron/core/ml/pca';

describe('feature pipeline', () => {
  it('log-scales counts, one-hots categories, replaces NaN/Inf and drops constant columns', () => {
    const rows = 200;
    const x = new Float32Array(rows * 4);
    for (let i = 0; i < rows; i++) {
      x[i * 4] = i * 1000; // a count
      x[i * 4 + 1] = i % 3; // protocol code
      x[i * 4 + 2] = 7; // constant
      x[i * 4 + 3] = (i % 10) / 10; // a ratio
    }
    const p = fitPipeline({ data: x, rows, cols: 4 }, { schema: 't', names: ['bytes', 'proto', 'k', 'ratio'] });
    expect(p.columns.map((c) => c.kind)).toEqual(['num', 'cat', 'drop', 'num']);
    expect(p.columns[0]).toMatchObject({ log: true });
    expect(p.columns[3]).toMatchObject({ log: false });
    expect(p.dims.total).toBe(1 + 4 + 1);
    const bad = new Float32Array([NaN, 2, 7, 0.5, Infinity, 9, 7, -Infinity, -Infinity, NaN, 7, NaN]);
    const out = transform(p, { data: bad, rows: 3, cols: 4 });
    expect(Array.from(out.data).every(Number.isFinite)).toBe(true);
    // proto 2 -> its own one-hot; proto 9 (never seen) -> "other"; NaN category -> "other".
    expect(Array.from(out.data.subarray(1, 5))).toEqual([0, 0, 1, 0]);
    expect(Array.from(out.data.subarray(7, 11))).toEqual([0, 0, 0, 1]);
  });

  it('never emits a non-finite or out-of-range value, whatever the input', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.float(), fc.constant(NaN), fc.constant(Infinity), fc.constant(-Infinity), fc.double({ min: -1e30, max: 1e30 })), { minLength: 12, maxLength: 120 }),
        (vals) => {
          const cols = 3;
          const rows = Math.floor(vals.length / cols);
          const x = Float32Array.from(vals.slice(0, rows * cols));
          const p = fitPipeline({ data: x, rows, cols }, { schema: 't', names: ['a', 'service', 'c'] });
          const out = transform(p, { data: x, rows, cols });
          return Array.from(out.data).every((v) => Number.isFinite(v) && Math.abs(v) <= 10);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('episode sampler', () => {
  const labels = Int32Array.from({ length: 300 }, (_, i) => i % 6);
  it('draws N-way K-shot Q-query tasks, way-major, disjoint support and query, seeded', () => {
    const a = new EpisodeSampler(labels, 5, 3, 4, 42);
    const b = new EpisodeSampler(labels, 5, 3, 4, 42);
    for (let t = 0; t < 20; t++) {
      const e = a.next();
      expect(e).toEqual(b.next());
      expect(new Set(e.ways).size).toBe(5);
      expect(e.support).toHaveLength(15);
      expect(e.query).toHaveLength(20);
      for (let w = 0; w < 5; w++) {
        for (let k = 0; k < 3; k++) expect(labels[e.support[w * 3 + k]!]).toBe(e.ways[w]);
        for (let q = 0; q < 4; q++) expect(e.queryLabels[w * 4 + q]).toBe(w);
      }
      const s = new Set(e.support);
      expect(Array.from(e.query).some((r) => s.has(r))).toBe(false);
    }
  });
  it('uses every class it has when fewer than N exist, and refuses a single class', () => {
    const two = Int32Array.from({ length: 20 }, (_, i) => i % 2);
    expect(new EpisodeSampler(two, 5, 1, 1, 1).next().ways).toHaveLength(2);
    expect(() => new EpisodeSampler(new Int32Array(10), 5, 1, 1, 1)).toThrow(/at least 2 classes/);
  });
});

describe('metrics', () => {
  it('computes precision, recall, F1, FPR and AUROC with ties', () => {
    const m = binaryMetrics([1, 1, 0, 0, 1, 0], [1, 0, 0, 1, 1, 0]);
    expect(m).toMatchObject({ tp: 2, fp: 1, fn: 1, tn: 2 });
    expect(m.f1).toBeCloseTo(2 / 3);
    expect(m.fpr).toBeCloseTo(1 / 3);
    expect(auroc([0.9, 0.8, 0.3, 0.1], [1, 1, 0, 0])).toBe(1);
    expect(auroc([0.5, 0.5, 0.5, 0.5], [1, 0, 1, 0])).toBe(0.5);
    expect(auroc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBe(0.75);
    const roc = rocPoints([0.9, 0.8, 0.3, 0.1], [1, 1, 0, 0]);
    expect(roc[0]).toMatchObject({ fpr: 0, tpr: 0 });
    expect(roc[roc.length - 1]).toMatchObject({ fpr: 1, tpr: 1 });
  });
  it('gives 95% t-intervals', () => {
    expect(tCritical975(4)).toBeCloseTo(2.776, 3);
    expect(tCritical975(100)).toBeCloseTo(1.984, 2);
    const i = tInterval([0.9, 0.92, 0.94, 0.96, 0.98]);
    expect(i.mean).toBeCloseTo(0.94);
    // sd = 0.0316, se = 0.01414, t(4) = 2.776
    expect(i.hi - i.mean).toBeCloseTo(2.776 * 0.0141421, 4);
    expect(tInterval([0.5])).toMatchObject({ mean: 0.5, lo: 0.5, hi: 0.5 });
  });
});

describe('helpers', () => {
  it('finds distinct rows bit for bit', () => {
    const m = { data: Float32Array.from([1, 2, 1, 2, 3, 4, 1, 2]), rows: 4, cols: 2 };
    expect(distinctRows(m)).toEqual([0, 2]);
  });
  it('k-means finds separated clusters and PCA keeps the main axis', () => {
    const x = new Float32Array(200 * 2);
    for (let i = 0; i < 200; i++) {
      x[i * 2] = (i < 100 ? -5 : 5) + (i % 7) * 0.01;
      x[i * 2 + 1] = (i % 5) * 0.01;
    }
    const c = kMeans(x, 200, 2, 2, 1);
    const xs = [c[0]!, c[2]!].sort((a, b) => a - b);
    expect(xs[0]).toBeCloseTo(-4.97, 1);
    expect(xs[1]).toBeCloseTo(5.03, 1);
    const p = pca2(x, 200, 2, c, 2);
    expect(p.explained[0]).toBeGreaterThan(0.99);
    expect(Math.abs(p.x[0]! - p.x[199]!)).toBeGreaterThan(9);
  });
});
