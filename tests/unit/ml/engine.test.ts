import { beforeAll, describe, expect, it } from 'vitest';
import { pickBackend } from '../../../electron/core/ml/backend';
import { trainModel, type LabelledData } from '../../../electron/core/ml/model';
import { runEvaluation } from '../../../electron/core/ml/evaluate';
import { takeRows } from '../../../electron/core/ml/matrix';
import { classCentres, synthFlows } from '../../fixtures/ml/synthetic-flows';
import { Encoder, defaultEncoderConfig } from '../../../electron/core/ml/encoder';
import { metaTrain, defaultMetaOptions } from '../../../electron/core/ml/meta-train';

/** Real tfjs training on small generated data: the engine learns, adapts and flags the unknown. */

const subset = (d: LabelledData, keep: (c: number) => boolean): LabelledData => {
  const rows: number[] = [];
  d.y.forEach((c, i) => keep(c) && rows.push(i));
  return { ...d, x: takeRows(d.x, rows), y: Int32Array.from(rows, (i) => d.y[i]!) };
};

beforeAll(async () => {
  await pickBackend();
});

describe('meta-learning engine on generated flows', () => {
  const centres = classCentres(9, 6, 11);
  const all = synthFlows({ classes: 9, perClass: 160, seed: 11, corrupt: 0.002 }, centres);

  it('the meta-learner beats the kNN baseline on a held-out class', async () => {
    const opts = { novel: ['attack8', 'attack7'], benign: 'benign', distractors: [], perClass: 120, benignRatio: 2, pool: 150, shots: [5], repeats: 1, seed: 3 };
    const proto = await runEvaluation(all, { ...opts, algorithm: 'protonet', hyper: { episodes: 600 } });
    const knn = await runEvaluation(all, { ...opts, algorithm: 'knn' });
    const f1 = (r: typeof proto): number => r.results.reduce((s, x) => s + x.f1.mean, 0) / r.results.length;
    console.log(`5-shot F1 protonet ${f1(proto).toFixed(3)} vs knn ${f1(knn).toFixed(3)}`);
    expect(f1(proto)).toBeGreaterThan(f1(knn));
    expect(f1(proto)).toBeGreaterThan(0.6);
  });

  it('adapts to a class unseen in training and flags flows of an unknown class', async () => {
    const base = subset(all, (c) => c <= 5);
    base.classes = all.classes.slice(0, 6);
    const { model, metrics } = await trainModel(base, { episodes: 500, seed: 5 });
    expect(metrics.accuracy).toBeGreaterThan(0.7);

    const novel = subset(all, (c) => c === 6);
    const support = model.scale(takeRows(novel.x, [0, 1, 2, 3, 4]));
    const adapted = await model.adapt('attack6', 'attack', support);
    expect(adapted.classes.map((c) => c.name)).toContain('attack6');
    const test = adapted.detect(takeRows(novel.x, Array.from({ length: novel.x.rows - 5 }, (_, i) => i + 5)));
    const ni = adapted.classes.findIndex((c) => c.name === 'attack6');
    const recall = Array.from(test.nearest).filter((p) => p === ni).length / test.nearest.length;
    expect(recall).toBeGreaterThan(0.6);
    // Known flows are rarely taken by the new class.
    const known = adapted.detect(base.x);
    const stolen = Array.from(known.nearest).filter((p) => p === ni).length / known.nearest.length;
    expect(stolen).toBeLessThan(0.05);

    // A class never shown (far from the others) is flagged unknown by the calibrated threshold.
    const far = synthFlows({ classes: 1, perClass: 100, seed: 99 }, [Float64Array.from({ length: 6 }, () => 9)]);
    const out = model.detect(far.x);
    const unknownRate = Array.from(out.pred).filter((p) => p === -1).length / out.pred.length;
    const knownUnknown = Array.from(model.detect(base.x).pred).filter((p) => p === -1).length / base.x.rows;
    expect(unknownRate).toBeGreaterThan(0.8);
    expect(knownUnknown).toBeLessThan(0.05);
    model.dispose();
  });

  it('is deterministic given a seed', async () => {
    const d = subset(all, (c) => c <= 3);
    d.classes = all.classes.slice(0, 4);
    const a = await trainModel(d, { episodes: 60, seed: 7 });
    const b = await trainModel(d, { episodes: 60, seed: 7 });
    expect(Buffer.from(a.model.encoder!.toArtifacts().weightData).equals(Buffer.from(b.model.encoder!.toArtifacts().weightData))).toBe(true);
    expect(a.metrics).toEqual(b.metrics);
  });

  it('trains every algorithm behind the one interface', async () => {
    const d = subset(all, (c) => c <= 3);
    d.classes = all.classes.slice(0, 4);
    for (const algorithm of ['fomaml', 'reptile', 'supervised', 'knn', 'prototype'] as const) {
      const { model, metrics } = await trainModel(d, { algorithm, episodes: 40, supervisedSteps: 150, seed: 2 });
      expect(metrics.accuracy, algorithm).toBeGreaterThan(0.5);
      const adapted = await model.adapt('attack5', 'attack', model.scale(takeRows(all.x, [5, 14, 23])), { fineTune: algorithm === 'reptile' });
      expect(adapted.classes).toHaveLength(5);
      model.dispose();
    }
  });

  it('trains the pcap encoder (statistical + spectral + packet-sequence branches) on this backend', async () => {
    const cfg = defaultEncoderConfig({ stat: 20, spec: 8 }, { len: 32, channels: 3 });
    const enc = new Encoder(cfg, 1);
    const D = enc.inputDim;
    const rows = 200;
    const x = new Float32Array(rows * D);
    const y = Int32Array.from({ length: rows }, (_, i) => i % 4);
    // The class is only visible in the packet sequence.
    for (let i = 0; i < rows; i++) for (let t = 0; t < 32; t++) x[i * D + 28 + t * 3] = Math.sin(t * (y[i]! + 1)) + (i % 7) * 0.05;
    const curve = await metaTrain(enc, { data: x, rows, cols: D }, y, { ...defaultMetaOptions, ways: 4, shots: 3, queries: 5, episodes: 160, lr: 3e-3 });
    expect(curve[curve.length - 1]!.accuracy).toBeGreaterThan(0.6);
    expect(enc.embed(x, rows)).toHaveLength(rows * cfg.embedDim);
    enc.dispose();
  });
});
