/**
 * `nstd bench train` and `nstd bench detect`: the speed figures of issue 5, measured on
 * generated data shaped like real flows (the cic schema's 77 statistical features; the pcap
 * schema's statistical + spectral + 32-packet sequence). Printed, never asserted.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pickBackend } from './backend';
import { Encoder, defaultEncoderConfig } from './encoder';
import { metaTrain, defaultMetaOptions } from './meta-train';
import { trainModel, type LabelledData } from './model';
import { normal, rng } from './random';
import { takeRows } from './matrix';
import { featureSchemas } from '../importers/schemas';
import { pcapFeatures, pcapSequenceShape } from '../capture/features';
import { Workspace } from '../store/workspace';
import { createSource } from '../store/sources';
import { FlowWriter } from '../store/flow-writer';
import { saveModel } from './store';
import { detectJob } from './jobs';
import { jobSpecs } from '../../../shared/jobs';
import { schemaColumns } from './schema-info';

export interface MlBenchOptions {
  /** Flows for the detection figures (default 1,000,000). */
  flows?: number;
  /** Episodes timed (default 600). */
  episodes?: number;
  dir?: string;
  log?: (line: string) => void;
}

function generated(schema: 'cic' | 'pcap', rows: number, classes: number, seed: number): LabelledData {
  const cols = schemaColumns(schema);
  const D = cols.names.length;
  const S = cols.seq ? cols.seq.len * cols.seq.channels : 0;
  const r = rng(seed);
  const x = new Float32Array(rows * D);
  const seq = S ? new Float32Array(rows * S) : null;
  const y = new Int32Array(rows);
  const centre = Array.from({ length: classes }, () => Float64Array.from({ length: D }, () => normal(r) * 2));
  for (let i = 0; i < rows; i++) {
    const c = i % classes;
    y[i] = c;
    for (let j = 0; j < D; j++) x[i * D + j] = cols.roles[j] === 'categorical' ? c % 3 : Math.exp(centre[c]![j]! + normal(r) * 0.8);
    if (seq) for (let t = 0; t < S; t++) seq[i * S + t] = (t % 3 === 0 ? 1 : 0.01) * Math.exp(centre[c]![t % D]! + normal(r));
  }
  return {
    schema,
    names: cols.names,
    roles: cols.roles,
    x: { data: x, rows, cols: D },
    seq: seq && cols.seq ? { m: { data: seq, rows, cols: S }, len: cols.seq.len, channels: cols.seq.channels } : null,
    y,
    classes: Array.from({ length: classes }, (_, c) => ({ name: c ? `attack${c}` : 'benign', kind: c ? 'attack' : 'benign' })),
  };
}

