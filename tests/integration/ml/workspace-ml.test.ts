import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import fs from 'node:fs';
import path from 'node:path';
import { Workspace } from '../../../electron/core/store/workspace';
import { createSource } from '../../../electron/core/store/sources';
import { FlowWriter, type FlowRecord } from '../../../electron/core/store/flow-writer';
import { applyLabels, ensureClass } from '../../../electron/core/store/labels';
import { featureSchemas } from '../../../electron/core/importers/schemas';
import { adaptJob, detectJob, embedJob, evalJob, trainJob } from '../../../electron/core/ml/jobs';
import { exportModelBytes, importModelBytes, loadModel } from '../../../electron/core/ml/store';
import { modelsHandlers } from '../../../electron/core/service/models';
import { jobSpecs } from '../../../shared/jobs';
import type { JobContext } from '../../../electron/core/jobs/types';
import type { ServiceContext } from '../../../electron/core/service/types';
import { WorkbenchError } from '../../../electron/core/errors';
import { tmpDir } from '../../helpers/tmp';
import { classCentres, synthFlows } from '../../fixtures/ml/synthetic-flows';

/**
 * The product path on a real workspace file: labelled flows in SQLite -> train -> adapt ->
 * detect -> review queue -> export/import; jobs run in-process with a plain context.
 */
const SCHEMA = 'nslkdd';
const D = featureSchemas[SCHEMA]!.features.length;

function ctxFor(ws: Workspace, jobId = 1): JobContext & { logs: string[] } {
  const logs: string[] = [];
  return { jobId, workspacePath: ws.path, signal: new AbortController().signal, progress: () => undefined, log: (l) => logs.push(l), workspace: () => ws, logs };
}

function seedWorkspace(file: string): { ws: Workspace; ids: Map<string, number[]> } {
  const ws = Workspace.open(file, { create: { name: 'ml-test', analyst: 'tester' } });
  // Generated rows put into the nslkdd layout: categorical columns hold small codes.
  const centres = classCentres(6, 6, 21);
  const synth = synthFlows({ classes: 6, perClass: 120, seed: 21, latent: 6, nuisance: D - 12 }, centres);
  const cats = featureSchemas[SCHEMA]!.features.map((f, j) => (f.kind === 'categorical' ? j : -1)).filter((j) => j >= 0);
  const src = createSource(ws.db, { path: '/generated', name: 'generated', size: 0, format: 'generated', schema: SCHEMA, jobId: null });
  const writer = new FlowWriter(ws.db, src, SCHEMA);
  for (let i = 0; i < synth.x.rows; i++) {
    const f = synth.x.data.slice(i * D, (i + 1) * D);
    for (const j of cats) f[j] = synth.y[i]! % 3;
    const rec: FlowRecord = {
      rowNo: i + 1, ts: 1000 + i, endTs: 1001 + i, proto: 6, srcIp: null, dstIp: null, srcPort: null, dstPort: null, vlan: null, communityId: null,
      packetsFwd: 1, packetsBwd: 1, bytesFwd: 10, bytesBwd: 10, payloadFwd: 0, payloadBwd: 0, frameBytesFwd: 0, frameBytesBwd: 0, tcpFlags: null, app: null, hints: null,
      features: f, sequence: null, packetRefs: null, truth: synth.classes[synth.y[i]!]!.name,
    };
    writer.add(rec);
  }
  writer.commit();
  const ids = new Map<string, number[]>();
  const rows = ws.db.prepare('SELECT id, truth FROM flows ORDER BY id').all() as { id: number; truth: string }[];
  for (const r of rows) {
    if (!ids.has(r.truth)) ids.set(r.truth, []);
    ids.get(r.truth)!.push(r.id);
  }
  // Classes 0..4 are labelled (the dataset's labels); class 5 stays unlabelled: the "new attack".
  for (const [name, list] of ids) {
    if (name === 'attack5') continue;
    const classId = ensureClass(ws.db, name, name === 'benign' ? 'benign' : 'attack');
    applyLabels(ws.db, { flowIds: list, classId, origin: 'dataset', author: 'test' });
  }
  return { ws, ids };
}

