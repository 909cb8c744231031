import { tf } from './backend';
import { normal, rng } from './random';

/**
 * The flow encoder: an MLP over the statistical features; for the pcap schema also a small
 * 1D-CNN over the packet sequence and a dense branch over the spectral features. Parameters
 * are plain tf.Variables (no layers API): a training step is a handful of large ops, and the
 * weights serialise as tfjs artefacts (weightSpecs + one weightData buffer).
 */
export interface EncoderConfig {
  statDim: number;
  specDim: number;
  seq: { len: number; channels: number } | null;
  hidden: number[];
  embedDim: number;
  specHidden: number;
  seqFilters: number;
  seqKernel: number;
}

export function defaultEncoderConfig(dims: { stat: number; spec: number }, seq: { len: number; channels: number } | null, over: Partial<EncoderConfig> = {}): EncoderConfig {
  return { statDim: dims.stat, specDim: dims.spec, seq, hidden: [128, 128], embedDim: 64, specHidden: 32, seqFilters: 32, seqKernel: 3, ...over };
}

export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32';
}

let encoderCount = 0;

/**
 * x·w with a hand-written gradient that transposes explicitly: the wasm backend's BatchMatMul
 * with transpose flags (what tf.matMul's own gradient uses) is ~10x slower than a transpose
 * followed by a plain product.
 */
