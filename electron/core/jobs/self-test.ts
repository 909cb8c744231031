import type { JobHandler } from './types';
import { pickBackend, tf } from '../ml/backend';
import { WorkbenchError } from '../errors';
import { mulberry32 } from '../../../shared/random';


/**
 * Trains a small real TensorFlow.js model on generated two-class data, reporting progress per
 * epoch: proves the worker path (spawn, progress, cancel, result) end to end.
 */
export const selfTestJob: JobHandler<'self-test'> = async (spec, ctx) => {
  const backend = await pickBackend();
  ctx.log(`TensorFlow.js backend: ${backend.name}${backend.simd ? ' (SIMD)' : ''}`);
  const rand = mulberry32(spec.seed);
  const d = 8;
  const xs = new Float32Array(spec.rows * d);
  const ys = new Float32Array(spec.rows);
  for (let i = 0; i < spec.rows; i++) {
    const cls = i % 2;
    ys[i] = cls;
    for (let j = 0; j < d; j++) xs[i * d + j] = (rand() - 0.5) * 2 + (cls ? 0.8 : -0.8) * (j < 4 ? 1 : 0);
  }
  tf.setBackend(backend.name);
  const x = tf.tensor2d(xs, [spec.rows, d]);
  const y = tf.tensor2d(ys, [spec.rows, 1]);
  const model = tf.sequential({
    layers: [tf.layers.dense({ inputShape: [d], units: 16, activation: 'relu' }), tf.layers.dense({ units: 1, activation: 'sigmoid' })],
  });
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  let loss = NaN;
  let accuracy = NaN;
  try {
    for (let epoch = 1; epoch <= spec.epochs; epoch++) {
      if (ctx.signal.aborted) throw new WorkbenchError('E_CANCELLED', 'Cancelled.');
      const h = await model.fit(x, y, { epochs: 1, batchSize: 64, shuffle: false, verbose: 0 });
      loss = h.history.loss![0] as number;
      accuracy = (h.history.acc ?? h.history.accuracy)![0] as number;
      ctx.progress(epoch, spec.epochs, 'epochs', `loss ${loss.toFixed(4)} accuracy ${accuracy.toFixed(3)}`);
      if (spec.delayMs > 0) await new Promise((r) => setTimeout(r, spec.delayMs));
    }
  } finally {
    x.dispose();
    y.dispose();
    model.dispose();
  }
  return { backend: backend.name, simd: backend.simd, epochs: spec.epochs, loss, accuracy };
};
