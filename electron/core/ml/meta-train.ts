import { tf } from './backend';
import type { Encoder } from './encoder';
import { EpisodeSampler, type Episode } from './episodes';
import type { Matrix } from './matrix';
import { episodeTargets, protoLoss } from './protonet';

export type MetaAlgorithm = 'protonet' | 'fomaml' | 'reptile';

export interface MetaTrainOptions {
  algorithm: MetaAlgorithm;
  ways: number;
  shots: number;
  queries: number;
  episodes: number;
  /** Episodes stacked into one optimiser step (protonet) or one outer step (fomaml/reptile). */
  metaBatch: number;
  lr: number;
  innerSteps: number;
  innerLr: number;
  /** Reptile's outer step size (interpolation towards the adapted weights). */
  reptileEpsilon: number;
  seed: number;
}

export const defaultMetaOptions: MetaTrainOptions = {
  algorithm: 'protonet',
  ways: 5,
  shots: 5,
  queries: 15,
  episodes: 2000,
  metaBatch: 4,
  lr: 1e-3,
  innerSteps: 3,
  innerLr: 0.01,
  reptileEpsilon: 0.5,
  seed: 1,
};

export interface TrainProgress {
  episodes: number;
  total: number;
  loss: number;
  accuracy: number;
}

export interface TrainCurvePoint {
  episode: number;
  loss: number;
  accuracy: number;
}

function gather(x: Matrix, eps: Episode[], which: 'support' | 'query'): Float32Array {
  const D = x.cols;
  const n = eps.reduce((s, e) => s + e[which].length, 0);
  const out = new Float32Array(n * D);
  let o = 0;
  for (const e of eps) {
    for (const r of e[which]) {
      out.set(x.data.subarray(r * D, r * D + D), o);
      o += D;
    }
  }
  return out;
}

/**
 * Episodic meta-training of the encoder over the base classes of (x, y). Calls `onStep` after
 * every optimiser step (cheap) and returns the loss/accuracy curve (one point per ~1% of work).
 */
export async function metaTrain(
  enc: Encoder,
  x: Matrix,
  y: Int32Array,
  opts: MetaTrainOptions,
  onStep?: (p: TrainProgress) => void,
  signal?: AbortSignal,
): Promise<TrainCurvePoint[]> {
  const sampler = new EpisodeSampler(y, opts.ways, opts.shots, opts.queries, opts.seed);
  const N = sampler.effectiveWays;
  const K = opts.shots;
  const Q = opts.queries;
  const B = Math.max(1, opts.metaBatch);
  const vars = enc.trainable();
  const optimizer = tf.train.adam(opts.lr);
  const inner = tf.train.sgd(opts.innerLr);
  const targets = episodeTargets(B, N, Q);
  const targetsSup = episodeTargets(B, N, K);
  const curve: TrainCurvePoint[] = [];
  const every = Math.max(1, Math.round(opts.episodes / B / 100));
  let done = 0;
  let step = 0;
  let emaLoss = NaN;
  let emaAcc = NaN;
  let correctHolder: tf.Scalar | null = null;
  try {
    while (done < opts.episodes) {
      if (signal?.aborted) break;
      const eps: Episode[] = [];
      for (let b = 0; b < B; b++) eps.push(sampler.next());
      const sup = gather(x, eps, 'support');
      const qry = gather(x, eps, 'query');
      const episodeLoss = (useQuery: boolean) => () => {
        const s = enc.applyHost(sup, B * N * K);
        const s3 = tf.reshape(s, [B, N * K, -1]) as tf.Tensor3D;
        if (!useQuery) return protoLoss(s3, s3, N, K, targetsSup);
        const q = enc.applyHost(qry, B * N * Q);
        return protoLoss(s3, tf.reshape(q, [B, N * Q, -1]) as tf.Tensor3D, N, K, targets);
      };
      let lossV: number;
      let correctV: number;
      if (opts.algorithm === 'protonet') {
        const { value, grads } = tf.variableGrads(() => {
          const r = episodeLoss(true)();
          correctHolder = tf.keep(r.correct);
          return r.loss;
        }, vars);
        optimizer.applyGradients(grads as unknown as Record<string, tf.Variable>);
        lossV = value.dataSync()[0]!;
        correctV = correctHolder!.dataSync()[0]!;
        value.dispose();
        tf.dispose(grads);
        correctHolder!.dispose();
      } else {
        const orig = vars.map((v) => tf.clone(v));
        for (let i = 0; i < opts.innerSteps; i++) {
          // Inner loop: adapt to this batch of tasks (support only for FOMAML; the whole task for Reptile).
          tf.tidy(() => {
            const { grads } = tf.variableGrads(() => episodeLoss(opts.algorithm === 'reptile')().loss, vars);
            inner.applyGradients(grads as unknown as Record<string, tf.Variable>);
          });
        }
        if (opts.algorithm === 'fomaml') {
          const { value, grads } = tf.variableGrads(() => {
            const r = episodeLoss(true)();
            correctHolder = tf.keep(r.correct);
            return r.loss;
          }, vars);
          vars.forEach((v, i) => v.assign(orig[i]!));
          optimizer.applyGradients(grads as unknown as Record<string, tf.Variable>);
          lossV = value.dataSync()[0]!;
          value.dispose();
          tf.dispose(grads);
        } else {
          const r = tf.tidy(() => {
            const o = episodeLoss(true)();
            return [o.loss, o.correct] as const;
          });
          lossV = r[0].dataSync()[0]!;
          correctHolder = r[1];
          r[0].dispose();
          tf.tidy(() => vars.forEach((v, i) => v.assign(tf.add(orig[i]!, tf.mul(tf.sub(v, orig[i]!), opts.reptileEpsilon)))));
        }
        correctV = correctHolder!.dataSync()[0]!;
        correctHolder!.dispose();
        tf.dispose(orig);
      }
      const acc = correctV / (B * N * Q);
      emaLoss = Number.isNaN(emaLoss) ? lossV : 0.95 * emaLoss + 0.05 * lossV;
      emaAcc = Number.isNaN(emaAcc) ? acc : 0.95 * emaAcc + 0.05 * acc;
      done += B;
      step++;
      if (step % every === 0 || done >= opts.episodes) curve.push({ episode: done, loss: emaLoss, accuracy: emaAcc });
      onStep?.({ episodes: done, total: opts.episodes, loss: emaLoss, accuracy: emaAcc });
      if (step % 50 === 0) await new Promise((r) => setImmediate(r));
    }
  } finally {
    targets.dispose();
    targetsSup.dispose();
    optimizer.dispose();
    inner.dispose();
  }
  return curve;
}

