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
/** Sequence branch: patches of 4 packets, then pairs of patches (32 packets -> 8 -> 4 positions). */
const SEQ_K0 = 4;
const SEQ_K1 = 2;

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

/**
 * relu(strided conv1d(x, w) + b) with kernel = stride: a reshape into patches and one matrix
 * product. The wasm backend has no gradient kernel for conv1d (Conv2DBackpropFilter), and a
 * patch convolution is cheap enough for the detection rate targets.
 * x [n, L, C], w [k*C, F] -> [n, L/k, F].
 */
function patchConv(x: tf.Tensor3D, w: tf.Tensor2D, b: tf.Tensor, k: number): tf.Tensor3D {
  const [n, L, C] = x.shape;
  const P = Math.floor(L / k);
  const cut = P * k === L ? x : (tf.slice(x, [0, 0, 0], [n, P * k, C]) as tf.Tensor3D);
  const y = linear(tf.reshape(cut, [n * P, k * C]) as tf.Tensor2D, w);
  return tf.reshape(tf.relu(tf.add(y, b)), [n, P, w.shape[1]]) as tf.Tensor3D;
}

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
      he(SEQ_K0 * c.seq.channels, [SEQ_K0 * c.seq.channels, c.seqFilters], 'seq0/w');
      zeros(c.seqFilters, 'seq0/b');
      he(SEQ_K1 * c.seqFilters, [SEQ_K1 * c.seqFilters, c.seqFilters], 'seq1/w');
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

  /**
   * Embeds scaled host rows [rows, inputDim] -> [rows, embedDim]. Call inside tf.tidy. The
   * row blocks (statistical | spectral | sequence) are split on the host: tf.slice is slow on
   * the wasm backend.
   */
  applyHost(x: Float32Array, rows: number, params?: Map<string, tf.Tensor>): tf.Tensor2D {
    const c = this.config;
    if (!c.specDim && !c.seq) return this.applyParts({ stat: tf.tensor2d(x.subarray(0, rows * c.statDim), [rows, c.statDim]) }, params);
    const D = this.inputDim;
    const S = c.seq ? c.seq.len * c.seq.channels : 0;
    const stat = new Float32Array(rows * c.statDim);
    const spec = c.specDim ? new Float32Array(rows * c.specDim) : null;
    const seq = S ? new Float32Array(rows * S) : null;
    for (let r = 0; r < rows; r++) {
      const o = r * D;
      stat.set(x.subarray(o, o + c.statDim), r * c.statDim);
      if (spec) spec.set(x.subarray(o + c.statDim, o + c.statDim + c.specDim), r * c.specDim);
      if (seq) seq.set(x.subarray(o + c.statDim + c.specDim, o + D), r * S);
    }
    return this.applyParts(
      {
        stat: tf.tensor2d(stat, [rows, c.statDim]),
        spec: spec ? tf.tensor2d(spec, [rows, c.specDim]) : undefined,
        seq: seq && c.seq ? tf.tensor3d(seq, [rows, c.seq.len, c.seq.channels]) : undefined,
      },
      params,
    );
  }

  applyParts(t: { stat: tf.Tensor2D; spec?: tf.Tensor2D; seq?: tf.Tensor3D }, params?: Map<string, tf.Tensor>): tf.Tensor2D {
    const p = (name: string): tf.Tensor => params?.get(name) ?? this.v(name);
    const c = this.config;
    const parts: tf.Tensor2D[] = [];
    let h: tf.Tensor2D = t.stat;
    for (let i = 0; i < c.hidden.length; i++) {
      h = tf.relu(tf.add(linear(h, p(`stat${i}/w`) as tf.Tensor2D), p(`stat${i}/b`))) as tf.Tensor2D;
    }
    parts.push(h);
    if (c.specDim > 0 && t.spec) {
      parts.push(tf.relu(tf.add(linear(t.spec, p('spec/w') as tf.Tensor2D), p('spec/b'))) as tf.Tensor2D);
    }
    if (c.seq && t.seq) {
      let q = patchConv(t.seq, p('seq0/w') as tf.Tensor2D, p('seq0/b'), SEQ_K0);
      q = patchConv(q, p('seq1/w') as tf.Tensor2D, p('seq1/b'), SEQ_K1);
      parts.push(tf.mean(q, 1) as tf.Tensor2D, tf.max(q, 1) as tf.Tensor2D);
    }
    const joint = parts.length === 1 ? parts[0]! : (tf.concat(parts, 1) as tf.Tensor2D);
    return tf.add(tf.add(linear(joint, p('out/w') as tf.Tensor2D), p('out/b')), linear(t.stat, p('skip/w') as tf.Tensor2D)) as tf.Tensor2D;
  }

  /** Embeds a host matrix in chunks; returns [rows * embedDim]. */
  embed(x: Float32Array, rows: number, chunk = 16384): Float32Array {
    const D = this.inputDim;
    const E = this.config.embedDim;
    const out = new Float32Array(rows * E);
    for (let r = 0; r < rows; r += chunk) {
      const n = Math.min(chunk, rows - r);
      const t = tf.tidy(() => this.applyHost(x.subarray(r * D, (r + n) * D), n));
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
