import { tf } from './backend';
import { Encoder, defaultEncoderConfig, type EncoderConfig } from './encoder';
import { SupervisedNet } from './supervised';
import { kMeans } from './cluster';
import { metaTrain, defaultMetaOptions, type MetaAlgorithm, type TrainCurvePoint, type TrainProgress } from './meta-train';
import { fitPipeline, transform, type PipelineJson, type ColumnRole } from './pipeline';
import { distinctRows, matrix, takeRows, type Matrix } from './matrix';
import { sqDistTo } from './protonet';
import { rng, sample, shuffle } from './random';
import { auroc, binaryMetrics, confusion, quantileOf, rocPoints } from './metrics';

export const ALGORITHMS = ['protonet', 'fomaml', 'reptile', 'supervised', 'knn', 'prototype'] as const;
export type Algorithm = (typeof ALGORITHMS)[number];
export type ClassKind = 'benign' | 'attack' | 'unknown';

export interface ClassInfo {
  name: string;
  kind: ClassKind;
}

/** Several prototypes per class, stored sorted by class so per-class minima are slices. */
export interface Prototypes {
  dim: number;
  vectors: Float32Array;
  classOf: Int32Array;
}

export interface Calibration {
  /** Euclidean distance beyond which a flow is `unknown` (percentile of validation flows' distance to their own class). */
  threshold: number;
  percentile: number;
  quantiles: Record<string, number>;
  /** Typical squared distance, the scale of the attack score's sigmoid. */
  temperature: number;
  /** Per-class log-distance bias (0 for trained classes; set for adapted ones, see acceptanceBias). */
  bias: number[];
}

export interface Hyper {
  algorithm: Algorithm;
  ways: number;
  shots: number;
  queries: number;
  episodes: number;
  metaBatch: number;
  lr: number;
  seed: number;
  embedDim: number;
  hidden: number[];
  maxPrototypesPerClass: number;
  knnK: number;
  supervisedSteps: number;
}

export const defaultHyper: Hyper = {
  algorithm: 'protonet',
  ways: 5,
  shots: 5,
  queries: 15,
  episodes: 3000,
  metaBatch: 4,
  lr: 3e-3,
  seed: 1,
  embedDim: 64,
  hidden: [64, 64],
  maxPrototypesPerClass: 16,
  knnK: 1,
  supervisedSteps: 1500,
};

export interface LabelledData {
  schema: string;
  names: string[];
  roles?: ColumnRole[];
  x: Matrix;
  /** Packet sequences (pcap schema), rows aligned with x. */
  seq?: { m: Matrix; len: number; channels: number } | null;
  /** Class index per row into `classes` (-1: no label, skipped). */
  y: Int32Array;
  classes: ClassInfo[];
}

export interface DetectOutput {
  /** Class index, or -1 for unknown (open set). */
  pred: Int32Array;
  /** Index of the nearest class even when the flow is unknown. */
  nearest: Int32Array;
  /** Confidence of the nearest class (0..1). */
  score: Float32Array;
  /** Euclidean distance to the nearest prototype (open-set novelty). */
  novelty: Float32Array;
  /** Attack-vs-benign score in 0..1. */
  attackScore: Float32Array;
  /** Squared distance to the nearest prototype of each class [rows x classes]. */
  classDist: Float32Array;
}

export interface AdaptOptions {
  fineTune?: boolean;
  fineTuneSteps?: number;
  seed?: number;
}

const REPLAY_PER_CLASS = 100;
/** Share of other classes' held-out flows an adapted class may take (its calibrated FPR). */
const ACCEPT_FPR = 0.002;
const MAX_BIAS = Math.log(8);

/**
 * A trained model: the pipeline, an embedder (meta-learned encoder, supervised net, or identity
 * for the raw-feature baselines), prototypes, calibration and a small replay set used when it is
 * adapted. Every algorithm sits behind this one interface.
 */