export async function benchTrain(o: MlBenchOptions = {}) {
  const log = o.log ?? (() => undefined);
  const backend = await pickBackend();
  const episodes = o.episodes ?? 600;
  const out: Record<string, unknown> = { backend: backend.name, simd: backend.simd };
  for (const schema of ['cic', 'pcap'] as const) {
    const data = generated(schema, 4000, 10, 1);
    const rep = await trainModel(data, { episodes: 40, seed: 1 });
    const m = rep.model;
    const xs = m.scale(data.x, data.seq?.m);
    const enc = new Encoder(defaultEncoderConfig(m.pipeline.dims, m.pipeline.seq ? { len: m.pipeline.seq.len, channels: m.pipeline.seq.channels } : null), 2);
    await metaTrain(enc, xs, data.y, { ...defaultMetaOptions, episodes: 40 }); // warm-up
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    await metaTrain(enc, xs, data.y, { ...defaultMetaOptions, ways: 5, shots: 5, queries: 15, episodes, metaBatch: m.hyper.metaBatch, lr: m.hyper.lr });
    const eps = episodes / ((performance.now() - t0) / 1000);
    const cpu = process.cpuUsage(c0);
    const epsCpu = episodes / ((cpu.user + cpu.system) / 1e6);
    enc.dispose();
    log(`${schema}: ${eps.toFixed(0)} episodes/s wall, ${epsCpu.toFixed(0)} per CPU-second (5-way 5-shot 15-query, meta-batch ${m.hyper.metaBatch})`);
    // Prototype adaptation (5 flows of a new class) and fine-tune adaptation.
    const support = takeRows(xs, [0, 10, 20, 30, 40]);
    await m.adapt('warm', 'attack', support);
    const ta = performance.now();
    const reps = 20;
    for (let i = 0; i < reps; i++) await m.adapt(`new${i}`, 'attack', support);
    const protoMs = (performance.now() - ta) / reps;
    const tf0 = performance.now();
    const ft = await m.adapt('fine', 'attack', support, { fineTune: true });
    const fineS = (performance.now() - tf0) / 1000;
    ft.encoder?.dispose();
    log(`${schema}: prototype adaptation ${protoMs.toFixed(1)} ms, fine-tune adaptation ${fineS.toFixed(2)} s`);
    out[schema] = {
      episodesPerSecond: eps,
      episodesPerCpuSecond: epsCpu,
      target: schema === 'cic' ? '>= 150 episodes/s (statistical encoder)' : 'no target (sequence + spectral branches)',
      prototypeAdaptMs: protoMs,
      prototypeAdaptTarget: '< 50 ms',
      fineTuneAdaptSeconds: fineS,
      fineTuneTarget: '< 3 s',
    };
    m.dispose();
  }
  return out;
}

