/** Seeded randomness for the engine: the same seed gives the same episodes, splits and weights. */
import { mulberry32 } from '../../../shared/random';

/** The engine's stream for a seed (mulberry32 on a mixed seed). Returns floats in [0, 1). */
export function rng(seed: number): () => number {
  return mulberry32((seed >>> 0) ^ 0x9e3779b9);
}

export type Rand = () => number;

/** Fisher-Yates in place. */
export function shuffle<T extends { length: number; [i: number]: unknown }>(a: T, rand: Rand): T {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
  return a;
}

/** k distinct items of `pool` (all of them, shuffled, when k >= pool.length). */
export function sample(pool: ArrayLike<number>, k: number, rand: Rand): number[] {
  const a = Array.from(pool);
  const n = Math.min(k, a.length);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(rand() * (a.length - i));
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
  return a.slice(0, n);
}

/** Standard normal (Box-Muller). */
export function normal(rand: Rand): number {
  let u = 0;
  while (u === 0) u = rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/** A seed derived from a parent seed and a few integers (repeat, shot count...). */
export function deriveSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    h ^= p >>> 0;
    h = Math.imul(h, 0x01000193) >>> 0;
    h ^= h >>> 13;
  }
  return h >>> 0;
}