export class FewShotModel {
  constructor(
    public algorithm: Algorithm,
    public pipeline: PipelineJson,
    public classes: ClassInfo[],
    public hyper: Hyper,
    public encoder: Encoder | null,
    public sup: SupervisedNet | null,
    public protos: Prototypes,
    public calibration: Calibration,
    public replay: { x: Float32Array; y: Int32Array; dim: number },
  ) {}

  get inputDim(): number {
    return this.pipeline.dims.total;
  }

  /** Scales raw rows with the stored pipeline. */
  scale(x: Matrix, seq?: Matrix | null): Matrix {
    return transform(this.pipeline, x, seq);
  }

  /** Embeddings of scaled rows. */
  embed(x: Matrix): { data: Float32Array; dim: number } {
    if (this.encoder) return { data: this.encoder.embed(x.data, x.rows), dim: this.encoder.config.embedDim };
    if (this.sup) return { data: this.sup.run(x.data, x.rows).feats, dim: 32 };
    return { data: x.data, dim: x.cols };
  }

  /** Detection over scaled rows: nearest prototype, open-set flag, attack score. */
  detectScaled(x: Matrix): DetectOutput {
    const n = x.rows;
    const C = this.classes.length;
    const emb = this.embed(x);
    const classDist = this.classDistances(emb.data, n, emb.dim);
    const pred = new Int32Array(n);
    const nearest = new Int32Array(n);
    const score = new Float32Array(n);
    const novelty = new Float32Array(n);
    const attackScore = new Float32Array(n);
    const isAttack = this.classes.map((c) => c.kind === 'attack');
    const T = this.calibration.temperature || 1;
    const rad = this.scales();
    let probs: Float32Array | null = null;
    if (this.sup) probs = this.sup.run(x.data, n).probs;
    const knnVotes = this.algorithm === 'knn' ? this.knnVote(emb.data, n, emb.dim) : null;
    for (let i = 0; i < n; i++) {
      let best = 0;
      let bd = Infinity;
      let dB = Infinity;
      let dA = Infinity;
      let bn = Infinity;
      for (let c = 0; c < C; c++) {
        const d = classDist[i * C + c]!;
        const dn = d * rad[c]!;
        if (dn < bn) {
          bn = dn;
          best = c;
        }
        if (d < bd) bd = d;
        if (isAttack[c]) dA = Math.min(dA, d);
        else dB = Math.min(dB, d);
      }
      if (probs) {
        let pb = 0;
        let pa = 0;
        let pm = -1;
        for (let c = 0; c < C; c++) {
          const p = probs[i * C + c]!;
          if (p > pm) {
            pm = p;
            best = c;
          }
          if (isAttack[c]) pa += p;
          else pb += p;
        }
        score[i] = pm;
        attackScore[i] = pa / (pa + pb || 1);
      } else {
        if (knnVotes) best = knnVotes[i]!;
        // Softmax over -d²/T of the class minima: the protonet's class probability.
        let z = 0;
        const ref = classDist[i * C + best]!;
        for (let c = 0; c < C; c++) z += Math.exp(-(classDist[i * C + c]! - ref) / T);
        score[i] = 1 / z;
        const diff = dB === Infinity ? 50 : dA === Infinity ? -50 : (dB - dA) / T;
        attackScore[i] = 1 / (1 + Math.exp(-Math.max(-50, Math.min(50, diff))));
      }
      nearest[i] = best;
      novelty[i] = Math.sqrt(bd);
      pred[i] = novelty[i]! > this.calibration.threshold ? -1 : best;
    }
    return { pred, nearest, score, novelty, attackScore, classDist };
  }

  detect(x: Matrix, seq?: Matrix | null): DetectOutput {
    return this.detectScaled(this.scale(x, seq));
  }

