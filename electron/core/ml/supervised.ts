import { tf } from './backend';
import { linear, type WeightSpec } from './encoder';
import { normal, rng, sample } from './random';
import type { Matrix } from './matrix';

/**
 * The supervised baseline with the architecture of the product's founding sketch: Dense 64 relu,
 * Dense 32 relu, softmax over the classes; Adam; sparse categorical cross-entropy. A new class
 * gets a new output unit and the whole net is fine-tuned on the support flows (with a small
 * replay of stored training rows so the old classes are not forgotten).
 */
export class SupervisedNet {
  readonly vars = new Map<string, tf.Variable>();
  private static count = 0;

  constructor(
    readonly inputDim: number,
    public classes: number,
    seed: number,
  ) {
    const rand = rng(seed);
    const uid = ++SupervisedNet.count;
    const init = (name: string, shape: number[], fanIn: number): void => {
      const n = shape.reduce((a, b) => a * b, 1);
      const a = new Float32Array(n);
      if (fanIn > 0) {
        const sd = Math.sqrt(2 / fanIn);
        for (let i = 0; i < n; i++) a[i] = normal(rand) * sd;
      }
      this.vars.set(name, tf.variable(tf.tensor(a, shape), true, `sup${uid}/${name}`));
    };
    init('d1/w', [inputDim, 64], inputDim);
    init('d1/b', [64], 0);
    init('d2/w', [64, 32], 64);
    init('d2/b', [32], 0);
    init('out/w', [32, classes], 32);
    init('out/b', [classes], 0);
  }

  private p(n: string): tf.Variable {
    return this.vars.get(n)!;
  }

  /** Penultimate (32-d) features. */
  features(x: tf.Tensor2D): tf.Tensor2D {
    const h = tf.relu(tf.add(linear(x, this.p('d1/w') as unknown as tf.Tensor2D), this.p('d1/b'))) as tf.Tensor2D;
    return tf.relu(tf.add(linear(h, this.p('d2/w') as unknown as tf.Tensor2D), this.p('d2/b'))) as tf.Tensor2D;
  }

  logits(x: tf.Tensor2D): tf.Tensor2D {
    return tf.add(linear(this.features(x), this.p('out/w') as unknown as tf.Tensor2D), this.p('out/b')) as tf.Tensor2D;
  }

  /** Softmax probabilities and penultimate features of host rows. */
  run(x: Float32Array, rows: number, chunk = 16384): { probs: Float32Array; feats: Float32Array } {
    const C = this.classes;
    const probs = new Float32Array(rows * C);
    const feats = new Float32Array(rows * 32);
    for (let r = 0; r < rows; r += chunk) {
      const n = Math.min(chunk, rows - r);
      const [p, f] = tf.tidy(() => {
        const t = tf.tensor2d(x.subarray(r * this.inputDim, (r + n) * this.inputDim), [n, this.inputDim]);
        const f = this.features(t);
        const l = tf.add(tf.matMul(f, this.p('out/w')), this.p('out/b'));
        return [tf.softmax(l), f];
      });
      probs.set(p.dataSync() as Float32Array, r * C);
      feats.set(f.dataSync() as Float32Array, r * 32);
      tf.dispose([p, f]);
    }
    return { probs, feats };
  }

  /** Minibatch Adam on (x, y); returns the last loss. */
  async fit(x: Matrix, y: Int32Array, steps: number, opts: { lr: number; batch: number; seed: number; signal?: AbortSignal; onStep?: (i: number, loss: number, acc: number) => void }): Promise<number> {
    const rand = rng(opts.seed);
    const optimizer = tf.train.adam(opts.lr);
    const D = x.cols;
    const all = Array.from({ length: x.rows }, (_, i) => i);
    let last = NaN;
    try {
      for (let s = 0; s < steps; s++) {
        if (opts.signal?.aborted) break;
        const idx = sample(all, opts.batch, rand);
        const bx = new Float32Array(idx.length * D);
        const by = new Int32Array(idx.length);
        idx.forEach((r, i) => {
          bx.set(x.data.subarray(r * D, r * D + D), i * D);
          by[i] = y[r]!;
        });
        let accT: tf.Scalar | null = null;
        const loss = optimizer.minimize(() => {
          const l = this.logits(tf.tensor2d(bx, [idx.length, D]));
          const oh = tf.oneHot(tf.tensor1d(by, 'int32'), this.classes);
          accT = tf.keep(tf.mean(tf.cast(tf.equal(tf.argMax(l, 1), tf.argMax(oh, 1)), 'float32')) as tf.Scalar);
          return tf.losses.softmaxCrossEntropy(oh, l) as tf.Scalar;
        }, true, [...this.vars.values()])!;
        last = loss.dataSync()[0]!;
        const acc = (accT as tf.Scalar | null)?.dataSync()[0] ?? NaN;
        loss.dispose();
        (accT as tf.Scalar | null)?.dispose();
        opts.onStep?.(s + 1, last, acc);
        if (s % 50 === 49) await new Promise((r) => setImmediate(r));
      }
    } finally {
      optimizer.dispose();
    }
    return last;
  }

  /** A copy with one more output class (its weights start at zero), for adaptation. */
  withExtraClass(seed: number): SupervisedNet {
    const n = new SupervisedNet(this.inputDim, this.classes + 1, seed);
    for (const k of ['d1/w', 'd1/b', 'd2/w', 'd2/b']) n.vars.get(k)!.assign(this.vars.get(k)!);
    const w = this.vars.get('out/w')!;
    const b = this.vars.get('out/b')!;
    n.vars.get('out/w')!.assign(tf.tidy(() => tf.concat([w, tf.zeros([32, 1])], 1)));
    n.vars.get('out/b')!.assign(tf.tidy(() => tf.concat([b, tf.zeros([1])], 0)));
    return n;
  }

  toArtifacts(): { weightSpecs: WeightSpec[]; weightData: Uint8Array } {
    const specs: WeightSpec[] = [];
    const arrays: Float32Array[] = [];
    for (const [name, v] of this.vars) {
      specs.push({ name, shape: v.shape, dtype: 'float32' });
      arrays.push(v.dataSync() as Float32Array);
    }
    const data = new Float32Array(arrays.reduce((s, a) => s + a.length, 0));
    let o = 0;
    for (const a of arrays) {
      data.set(a, o);
      o += a.length;
    }
    return { weightSpecs: specs, weightData: new Uint8Array(data.buffer) };
  }

  static fromArtifacts(inputDim: number, classes: number, specs: WeightSpec[], data: Uint8Array): SupervisedNet {
    const net = new SupervisedNet(inputDim, classes, 0);
    const f = new Float32Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
    let o = 0;
    for (const s of specs) {
      const n = s.shape.reduce((a, b) => a * b, 1);
      const v = net.vars.get(s.name);
      if (!v || v.size !== n) throw new Error(`Supervised weights: ${s.name} missing or of the wrong size`);
      v.assign(tf.tensor(f.subarray(o, o + n), s.shape));
      o += n;
    }
    return net;
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
  }
}