export async function benchDetect(o: MlBenchOptions = {}) {
  const log = o.log ?? (() => undefined);
  const backend = await pickBackend();
  const flows = o.flows ?? 1_000_000;
  const out: Record<string, unknown> = { backend: backend.name, simd: backend.simd, flows };
  for (const schema of ['cic', 'pcap'] as const) {
    const train = generated(schema, 3000, 8, 3);
    const { model } = await trainModel(train, { episodes: 40, seed: 1 });
    const n = schema === 'cic' ? flows : Math.min(flows, 200_000);
    const big = generated(schema, 20_000, 8, 4);
    // Tile the generated rows up to n flows.
    const D = big.x.cols;
    const x = new Float32Array(n * D);
    for (let o2 = 0; o2 < n * D; o2 += big.x.data.length) x.set(big.x.data.subarray(0, Math.min(big.x.data.length, n * D - o2)), o2);
    let seq: { data: Float32Array; rows: number; cols: number } | null = null;
    if (big.seq) {
      const S = big.seq.m.cols;
      const s = new Float32Array(n * S);
      for (let o2 = 0; o2 < n * S; o2 += big.seq.m.data.length) s.set(big.seq.m.data.subarray(0, Math.min(big.seq.m.data.length, n * S - o2)), o2);
      seq = { data: s, rows: n, cols: S };
    }
    model.detect({ data: x.subarray(0, 1000 * D), rows: 1000, cols: D }, seq ? { data: seq.data.subarray(0, 1000 * seq.cols), rows: 1000, cols: seq.cols } : null);
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const chunk = 100_000;
    for (let r = 0; r < n; r += chunk) {
      const m = Math.min(chunk, n - r);
      model.detect({ data: x.subarray(r * D, (r + m) * D), rows: m, cols: D }, seq ? { data: seq.data.subarray(r * seq.cols, (r + m) * seq.cols), rows: m, cols: seq.cols } : null);
    }
    const rate = n / ((performance.now() - t0) / 1000);
    // CPU time of this process too: on a shared machine the wall clock mostly measures the others.
    const cpu = process.cpuUsage(c0);
    const cpuRate = n / ((cpu.user + cpu.system) / 1e6);
    log(`${schema}: detection in memory (scale + embed + nearest prototypes) ${Math.round(rate).toLocaleString('en')} flows/s wall, ${Math.round(cpuRate).toLocaleString('en')} flows per CPU-second, over ${n.toLocaleString('en')} flows`);
    out[schema] = { inMemoryFlowsPerSecond: rate, inMemoryFlowsPerCpuSecond: cpuRate, target: schema === 'cic' ? '>= 400,000 flows/s' : 'no target (sequence branch)', flows: n };
    if (schema === 'cic') {
      // Workspace -> detections, end to end (read features, detect, write detections).
      const dir = o.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'nstd-bench-ml-'));
      const file = path.join(dir, 'bench-ml.nstd');
      fs.rmSync(file, { force: true });
      const ws = Workspace.open(file, { create: { name: 'bench-ml' } });
      try {
        const src = createSource(ws.db, { path: '/generated', name: 'generated', size: 0, format: 'generated', schema: 'cic', jobId: null });
        const w = new FlowWriter(ws.db, src, 'cic', 20_000);
        const tw = performance.now();
        for (let i = 0; i < n; i++) {
          w.add({
            rowNo: i + 1, ts: i * 0.001, endTs: i * 0.001 + 0.5, proto: 6, srcIp: '10.0.0.1', dstIp: '10.0.0.2', srcPort: 40000 + (i % 20000), dstPort: 80, vlan: null, communityId: null,
            packetsFwd: 3, packetsBwd: 2, bytesFwd: 300, bytesBwd: 200, payloadFwd: 0, payloadBwd: 0, frameBytesFwd: 0, frameBytesBwd: 0, tcpFlags: null, app: null, hints: null,
            features: x.subarray(i * D, (i + 1) * D), sequence: null, packetRefs: null, truth: null,
          });
        }
        w.commit();
        log(`workspace of ${n.toLocaleString('en')} flows written in ${((performance.now() - tw) / 1000).toFixed(1)} s`);
        saveModel(ws.db, model, { name: 'bench', metrics: {} });
        const t1 = performance.now();
        const r = (await detectJob(jobSpecs.detect.parse({ schema: 'cic' }), {
          jobId: 0,
          workspacePath: file,
          signal: new AbortController().signal,
          progress: () => undefined,
          log: () => undefined,
          workspace: () => ws,
        })) as { flows: number; inferFlowsPerSecond: number };
        const secs = (performance.now() - t1) / 1000;
        log(`workspace -> detections: ${r.flows.toLocaleString('en')} flows in ${secs.toFixed(1)} s`);
        out.workspace = { flows: r.flows, seconds: secs, target: '1 M flows in < 10 s', inferFlowsPerSecond: r.inferFlowsPerSecond };
      } finally {
        ws.close();
        if (!o.dir) fs.rmSync(dir, { recursive: true, force: true });
      }
    }
    model.dispose();
  }
  return out;
}

// Referenced so the schema tables stay in step with what the bench generates.
void featureSchemas;
void pcapFeatures;
void pcapSequenceShape;

// ---- `nstd bench train|detect` entries (electron/cli/commands/bench.ts) -----------------------

interface BenchArgs {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
}
interface BenchIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

const optNum = (args: BenchArgs, name: string): number | undefined => {
  const v = args.values[name];
  if (typeof v !== 'string') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got ${JSON.stringify(v)}.`);
  return n;
};

export async function benchTrainCli(args: BenchArgs, io: BenchIO): Promise<number> {
  const json = args.values.json === true;
  const r = await benchTrain({ episodes: optNum(args, 'episodes'), log: json ? undefined : (l) => io.stdout.write(l + '\n') });
  if (json) io.stdout.write(JSON.stringify(r) + '\n');
  return 0;
}

export async function benchDetectCli(args: BenchArgs, io: BenchIO): Promise<number> {
  const json = args.values.json === true;
  const r = await benchDetect({ flows: optNum(args, 'flows'), log: json ? undefined : (l) => io.stdout.write(l + '\n') });
  if (json) io.stdout.write(JSON.stringify(r) + '\n');
  return 0;
}
