import { rng, sample, type Rand } from './random';

/**
 * Seeded N-way K-shot Q-query episodes, built like learn2learn's task transforms from small
 * composable steps: pick N ways, take K + Q flows per way (stratified, without replacement
 * while the class has enough), relabel the ways 0..N-1. Rows are indices into the training
 * matrix, laid out way-major so the protonet can reshape support to [N, K, E].
 */
export interface TaskDraft {
  /** Original class ids of the chosen ways. */
  ways: number[];
  /** Row indices per way: first `shots` are support, the rest query. */
  rows: number[][];
}

export interface Episode {
  ways: number[];
  shots: number;
  queries: number;
  /** [ways * shots] row indices, way-major. */
  support: Int32Array;
  /** [ways * queries] row indices, way-major. */
  query: Int32Array;
  /** Relabelled query targets (0..ways-1). */
  queryLabels: Int32Array;
}

export interface SamplerState {
  byClass: Map<number, number[]>;
  rand: Rand;
}

export type TaskStep = (draft: TaskDraft, state: SamplerState) => TaskDraft;

/** Chooses `n` distinct classes (all eligible ones when fewer exist). */
export function nWays(n: number): TaskStep {
  return (d, s) => {
    const eligible = [...s.byClass.keys()].filter((c) => s.byClass.get(c)!.length >= 2).sort((a, b) => a - b);
    return { ...d, ways: sample(eligible, n, s.rand) };
  };
}

/** Draws k + q rows per way; a class with fewer rows is drawn with replacement for the rest. */
export function kShots(k: number, q: number): TaskStep {
  return (d, s) => {
    const rows = d.ways.map((c) => {
      const pool = s.byClass.get(c)!;
      const take = sample(pool, k + q, s.rand);
      // Keep at least one distinct query row when the class is small.
      while (take.length < k + q) take.push(pool[Math.floor(s.rand() * pool.length)]!);
      return take;
    });
    return { ...d, rows };
  };
}

export class EpisodeSampler {
  private readonly state: SamplerState;
  readonly classes: number[];

  constructor(
    labels: Int32Array,
    readonly ways: number,
    readonly shots: number,
    readonly queries: number,
    seed: number,
    private readonly steps: TaskStep[] = [nWays(ways), kShots(shots, queries)],
  ) {
    const byClass = new Map<number, number[]>();
    for (let i = 0; i < labels.length; i++) {
      const c = labels[i]!;
      if (c < 0) continue;
      let a = byClass.get(c);
      if (!a) byClass.set(c, (a = []));
      a.push(i);
    }
    this.state = { byClass, rand: rng(seed) };
    this.classes = [...byClass.keys()].filter((c) => byClass.get(c)!.length >= 2).sort((a, b) => a - b);
    if (this.classes.length < 2) throw new Error(`Episodes need at least 2 classes with 2 or more flows each; found ${this.classes.length}.`);
  }

  get effectiveWays(): number {
    return Math.min(this.ways, this.classes.length);
  }

  /** The next episode (relabelled: way i has label i). */
  next(): Episode {
    let d: TaskDraft = { ways: [], rows: [] };
    for (const step of this.steps) d = step(d, this.state);
    const N = d.ways.length;
    const K = this.shots;
    const Q = this.queries;
    const support = new Int32Array(N * K);
    const query = new Int32Array(N * Q);
    const queryLabels = new Int32Array(N * Q);
    for (let w = 0; w < N; w++) {
      const r = d.rows[w]!;
      for (let k = 0; k < K; k++) support[w * K + k] = r[k]!;
      for (let q = 0; q < Q; q++) {
        query[w * Q + q] = r[K + q]!;
        queryLabels[w * Q + q] = w;
      }
    }
    return { ways: d.ways, shots: K, queries: Q, support, query, queryLabels };
  }
}