  /** Squared distance to each class's nearest prototype, [n x C]. */
  classDistances(emb: Float32Array, n: number, dim: number): Float32Array {
    const C = this.classes.length;
    const P = this.protos.classOf.length;
    const out = new Float32Array(n * C).fill(Infinity);
    if (!P) return out;
    // Class ranges (prototypes are sorted by class).
    const ranges: [number, number, number][] = [];
    for (let p = 0; p < P; ) {
      const c = this.protos.classOf[p]!;
      let q = p;
      while (q < P && this.protos.classOf[q] === c) q++;
      ranges.push([c, p, q - p]);
      p = q;
    }
    // Per-class minima on the host: tf.slice is slow on the wasm backend.
    const chunk = Math.max(256, Math.min(16384, Math.floor(8_000_000 / Math.max(P, 1))));
    const [pT, pp] = tf.tidy(() => {
      const p = tf.tensor2d(this.protos.vectors, [P, dim]);
      return [tf.transpose(p), tf.reshape(tf.sum(tf.square(p), 1), [1, -1])] as [tf.Tensor2D, tf.Tensor2D];
    });
    try {
      for (let r = 0; r < n; r += chunk) {
        const m = Math.min(chunk, n - r);
        const t = tf.tidy(() => sqDistTo(tf.tensor2d(emb.subarray(r * dim, (r + m) * dim), [m, dim]), pT, pp));
        const a = t.dataSync() as Float32Array;
        t.dispose();
        for (let i = 0; i < m; i++) {
          const row = i * P;
          const o = (r + i) * C;
          for (const [c, s0, len] of ranges) {
            let best = a[row + s0]!;
            for (let k = 1; k < len; k++) {
              const v = a[row + s0 + k]!;
              if (v < best) best = v;
            }
            out[o + c] = best;
          }
        }
      }
    } finally {
      tf.dispose([pT, pp]);
    }
    return out;
  }

  /** k-nearest-neighbour majority vote over the stored rows (ties: the nearest). */
  private knnVote(emb: Float32Array, n: number, dim: number): Int32Array {
    const k = Math.max(1, this.hyper.knnK);
    const P = this.protos.classOf.length;
    const out = new Int32Array(n);
    const [pT, pp] = tf.tidy(() => {
      const p = tf.tensor2d(this.protos.vectors, [P, dim]);
      return [tf.transpose(p), tf.reshape(tf.sum(tf.square(p), 1), [1, -1])] as [tf.Tensor2D, tf.Tensor2D];
    });
    const chunk = Math.max(64, Math.floor(4_000_000 / Math.max(P, 1)));
    try {
      for (let r = 0; r < n; r += chunk) {
        const m = Math.min(chunk, n - r);
        const idx = tf.tidy(() => tf.topk(tf.neg(sqDistTo(tf.tensor2d(emb.subarray(r * dim, (r + m) * dim), [m, dim]), pT, pp)), Math.min(k, P)).indices);
        const a = idx.dataSync() as Int32Array;
        const kk = idx.shape[1]!;
        idx.dispose();
        for (let i = 0; i < m; i++) {
          const votes = new Map<number, number>();
          let best = this.protos.classOf[a[i * kk]!]!;
          let bv = 0;
          for (let j = 0; j < kk; j++) {
            const c = this.protos.classOf[a[i * kk + j]!]!;
            const v = (votes.get(c) ?? 0) + 1;
            votes.set(c, v);
            if (v > bv) {
              bv = v;
              best = c;
            }
          }
          out[r + i] = best;
        }
      }
    } finally {
      tf.dispose([pT, pp]);
    }
    return out;
  }

