import { Encoder, type EncoderConfig, type WeightSpec } from './encoder';
import { SupervisedNet } from './supervised';
import { FewShotModel, type Algorithm, type Calibration, type ClassInfo, type Hyper } from './model';
import type { PipelineJson } from './pipeline';

/**
 * A model as the `models` row stores it: text columns (JSON) and two BLOBs. `weights` holds
 * the tfjs artefacts (modelTopology + weightSpecs as JSON, then weightData); `prototypes`
 * holds the prototypes and the replay rows. Both BLOBs: magic, u32 JSON length, JSON, floats.
 */
export interface ModelRecord {
  name: string;
  algorithm: Algorithm;
  schema: string;
  classes: ClassInfo[];
  hyper: Hyper;
  pipeline: PipelineJson;
  calibration: Calibration;
  weights: Buffer | null;
  prototypes: Buffer;
}

const W_MAGIC = 'NSTW';
const P_MAGIC = 'NSTP';

function pack(magic: string, header: unknown, ...arrays: ArrayBufferView[]): Buffer {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const pad = (4 - ((8 + json.length) % 4)) % 4;
  const head = Buffer.alloc(8);
  head.write(magic, 0, 'latin1');
  head.writeUInt32LE(json.length + pad, 4);
  return Buffer.concat([head, json, Buffer.alloc(pad, 0x20), ...arrays.map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength))]);
}

function unpack(magic: string, buf: Buffer, what: string): { header: unknown; body: Buffer } {
  if (buf.length < 8 || buf.toString('latin1', 0, 4) !== magic) throw new Error(`${what}: not an NSTD ${what} blob (bad magic).`);
  const n = buf.readUInt32LE(4);
  if (8 + n > buf.length) throw new Error(`${what}: header length ${n} runs past the end (${buf.length} bytes).`);
  return { header: JSON.parse(buf.toString('utf8', 8, 8 + n)) as unknown, body: buf.subarray(8 + n) };
}

const floats = (b: Buffer, offset: number, count: number): Float32Array => {
  if (offset + count * 4 > b.length) throw new Error(`blob truncated: need ${offset + count * 4} bytes, have ${b.length}`);
  const out = new Float32Array(count);
  new Uint8Array(out.buffer).set(b.subarray(offset, offset + count * 4));
  return out;
};

export function toRecord(m: FewShotModel, name: string): ModelRecord {
  let weights: Buffer | null = null;
  if (m.encoder) {
    const a = m.encoder.toArtifacts();
    weights = pack(W_MAGIC, { format: 'tfjs-artifacts', modelTopology: { kind: 'encoder', config: m.encoder.config }, weightSpecs: a.weightSpecs }, a.weightData);
  } else if (m.sup) {
    const a = m.sup.toArtifacts();
    weights = pack(W_MAGIC, { format: 'tfjs-artifacts', modelTopology: { kind: 'supervised', inputDim: m.sup.inputDim, classes: m.sup.classes }, weightSpecs: a.weightSpecs }, a.weightData);
  }
  const p = m.protos;
  const prototypes = pack(
    P_MAGIC,
    { dim: p.dim, count: p.classOf.length, classOf: Array.from(p.classOf), replay: { rows: m.replay.y.length, dim: m.replay.dim, y: Array.from(m.replay.y) } },
    p.vectors,
    m.replay.x,
  );
  return { name, algorithm: m.algorithm, schema: m.pipeline.schema, classes: m.classes, hyper: m.hyper, pipeline: m.pipeline, calibration: m.calibration, weights, prototypes };
}

export function fromRecord(r: ModelRecord): FewShotModel {
  let encoder: Encoder | null = null;
  let sup: SupervisedNet | null = null;
  if (r.weights) {
    const { header, body } = unpack(W_MAGIC, r.weights, 'weights');
    const h = header as { modelTopology: { kind: string; config?: EncoderConfig; inputDim?: number; classes?: number }; weightSpecs: WeightSpec[] };
    const total = h.weightSpecs.reduce((s, w) => s + w.shape.reduce((a, b) => a * b, 1), 0);
    const data = new Uint8Array(floats(body, 0, total).buffer);
    if (h.modelTopology.kind === 'encoder') encoder = Encoder.fromArtifacts(h.modelTopology.config!, h.weightSpecs, data);
    else sup = SupervisedNet.fromArtifacts(h.modelTopology.inputDim!, h.modelTopology.classes!, h.weightSpecs, data);
  }
  const { header, body } = unpack(P_MAGIC, r.prototypes, 'prototypes');
  const h = header as { dim: number; count: number; classOf: number[]; replay: { rows: number; dim: number; y: number[] } };
  const vectors = floats(body, 0, h.count * h.dim);
  const rx = floats(body, h.count * h.dim * 4, h.replay.rows * h.replay.dim);
  const cal = { ...r.calibration, threshold: r.calibration.threshold ?? Infinity };
  return new FewShotModel(
    r.algorithm,
    r.pipeline,
    r.classes,
    r.hyper,
    encoder,
    sup,
    { dim: h.dim, vectors, classOf: Int32Array.from(h.classOf) },
    cal,
    { x: rx, y: Int32Array.from(h.replay.y), dim: h.replay.dim },
  );
}
