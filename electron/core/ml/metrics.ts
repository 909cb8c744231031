/** Classification metrics, ROC and 95% t-intervals: the numbers the evaluation prints. */

export interface BinaryCounts {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

export interface BinaryMetrics extends BinaryCounts {
  precision: number;
  recall: number;
  f1: number;
  fpr: number;
  accuracy: number;
}

export function binaryMetrics(truth: ArrayLike<boolean | number>, pred: ArrayLike<boolean | number>): BinaryMetrics {
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  for (let i = 0; i < truth.length; i++) {
    const t = Boolean(truth[i]);
    const p = Boolean(pred[i]);
    if (t && p) tp++;
    else if (!t && p) fp++;
    else if (t) fn++;
    else tn++;
  }
  const precision = tp + fp ? tp / (tp + fp) : 0;
  const recall = tp + fn ? tp / (tp + fn) : 0;
  const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  const fpr = fp + tn ? fp / (fp + tn) : 0;
  const accuracy = truth.length ? (tp + tn) / truth.length : 0;
  return { tp, fp, tn, fn, precision, recall, f1, fpr, accuracy };
}

/** Area under the ROC curve (Mann-Whitney, ties count half). NaN without both classes. */
export function auroc(scores: ArrayLike<number>, positive: ArrayLike<boolean | number>): number {
  const n = scores.length;
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let pos = 0;
  let neg = 0;
  let rankSum = 0;
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && scores[idx[j + 1]!] === scores[idx[i]!]) j++;
    const avgRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (positive[idx[k]!]) {
        pos++;
        rankSum += avgRank;
      } else neg++;
    }
    i = j + 1;
  }
  if (!pos || !neg) return NaN;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

/** ROC curve points (fpr, tpr), at most `maxPoints`, from the highest threshold down. */
export function rocPoints(scores: ArrayLike<number>, positive: ArrayLike<boolean | number>, maxPoints = 101): { fpr: number; tpr: number; threshold: number }[] {
  const n = scores.length;
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  let P = 0;
  for (let i = 0; i < n; i++) if (positive[i]) P++;
  const N = n - P;
  const pts: { fpr: number; tpr: number; threshold: number }[] = [{ fpr: 0, tpr: 0, threshold: Infinity }];
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < n; i++) {
    if (positive[idx[i]!]) tp++;
    else fp++;
    const last = i === n - 1 || scores[idx[i + 1]!] !== scores[idx[i]!];
    if (last) pts.push({ fpr: N ? fp / N : 0, tpr: P ? tp / P : 0, threshold: scores[idx[i]!]! });
  }
  if (pts.length <= maxPoints) return pts;
  const out: typeof pts = [];
  for (let k = 0; k < maxPoints; k++) out.push(pts[Math.round((k * (pts.length - 1)) / (maxPoints - 1))]!);
  return out;
}

/** Confusion matrix [truth][predicted] over classes 0..C-1 (C = "unknown" when asked). */
export function confusion(truth: ArrayLike<number>, pred: ArrayLike<number>, C: number): number[][] {
  const m = Array.from({ length: C }, () => new Array<number>(C).fill(0));
  for (let i = 0; i < truth.length; i++) {
    const t = truth[i]!;
    const p = pred[i]!;
    if (t >= 0 && t < C && p >= 0 && p < C) m[t]![p]!++;
  }
  return m;
}

// Two-sided 97.5% quantiles of Student's t for df = 1..30.
const T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];

export function tCritical975(df: number): number {
  if (df < 1) return NaN;
  if (df <= 30) return T975[df - 1]!;
  // Cornish-Fisher expansion around the normal quantile; good to 3 decimals beyond df 30.
  const z = 1.959964;
  return z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df * df);
}

export interface Interval {
  mean: number;
  lo: number;
  hi: number;
  n: number;
}

/** Mean with a 95% t-interval (lo = hi = mean for a single value; NaNs are left out). */
export function tInterval(values: number[]): Interval {
  const v = values.filter((x) => Number.isFinite(x));
  const n = v.length;
  if (!n) return { mean: NaN, lo: NaN, hi: NaN, n: 0 };
  const mean = v.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { mean, lo: mean, hi: mean, n };
  const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  const h = (tCritical975(n - 1) * sd) / Math.sqrt(n);
  return { mean, lo: mean - h, hi: mean + h, n };
}

/** The q-quantile (0..1) of values, linear interpolation. */
export function quantileOf(values: ArrayLike<number>, q: number): number {
  const s = Float64Array.from(values).sort();
  if (!s.length) return NaN;
  const p = (s.length - 1) * q;
  const i = Math.floor(p);
  return s[i]! + (s[Math.min(i + 1, s.length - 1)]! - s[i]!) * (p - i);
}