  /**
   * Few-shot adaptation: a new model whose class `name` (new or existing) gets prototypes from
   * the support rows at once; `fineTune` also refines the embedder on support + replay.
   */
  async adapt(name: string, kind: ClassKind, support: Matrix, opts: AdaptOptions = {}): Promise<FewShotModel> {
    if (support.rows < 1) throw new Error('Adaptation needs at least one labelled flow.');
    const seed = opts.seed ?? this.hyper.seed;
    let classIdx = this.classes.findIndex((c) => c.name === name);
    const classes = [...this.classes];
    if (classIdx < 0) {
      classIdx = classes.length;
      classes.push({ name, kind });
    }
    // Replay grows by the support rows (bounded per class).
    const replay = appendReplay(this.replay, support, classIdx, seed);
    let encoder = this.encoder;
    let sup = this.sup;
    const hyper = { ...this.hyper };
    let protos: Prototypes;
    if (this.algorithm === 'supervised') {
      const net = classIdx >= this.sup!.classes ? this.sup!.withExtraClass(seed) : cloneSup(this.sup!);
      // Oversample the support so it weighs like a replay class.
      const { x: rx, y: ry } = balanced(replay, seed);
      await net.fit(rx, ry, opts.fineTuneSteps ?? 100, { lr: 1e-3, batch: 64, seed });
      sup = net;
      protos = buildPrototypes(net.run(replay.x, replay.y.length).feats, 32, replay.y, classes.length, 1, seed);
    } else if (this.algorithm === 'knn' || this.algorithm === 'prototype') {
      protos = appendPrototypes(this.protos, support.data, support.rows, support.cols, classIdx, this.algorithm === 'knn' ? support.rows : 1, seed);
    } else {
      if (opts.fineTune) {
        encoder = cloneEncoder(this.encoder!);
        const { x: rx, y: ry } = balanced(replay, seed);
        const shots = 1;
        await metaTrain(encoder, rx, ry, {
          ...defaultMetaOptions,
          algorithm: 'protonet',
          ways: Math.min(5, classes.length),
          shots,
          queries: 2,
          episodes: (opts.fineTuneSteps ?? 60) * 4,
          metaBatch: 4,
          lr: 5e-4,
          seed,
        });
        // The embedding moved: rebuild every class's prototypes from the replay rows.
        const emb = encoder.embed(replay.x, replay.y.length);
        protos = buildPrototypes(emb, encoder.config.embedDim, replay.y, classes.length, Math.max(1, Math.floor(hyper.maxPrototypesPerClass / 4)), seed);
      } else {
        const emb = this.encoder!.embed(support.data, support.rows);
        protos = appendPrototypes(this.protos, emb, support.rows, this.encoder!.config.embedDim, classIdx, support.rows, seed);
      }
    }
    const calibration: Calibration = { ...this.calibration, bias: [...(this.calibration.bias ?? [])] };
    const next = new FewShotModel(this.algorithm, this.pipeline, classes, hyper, encoder, sup, protos, calibration, replay);
    if (this.algorithm !== 'supervised') calibration.bias[classIdx] = next.acceptanceBias(classIdx);
    return next;
  }

  /**
   * How much nearer (in log distance) the adapted class may be preferred over the others while
   * at most ACCEPT_FPR of the held-out replay flows of other classes would switch to it. A
   * class learnt from K flows has a noisier prototype than a trained class; this widens it as
   * far as the known traffic allows, never below the plain nearest-prototype rule.
   */
  acceptanceBias(classIdx: number): number {
    const { x, y, dim } = this.replay;
    const rows: number[] = [];
    for (let i = 0; i < y.length; i++) if (y[i] !== classIdx) rows.push(i);
    if (rows.length < 20) return 0;
    const xm = takeRows(matrix(y.length, dim, x), rows);
    const emb = this.embed(xm);
    const C = this.classes.length;
    const cd = this.classDistances(emb.data, xm.rows, emb.dim);
    const margins: number[] = [];
    for (let i = 0; i < xm.rows; i++) {
      let other = Infinity;
      for (let c = 0; c < C; c++) if (c !== classIdx) other = Math.min(other, cd[i * C + c]!);
      margins.push(Math.log(cd[i * C + classIdx]! + 1e-9) - Math.log(other + 1e-9));
    }
    return Math.max(0, Math.min(MAX_BIAS, quantileOf(margins, ACCEPT_FPR)));
  }