export const linear = tf.customGrad(((x: tf.Tensor2D, w: tf.Tensor2D, save: tf.GradSaveFunc) => {
  save([x, w]);
  return {
    value: tf.matMul(x, w),
    gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
      const [sx, sw] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [tf.matMul(dy, tf.transpose(sw)), tf.matMul(tf.transpose(sx), dy)];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: tf.Tensor2D, w: tf.Tensor2D) => tf.Tensor2D;

export class Encoder {
  readonly vars = new Map<string, tf.Variable>();

  constructor(
    readonly config: EncoderConfig,
    seed: number,
  ) {
    const rand = rng(seed);
    const uid = ++encoderCount;
    const he = (fanIn: number, shape: number[], name: string): void => {
      const n = shape.reduce((a, b) => a * b, 1);
      const a = new Float32Array(n);
      const sd = Math.sqrt(2 / fanIn);
      for (let i = 0; i < n; i++) a[i] = normal(rand) * sd;
      this.vars.set(name, tf.variable(tf.tensor(a, shape), true, `enc${uid}/${name}`));
    };
    const zeros = (n: number, name: string): void => {
      this.vars.set(name, tf.variable(tf.zeros([n]), true, `enc${uid}/${name}`));
    };
    const c = config;
    let prev = c.statDim;
    c.hidden.forEach((h, i) => {
      he(prev, [prev, h], `stat${i}/w`);
      zeros(h, `stat${i}/b`);
      prev = h;
    });
    let joint = prev;
    if (c.specDim > 0) {
      he(c.specDim, [c.specDim, c.specHidden], 'spec/w');
      zeros(c.specHidden, 'spec/b');
      joint += c.specHidden;
    }
    if (c.seq) {
      he(c.seqKernel * c.seq.channels, [c.seqKernel, c.seq.channels, c.seqFilters], 'seq0/w');
      zeros(c.seqFilters, 'seq0/b');
      he(c.seqKernel * c.seqFilters, [c.seqKernel, c.seqFilters, c.seqFilters], 'seq1/w');
      zeros(c.seqFilters, 'seq1/b');
      joint += 2 * c.seqFilters;
    }
    he(joint, [joint, c.embedDim], 'out/w');
    zeros(c.embedDim, 'out/b');
    // A linear path from the statistical features straight to the embedding: the encoder
    // starts from (and keeps) the information a nearest-mean rule on scaled features has.
    he(c.statDim, [c.statDim, c.embedDim], 'skip/w');
  }

  get inputDim(): number {
    return this.config.statDim + this.config.specDim + (this.config.seq ? this.config.seq.len * this.config.seq.channels : 0);
  }

  private v(name: string): tf.Variable {
    return this.vars.get(name)!;
  }

  /** Embeds scaled rows [n, inputDim] -> [n, embedDim]. Call inside tf.tidy. */
  apply(x: tf.Tensor2D, params?: Map<string, tf.Tensor>): tf.Tensor2D {
    const p = (name: string): tf.Tensor => params?.get(name) ?? this.v(name);
    const c = this.config;
    const n = x.shape[0];
    const parts: tf.Tensor2D[] = [];
    let h: tf.Tensor2D = c.specDim > 0 || c.seq ? (tf.slice(x, [0, 0], [n, c.statDim]) as tf.Tensor2D) : x;
    for (let i = 0; i < c.hidden.length; i++) {
      h = tf.relu(tf.add(linear(h, p(`stat${i}/w`) as tf.Tensor2D), p(`stat${i}/b`))) as tf.Tensor2D;
    }
    parts.push(h);
    if (c.specDim > 0) {
      const s = tf.slice(x, [0, c.statDim], [n, c.specDim]) as tf.Tensor2D;
      parts.push(tf.relu(tf.add(linear(s, p('spec/w') as tf.Tensor2D), p('spec/b'))) as tf.Tensor2D);
    }
    if (c.seq) {
      const off = c.statDim + c.specDim;
      const s = tf.reshape(tf.slice(x, [0, off], [n, c.seq.len * c.seq.channels]), [n, c.seq.len, c.seq.channels]) as tf.Tensor3D;
      let q = tf.relu(tf.add(tf.conv1d(s, p('seq0/w') as tf.Tensor3D, 1, 'same'), p('seq0/b'))) as tf.Tensor3D;
      q = tf.relu(tf.add(tf.conv1d(q, p('seq1/w') as tf.Tensor3D, 1, 'same'), p('seq1/b'))) as tf.Tensor3D;
      parts.push(tf.mean(q, 1) as tf.Tensor2D, tf.max(q, 1) as tf.Tensor2D);
    }
    const joint = parts.length === 1 ? parts[0]! : (tf.concat(parts, 1) as tf.Tensor2D);
    const stat = c.specDim > 0 || c.seq ? (tf.slice(x, [0, 0], [n, c.statDim]) as tf.Tensor2D) : x;
    return tf.add(tf.add(linear(joint, p('out/w') as tf.Tensor2D), p('out/b')), linear(stat, p('skip/w') as tf.Tensor2D)) as tf.Tensor2D;
  }

  /** Embeds a host matrix in chunks; returns [rows * embedDim]. */
  embed(x: Float32Array, rows: number, chunk = 16384): Float32Array {
    const D = this.inputDim;
    const E = this.config.embedDim;
    const out = new Float32Array(rows * E);
    for (let r = 0; r < rows; r += chunk) {
      const n = Math.min(chunk, rows - r);
      const t = tf.tidy(() => this.apply(tf.tensor2d(x.subarray(r * D, (r + n) * D), [n, D])));
      out.set(t.dataSync() as Float32Array, r * E);
      t.dispose();
    }
    return out;
  }

  trainable(): tf.Variable[] {
    return [...this.vars.values()];
  }

  /** Snapshot of the weights as host arrays (for Reptile / FOMAML and serialisation). */
  snapshot(): Map<string, Float32Array> {
    const m = new Map<string, Float32Array>();
    for (const [k, v] of this.vars) m.set(k, v.dataSync().slice() as Float32Array);
    return m;
  }

  load(weights: Map<string, Float32Array>): void {
    for (const [k, v] of this.vars) {
      const w = weights.get(k);
      if (!w || w.length !== v.size) throw new Error(`Encoder weights: ${k} missing or of the wrong size`);
      v.assign(tf.tensor(w, v.shape));
    }
  }

  /** tfjs artefacts: weightSpecs plus one little-endian float32 buffer. */
  toArtifacts(): { weightSpecs: WeightSpec[]; weightData: Uint8Array } {
    const specs: WeightSpec[] = [];
    const arrays: Float32Array[] = [];
    for (const [name, v] of this.vars) {
      specs.push({ name, shape: v.shape, dtype: 'float32' });
      arrays.push(v.dataSync() as Float32Array);
    }
    const total = arrays.reduce((s, a) => s + a.length, 0);
    const data = new Float32Array(total);
    let o = 0;
    for (const a of arrays) {
      data.set(a, o);
      o += a.length;
    }
    return { weightSpecs: specs, weightData: new Uint8Array(data.buffer) };
  }

  static fromArtifacts(config: EncoderConfig, specs: WeightSpec[], data: Uint8Array): Encoder {
    const enc = new Encoder(config, 0);
    const f = new Float32Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
    const m = new Map<string, Float32Array>();
    let o = 0;
    for (const s of specs) {
      const n = s.shape.reduce((a, b) => a * b, 1);
      m.set(s.name, f.subarray(o, o + n));
      o += n;
    }
    enc.load(m);
    return enc;
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }
}
