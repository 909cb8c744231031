/**
 * 2-D PCA by power iteration on the covariance (dim is small: 32-128), deterministic start.
 * Projects both the flow embeddings and extra points (prototypes) onto the same axes.
 */
export function pca2(x: Float32Array, n: number, dim: number, extra: Float32Array, m: number): { x: Float32Array; y: Float32Array; px: Float32Array; py: Float32Array; explained: number[] } {
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) mean[j]! += x[i * dim + j]!;
  for (let j = 0; j < dim; j++) mean[j]! /= n || 1;
  const cov = new Float64Array(dim * dim);
  const row = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < dim; j++) row[j] = x[i * dim + j]! - mean[j]!;
    for (let a = 0; a < dim; a++) {
      const ra = row[a]!;
      if (ra === 0) continue;
      for (let b = a; b < dim; b++) cov[a * dim + b]! += ra * row[b]!;
    }
  }
  for (let a = 0; a < dim; a++) for (let b = 0; b < a; b++) cov[a * dim + b] = cov[b * dim + a]!;
  let trace = 0;
  for (let a = 0; a < dim; a++) trace += cov[a * dim + a]!;
  const axes: Float64Array[] = [];
  const explained: number[] = [];
  for (let k = 0; k < 2; k++) {
    let v = new Float64Array(dim).map((_, j) => 1 / Math.sqrt(dim) + (j % (k + 2)) * 1e-3);
    let lambda = 0;
    for (let it = 0; it < 200; it++) {
      const w = new Float64Array(dim);
      for (let a = 0; a < dim; a++) {
        let s = 0;
        for (let b = 0; b < dim; b++) s += cov[a * dim + b]! * v[b]!;
        w[a] = s;
      }
      for (const u of axes) {
        let d = 0;
        for (let j = 0; j < dim; j++) d += w[j]! * u[j]!;
        for (let j = 0; j < dim; j++) w[j]! -= d * u[j]!;
      }
      const norm = Math.sqrt(w.reduce((s, t) => s + t * t, 0));
      if (!(norm > 0)) break;
      lambda = norm;
      v = w.map((t) => t / norm);
    }
    axes.push(v);
    explained.push(trace > 0 ? lambda / trace : 0);
  }
  const proj = (src: Float32Array, rows: number, k: number): Float32Array => {
    const out = new Float32Array(rows);
    const u = axes[k]!;
    for (let i = 0; i < rows; i++) {
      let s = 0;
      for (let j = 0; j < dim; j++) s += (src[i * dim + j]! - mean[j]!) * u[j]!;
      out[i] = s;
    }
    return out;
  };
  return { x: proj(x, n, 0), y: proj(x, n, 1), px: proj(extra, m, 0), py: proj(extra, m, 1), explained };
}