  /** Multiplicative distance factor per class (exp(-bias)): 1 for trained classes. */
  scales(): number[] {
    const b = this.calibration.bias ?? [];
    return this.classes.map((_, c) => Math.exp(-(b[c] ?? 0)));
  }

  dispose(): void {
    this.encoder?.dispose();
    this.sup?.dispose();
  }
}

function cloneEncoder(e: Encoder): Encoder {
  const a = e.toArtifacts();
  return Encoder.fromArtifacts(e.config, a.weightSpecs, a.weightData);
}

function cloneSup(s: SupervisedNet): SupervisedNet {
  const a = s.toArtifacts();
  return SupervisedNet.fromArtifacts(s.inputDim, s.classes, a.weightSpecs, a.weightData);
}

/** Replay rows resampled so every class has the same count (small classes repeated). */
function balanced(replay: { x: Float32Array; y: Int32Array; dim: number }, seed: number): { x: Matrix; y: Int32Array } {
  const byClass = new Map<number, number[]>();
  replay.y.forEach((c, i) => {
    if (!byClass.has(c)) byClass.set(c, []);
    byClass.get(c)!.push(i);
  });
  const per = Math.max(8, ...[...byClass.values()].map((a) => a.length));
  const rand = rng(seed);
  const idx: number[] = [];
  const ys: number[] = [];
  for (const [c, rows] of [...byClass.entries()].sort((a, b) => a[0] - b[0])) {
    for (let i = 0; i < per; i++) {
      idx.push(i < rows.length ? rows[i]! : rows[Math.floor(rand() * rows.length)]!);
      ys.push(c);
    }
  }
  const x = takeRows(matrix(replay.y.length, replay.dim, replay.x), idx);
  // Jitter repeated rows a little so a 1-shot class still gives distinct support and query.
  for (let i = 0; i < x.data.length; i++) x.data[i]! += (rand() - 0.5) * 0.02;
  return { x, y: Int32Array.from(ys) };
}

function appendReplay(replay: { x: Float32Array; y: Int32Array; dim: number }, support: Matrix, classIdx: number, seed: number) {
  const keep: number[] = [];
  let have = 0;
  replay.y.forEach((c, i) => {
    if (c === classIdx) have++;
    keep.push(i);
  });
  const add = sample(Array.from({ length: support.rows }, (_, i) => i), Math.max(0, REPLAY_PER_CLASS - have), rng(seed));
  const x = new Float32Array((keep.length + add.length) * replay.dim);
  x.set(replay.x.subarray(0, keep.length * replay.dim));
  add.forEach((r, i) => x.set(support.data.subarray(r * support.cols, (r + 1) * support.cols), (keep.length + i) * replay.dim));
  const y = new Int32Array(keep.length + add.length);
  y.set(replay.y);
  y.fill(classIdx, keep.length);
  return { x, y, dim: replay.dim };
}

/** k-means prototypes per class: up to maxPer, about one per 30 rows. */
export function buildPrototypes(emb: Float32Array, dim: number, y: Int32Array, C: number, maxPer: number, seed: number): Prototypes {
  const vecs: Float32Array[] = [];
  const cls: number[] = [];
  for (let c = 0; c < C; c++) {
    const rows: number[] = [];
    for (let i = 0; i < y.length; i++) if (y[i] === c) rows.push(i);
    if (!rows.length) continue;
    const sub = takeRows(matrix(y.length, dim, emb), rows);
    const k = Math.max(1, Math.min(maxPer, Math.floor(rows.length / 30)));
    const cent = kMeans(sub.data, sub.rows, dim, k, seed + c);
    for (let j = 0; j < cent.length / dim; j++) {
      vecs.push(cent.subarray(j * dim, (j + 1) * dim));
      cls.push(c);
    }
  }
  const vectors = new Float32Array(vecs.length * dim);
  vecs.forEach((v, i) => vectors.set(v, i * dim));
  return { dim, vectors, classOf: Int32Array.from(cls) };
}