describe('ML on a workspace', () => {
  let dir: string;
  beforeAll(() => {
    dir = tmpDir('nstd-ml-');
  });

  it('trains, adapts, detects, reviews, projects and round-trips models bit for bit', async () => {
    const { ws, ids } = seedWorkspace(path.join(dir, 'case.nstd'));
    const train = (await trainJob(jobSpecs.train.parse({ episodes: 300, seed: 3 }), ctxFor(ws))) as { modelId: number; classes: string[]; accuracy: number };
    expect(train.classes.sort()).toEqual(['Benign', 'attack1', 'attack2', 'attack3', 'attack4']);
    expect(train.accuracy).toBeGreaterThan(0.6);

    const support = ids.get('attack5')!.slice(0, 5);
    const adapted = (await adaptJob(jobSpecs.adapt.parse({ modelId: train.modelId, className: 'attack5', flowIds: support }), ctxFor(ws))) as { modelId: number; parentId: number; shots: number };
    expect(adapted).toMatchObject({ parentId: train.modelId, shots: 5 });

    const det = (await detectJob(jobSpecs.detect.parse({}), ctxFor(ws, 2))) as { runId: number; modelId: number; flows: number; counts: Record<string, number> };
    expect(det.modelId).toBe(adapted.modelId); // newest model of the schema
    expect(det.flows).toBe(720);
    expect(det.counts.attack5 ?? 0).toBeGreaterThan(60);

    // Review queue: keyset pages cover every detection exactly once, unknown first when asked.
    const none = (): never => {
      throw new Error('not used here');
    };
    const sctx: ServiceContext = { ws: () => ws, jobs: none, emit: () => undefined, host: 'cli', openWorkspace: none, closeWorkspace: none };
    const seen = new Set<number>();
    let after: string | null = null;
    let firstKnown = false;
    do {
      const page = (await modelsHandlers['detections.page']({ runId: det.runId, sort: 'novelty', unknownFirst: true, verdict: 'all', limit: 100, after }, sctx)) as { rows: { id: number; predicted: string }[]; next: string | null; total: number };
      expect(page.total).toBe(720);
      for (const r of page.rows) {
        expect(seen.has(r.id)).toBe(false);
        seen.add(r.id);
        if (r.predicted !== 'unknown') firstKnown = true;
        else expect(firstKnown).toBe(false);
      }
      after = page.next;
    } while (after);
    expect(seen.size).toBe(720);

    const one = ws.db.prepare("SELECT id, flow_id FROM detections WHERE run_id = ? AND predicted = 'attack5' LIMIT 1").get(det.runId) as { id: number; flow_id: number };
    const reviewed = await modelsHandlers['detections.review']({ id: one.id, verdict: 'confirmed', note: 'looks right' }, sctx);
    expect(reviewed).toMatchObject({ verdict: 'confirmed', note: 'looks right', reviewer: 'tester' });
    const label = ws.db.prepare('SELECT l.origin, lc.name FROM labels l JOIN label_classes lc ON lc.id = l.class_id WHERE l.flow_id = ? ORDER BY l.id DESC LIMIT 1').get(one.flow_id);
    expect(label).toEqual({ origin: 'model-accepted', name: 'attack5' });

    const tl = await modelsHandlers['detections.timeline']({ runId: det.runId, buckets: 10 }, sctx);
    expect(tl.series.reduce((s, x) => s + x.counts.reduce((a, b) => a + b, 0), 0)).toBe(720);

    const emb = (await embedJob(jobSpecs.embed.parse({ limit: 500 }), ctxFor(ws, 3))) as { total: number; x: string; prototypes: unknown[] };
    expect(emb.total).toBe(500);
    expect(Buffer.from(emb.x, 'base64').length).toBe(500 * 4);
    const um = (await embedJob(jobSpecs.embed.parse({ limit: 300, method: 'umap' }), ctxFor(ws, 3))) as { total: number; method: string; x: string; y: string; prototypes: { x: number }[] };
    expect(um).toMatchObject({ total: 300, method: 'umap' });
    const ux = new Float32Array(new Uint8Array(Buffer.from(um.x, 'base64')).buffer);
    expect(ux.every(Number.isFinite)).toBe(true);
    expect(new Set(ux).size).toBeGreaterThan(100);
    expect(um.prototypes.every((p) => Number.isFinite(p.x))).toBe(true);

    // Lineage and export/import.
    const detail = await modelsHandlers['models.get']({ id: adapted.modelId }, sctx);
    expect(detail.lineage.map((l) => l.id)).toEqual([train.modelId]);
    const bytes = exportModelBytes(ws.db, adapted.modelId);
    const other = Workspace.open(path.join(dir, 'other.nstd'), { create: { name: 'other' } });
    const imported = importModelBytes(other.db, bytes);
    expect(exportModelBytes(other.db, imported).equals(bytes)).toBe(true);
    const a = loadModel(ws.db, adapted.modelId);
    const b = loadModel(other.db, imported);
    const probe = { data: new Float32Array(3 * D).fill(1), rows: 3, cols: D };
    expect(b.detect(probe)).toEqual(a.detect(probe));
    other.close();
    ws.close();
  });

  it('the held-out-attack evaluation runs on workspace flows and prints the issue\'s shape', async () => {
    const { ws } = seedWorkspace(path.join(dir, 'eval.nstd'));
    const r = (await evalJob(jobSpecs.eval.parse({ novel: ['attack4'], perClass: 60, pool: 100, shots: [1, 5], repeats: 2, episodes: 150, seed: 1 }), ctxFor(ws))) as {
      results: { novel: string; shots: number; algorithm: string; f1: { mean: number; lo: number; hi: number }; fpr: { mean: number } }[];
      unknownAuroc: { mean: number };
    };
    expect(r.results.map((x) => [x.novel, x.shots, x.algorithm])).toEqual([['attack4', 1, 'protonet'], ['attack4', 5, 'protonet']]);
    for (const x of r.results) expect(x.f1.lo).toBeLessThanOrEqual(x.f1.mean);
    expect(r.unknownAuroc.mean).toBeGreaterThan(0.5);
    const again = await evalJob(jobSpecs.eval.parse({ novel: ['attack4'], perClass: 60, pool: 100, shots: [1, 5], repeats: 2, episodes: 150, seed: 1 }), ctxFor(ws));
    expect(again).toEqual(r);
    ws.close();
  });

  it('rejects malformed .nstdmodel files with an error, never a crash', () => {
    const ws = Workspace.open(path.join(dir, 'bad.nstd'), { create: { name: 'bad' } });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.boolean(), (bytes, withMagic) => {
        const b = withMagic ? Buffer.concat([Buffer.from('NSTDMODEL1\n'), Buffer.from(bytes)]) : Buffer.from(bytes);
        try {
          importModelBytes(ws.db, b);
          return false;
        } catch (err) {
          return err instanceof WorkbenchError;
        }
      }),
      { numRuns: 300 },
    );
    expect(fs.existsSync(path.join(dir, 'bad.nstd'))).toBe(true);
    ws.close();
  });
});