function appendPrototypes(p: Prototypes, emb: Float32Array, rows: number, dim: number, classIdx: number, k: number, seed: number): Prototypes {
  const cent = k >= rows ? emb.slice(0, rows * dim) : kMeans(emb, rows, dim, k, seed);
  const m = cent.length / dim;
  // Keep the class-sorted order: insert after the last prototype of classes <= classIdx.
  let at = 0;
  while (at < p.classOf.length && p.classOf[at]! <= classIdx) at++;
  const vectors = new Float32Array(p.vectors.length + cent.length);
  vectors.set(p.vectors.subarray(0, at * dim));
  vectors.set(cent, at * dim);
  vectors.set(p.vectors.subarray(at * dim), (at + m) * dim);
  const classOf = new Int32Array(p.classOf.length + m);
  classOf.set(p.classOf.subarray(0, at));
  classOf.fill(classIdx, at, at + m);
  classOf.set(p.classOf.subarray(at), at + m);
  return { dim, vectors, classOf };
}

export interface TrainReport {
  model: FewShotModel;
  curve: TrainCurvePoint[];
  metrics: ModelMetrics;
  dedupRemoved: number;
  trainRows: number;
  validationRows: number;
}

export interface ModelMetrics {
  accuracy: number;
  perClass: { name: string; precision: number; recall: number; f1: number; support: number }[];
  confusion: number[][];
  /** Attack-vs-benign ROC on the validation rows. */
  auc: number;
  roc: { fpr: number; tpr: number }[];
  fpr: number;
  unknownRate: number;
  validationRows: number;
}

/**
 * Trains a model of any algorithm on labelled rows: duplicates removed, 90/10 stratified
 * split (validation calibrates the open-set threshold and gives the metrics), pipeline fitted
 * on the training part only.
 */
export async function trainModel(
  data: LabelledData,
  hyperIn: Partial<Hyper>,
  onProgress?: (p: TrainProgress & { phase: string }) => void,
  signal?: AbortSignal,
): Promise<TrainReport> {
  const hyper: Hyper = { ...defaultHyper, ...hyperIn };
  const labelled: number[] = [];
  for (let i = 0; i < data.y.length; i++) if (data.y[i]! >= 0) labelled.push(i);
  const keep = distinctRows(data.x, labelled, data.seq?.m);
  const dedupRemoved = labelled.length - keep.length;
  const rand = rng(hyper.seed);
  const byClass = new Map<number, number[]>();
  for (const i of keep) {
    const c = data.y[i]!;
    if (!byClass.has(c)) byClass.set(c, []);
    byClass.get(c)!.push(i);
  }
  const trainIdx: number[] = [];
  const valIdx: number[] = [];
  for (const c of [...byClass.keys()].sort((a, b) => a - b)) {
    const rows = shuffle(byClass.get(c)!, rand);
    const nVal = rows.length >= 10 ? Math.max(1, Math.round(rows.length * 0.1)) : 0;
    valIdx.push(...rows.slice(0, nVal));
    trainIdx.push(...rows.slice(nVal));
  }
  if (byClass.size < 2 && hyper.algorithm !== 'knn' && hyper.algorithm !== 'prototype') {
    throw new Error(`Training needs flows of at least two classes; found ${byClass.size}. Label flows of another class (e.g. benign) first.`);
  }
  const trX = takeRows(data.x, trainIdx);
  const trSeq = data.seq ? { m: takeRows(data.seq.m, trainIdx), len: data.seq.len, channels: data.seq.channels } : null;
  const trY = Int32Array.from(trainIdx, (i) => data.y[i]!);
  const pipeline = fitPipeline(trX, { schema: data.schema, names: data.names, roles: data.roles, sequence: trSeq });
  const xs = transform(pipeline, trX, trSeq?.m);
  const model = await fitScaled(pipeline, data.classes, xs, trY, hyper, onProgress, signal);
  const curve = model.curve;
  const m = model.model;
  let metrics: ModelMetrics;
  if (valIdx.length) {
    const vX = model.model.scale(takeRows(data.x, valIdx), data.seq ? takeRows(data.seq.m, valIdx) : null);
    const vY = Int32Array.from(valIdx, (i) => data.y[i]!);
    calibrate(m, vX, vY);
    metrics = evaluateModel(m, vX, vY);
    // Held-out rows make the replay: adaptation calibrates new classes against flows the
    // prototypes were not fitted on.
    m.replay = replayFrom(vX, vY, m.classes.length, hyper.seed);
  } else {
    calibrate(m, xs, trY);
    metrics = evaluateModel(m, xs, trY);
  }
  return { model: m, curve, metrics, dedupRemoved, trainRows: trainIdx.length, validationRows: valIdx.length };
}

/** Fits the embedder + prototypes of an algorithm on already scaled rows. */
export async function fitScaled(
  pipeline: PipelineJson,
  classes: ClassInfo[],
  xs: Matrix,
  y: Int32Array,
  hyper: Hyper,
  onProgress?: (p: TrainProgress & { phase: string }) => void,
  signal?: AbortSignal,
): Promise<{ model: FewShotModel; curve: TrainCurvePoint[] }> {
  const C = classes.length;
  let encoder: Encoder | null = null;
  let sup: SupervisedNet | null = null;
  let curve: TrainCurvePoint[] = [];
  let emb: Float32Array = xs.data;
  let dim = xs.cols;
  if (hyper.algorithm === 'protonet' || hyper.algorithm === 'fomaml' || hyper.algorithm === 'reptile') {
    const cfg: EncoderConfig = defaultEncoderConfig(pipeline.dims, pipeline.seq ? { len: pipeline.seq.len, channels: pipeline.seq.channels } : null, {
      hidden: hyper.hidden,
      embedDim: hyper.embedDim,
    });
    encoder = new Encoder(cfg, hyper.seed);
    curve = await metaTrain(
      encoder,
      xs,
      y,
      {
        ...defaultMetaOptions,
        algorithm: hyper.algorithm as MetaAlgorithm,
        ways: hyper.ways,
        shots: hyper.shots,
        queries: hyper.queries,
        episodes: hyper.episodes,
        metaBatch: hyper.algorithm === 'protonet' ? hyper.metaBatch : Math.max(1, Math.floor(hyper.metaBatch / 2)),
        lr: hyper.lr,
        seed: hyper.seed,
      },
      (p) => onProgress?.({ ...p, phase: 'meta-training' }),
      signal,
    );
    emb = encoder.embed(xs.data, xs.rows);
    dim = cfg.embedDim;
  } else if (hyper.algorithm === 'supervised') {
    sup = new SupervisedNet(xs.cols, C, hyper.seed);
    const total = hyper.supervisedSteps;
    await sup.fit(xs, y, total, {
      lr: 1e-3,
      batch: 128,
      seed: hyper.seed,
      signal,
      onStep: (i, loss, accuracy) => {
        if (i % 20 === 0 || i === total) curve.push({ episode: i, loss, accuracy });
        onProgress?.({ episodes: i, total, loss, accuracy, phase: 'training' });
      },
    });
    emb = sup.run(xs.data, xs.rows).feats;
    dim = 32;
  }
  let protos: Prototypes;
  if (hyper.algorithm === 'knn') {
    // The memory: up to 2000 rows per class.
    const rand = rng(hyper.seed);
    const rows: number[] = [];
    for (let c = 0; c < C; c++) {
      const r: number[] = [];
      for (let i = 0; i < y.length; i++) if (y[i] === c) r.push(i);
      rows.push(...sample(r, 2000, rand).sort((a, b) => a - b));
    }
    protos = { dim, vectors: takeRows(xs, rows).data, classOf: Int32Array.from(rows, (i) => y[i]!) };
  } else {
    protos = buildPrototypes(emb, dim, y, C, hyper.algorithm === 'prototype' ? 1 : hyper.maxPrototypesPerClass, hyper.seed);
  }
  const replay = replayFrom(xs, y, C, hyper.seed);
  const calibration: Calibration = { threshold: Infinity, percentile: 99, quantiles: {}, temperature: 1, bias: [] };
  const model = new FewShotModel(hyper.algorithm, pipeline, classes, hyper, encoder, sup, protos, calibration, replay);
  return { model, curve };
}

/** A few scaled rows per class, kept with the model for adaptation. */
export function replayFrom(xs: Matrix, y: Int32Array, C: number, seed: number): { x: Float32Array; y: Int32Array; dim: number } {
  const rand = rng(seed + 7);
  const rIdx: number[] = [];
  for (let c = 0; c < C; c++) {
    const r: number[] = [];
    for (let i = 0; i < y.length; i++) if (y[i] === c) r.push(i);
    rIdx.push(...sample(r, REPLAY_PER_CLASS, rand).sort((a, b) => a - b));
  }
  return { x: takeRows(xs, rIdx).data, y: Int32Array.from(rIdx, (i) => y[i]!), dim: xs.cols };
}

/** Open-set threshold and score temperature from validation rows (their distance to their own class). */
export function calibrate(m: FewShotModel, xs: Matrix, y: Int32Array, percentile = 99): void {
  const emb = m.embed(xs);
  const cd = m.classDistances(emb.data, xs.rows, emb.dim);
  const C = m.classes.length;
  const own: number[] = [];
  const perClass: number[][] = Array.from({ length: C }, () => []);
  for (let i = 0; i < xs.rows; i++) {
    const c = y[i]!;
    if (c >= 0 && Number.isFinite(cd[i * C + c]!)) {
      own.push(Math.sqrt(cd[i * C + c]!));
      perClass[c]!.push(cd[i * C + c]!);
    }
  }

  const q = (p: number): number => quantileOf(own, p / 100);
  const quantiles = { p50: q(50), p90: q(90), p95: q(95), p99: q(99), p999: q(99.9) };
  const med = quantiles.p50;
  m.calibration = {
    threshold: own.length ? q(percentile) * 1.05 + 1e-6 : Infinity,
    percentile,
    quantiles,
    temperature: Math.max(1e-3, med * med),
    bias: new Array<number>(C).fill(0),
  };
}

export function evaluateModel(m: FewShotModel, xs: Matrix, y: Int32Array): ModelMetrics {
  const out = m.detectScaled(xs);
  const C = m.classes.length;
  const perClass = m.classes.map((c, k) => {
    const b = binaryMetrics(Array.from(y, (t) => t === k), Array.from(out.nearest, (p) => p === k));
    return { name: c.name, precision: b.precision, recall: b.recall, f1: b.f1, support: b.tp + b.fn };
  });
  let correct = 0;
  let unknown = 0;
  for (let i = 0; i < y.length; i++) {
    if (out.nearest[i] === y[i]) correct++;
    if (out.pred[i] === -1) unknown++;
  }
  const isAttack = Array.from(y, (t) => m.classes[t]?.kind === 'attack');
  const predAttack = Array.from(out.nearest, (p) => m.classes[p]?.kind === 'attack');
  const b = binaryMetrics(isAttack, predAttack);
  return {
    accuracy: y.length ? correct / y.length : NaN,
    perClass,
    confusion: confusion(y, out.nearest, C),
    auc: auroc(out.attackScore, isAttack),
    roc: rocPoints(out.attackScore, isAttack, 101).map(({ fpr, tpr }) => ({ fpr, tpr })),
    fpr: b.fpr,
    unknownRate: y.length ? unknown / y.length : 0,
    validationRows: y.length,
  };
}

