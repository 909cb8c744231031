import fs from 'node:fs';
import path from 'node:path';
import type { JobContext, JobHandler } from '../jobs/types';
import { WorkbenchError } from '../errors';
import { projectRoot } from '../data-dir';
import { nowIso, type Db } from '../store/workspace';
import { pickBackend } from './backend';
import { trainModel, type FewShotModel } from './model';
import { loadLabelled, loadFeatures, iterateFlows, countFlows, dominantSchema } from './data';
import { saveModel, loadModel, newestModelId, storedMetrics, importModelBytes, getModelSummary } from './store';
import { runEvaluation } from './evaluate';
import { schemaColumns } from './schema-info';
import { compileFilter, registerFilterFunctions } from '../store/filter-sql';
import { pca2 } from './pca';
import { UMAP_MAX_FLOWS, umap2, umapSample } from './umap';

const cancelled = (): WorkbenchError => new WorkbenchError('E_CANCELLED', 'Cancelled.');

async function backendLine(ctx: JobContext): Promise<string> {
  const b = await pickBackend();
  const line = `TensorFlow.js backend: ${b.name}${b.simd ? ' (SIMD)' : ''}`;
  ctx.log(line);
  return b.name;
}

/** Meta-trains (or trains a baseline) on the workspace's labelled flows and stores the model. */
export const trainJob: JobHandler<'train'> = async (spec, ctx) => {
  const backend = await backendLine(ctx);
  const db = ctx.workspace().db;
  ctx.progress(0, spec.episodes, 'episodes', 'loading labelled flows');
  const data = loadLabelled(db, { schema: spec.schema, classes: spec.classes, perClass: spec.perClass, filter: spec.filter, seed: spec.seed });
  ctx.log(`${data.x.rows} labelled ${data.schema} flows: ${data.classes.map((c, k) => `${c.name} ${data.y.filter((y) => y === k).length}`).join(', ')}`);
  let lastLog = 0;
  const t0 = Date.now();
  const report = await trainModel(
    data,
    { algorithm: spec.algorithm, ways: spec.ways, shots: spec.shots, queries: spec.queries, episodes: spec.episodes, seed: spec.seed },
    (p) => {
      ctx.progress(p.episodes, p.total, p.phase === 'training' ? 'steps' : 'episodes', `loss ${p.loss.toFixed(4)} acc ${p.accuracy.toFixed(3)}`);
      const now = Date.now();
      if (now - lastLog > 500 || p.episodes === p.total) {
        lastLog = now;
        ctx.log(`metrics ${JSON.stringify({ step: p.episodes, loss: p.loss, acc: p.accuracy })}`);
      }
    },
    ctx.signal,
  );
  if (ctx.signal.aborted) throw cancelled();
  const seconds = (Date.now() - t0) / 1000;
  const name = spec.name ?? `${spec.algorithm} ${data.schema} ${new Date().toISOString().slice(0, 16).replace('T', ' ')}`;
  const metrics = { ...storedMetrics(report.metrics, report.model.classes.map((c) => c.name), report.curve), trainSeconds: seconds, trainRows: report.trainRows, duplicatesRemoved: report.dedupRemoved, backend };
  const id = saveModel(db, report.model, { name, metrics });
  report.model.dispose();
  return { modelId: id, name, schema: data.schema, classes: report.model.classes.map((c) => c.name), accuracy: report.metrics.accuracy, auc: report.metrics.auc, fpr: report.metrics.fpr, trainRows: report.trainRows, validationRows: report.validationRows, duplicatesRemoved: report.dedupRemoved, seconds, backend };
};

/** Few-shot adaptation: a new model version (parent = the given model) that knows the class. */
export const adaptJob: JobHandler<'adapt'> = async (spec, ctx) => {
  await backendLine(ctx);
  const db = ctx.workspace().db;
  const base = loadModel(db, spec.modelId);
  const schema = base.pipeline.schema;
  const cols = schemaColumns(schema);
  let ids: number[];
  if (spec.flowIds) ids = spec.flowIds;
  else {
    registerFilterFunctions(db);
    const f = compileFilter(spec.filter!);
    ids = db.prepare(`SELECT f.id FROM flows f WHERE f.schema = ? AND (${f.where}) ORDER BY f.id LIMIT 100000`).pluck().all(schema, ...f.params) as number[];
  }
  const present = db.prepare(`SELECT f.id FROM flows f WHERE f.schema = ? AND f.features IS NOT NULL AND f.id IN (SELECT value FROM json_each(?)) ORDER BY f.id`).pluck().all(schema, JSON.stringify(ids)) as number[];
  if (!present.length) throw new WorkbenchError('E_INVALID', `None of the ${ids.length} given flows has ${schema} features (the model's schema). Pick flows of the same kind of source.`);
  ctx.progress(0, 1, 'steps', `adapting to ${spec.className} from ${present.length} flows`);
  const m = loadFeatures(db, Int32Array.from(present), cols.names.length, cols.seq);
  const t0 = performance.now();
  const support = base.scale(m.x, m.seq?.m);
  const adapted = await base.adapt(spec.className, spec.kind, support, { fineTune: spec.fineTune, seed: spec.seed });
  const ms = performance.now() - t0;
  const parent = getModelSummary(db, spec.modelId);
  const name = `${parent.name} + ${spec.className} (${present.length}-shot${spec.fineTune ? ', fine-tuned' : ''})`;
  const id = saveModel(db, adapted, {
    name,
    parentId: spec.modelId,
    metrics: { ...parent.metrics, adaptMs: ms },
    adaptation: { className: spec.className, shots: present.length, fineTune: spec.fineTune, ...(spec.filter ? { filter: spec.filter } : { flowIds: present.slice(0, 1000) }) },
  });
  ctx.progress(1, 1, 'steps', `model ${id}`);
  return { modelId: id, parentId: spec.modelId, className: spec.className, shots: present.length, fineTune: spec.fineTune, ms, bias: adapted.calibration.bias?.[adapted.classes.findIndex((c) => c.name === spec.className)] ?? 0 };
};

/** The shipped base model (resources/base-model/base.nstdmodel), imported into the workspace once. */
export function baseModelFile(): string | null {
  if (process.env.NSTD_BASE_MODEL) return fs.existsSync(process.env.NSTD_BASE_MODEL) ? process.env.NSTD_BASE_MODEL : null;
  const p = path.join(projectRoot(), 'resources', 'base-model', 'base.nstdmodel');
  return fs.existsSync(p) ? p : null;
}

export function resolveModelId(db: Db, modelId: number | undefined, schema: string): number {
  if (modelId) return modelId;
  const newest = newestModelId(db, schema);
  if (newest) return newest;
  const file = schema === 'pcap' ? baseModelFile() : null;
  if (file) return importModelBytes(db, fs.readFileSync(file), file);
  throw new WorkbenchError('E_NOT_FOUND', `No ${schema} model in this workspace${schema === 'pcap' ? ' and no shipped base model found' : ''}. Train one first: nstd train --workspace WS.`);
}

/**
 * The flows' schema (given, else the model's, else the workspace's dominant one) and the model
 * to run on them (given, else the newest of that schema, else the shipped base model).
 */
function modelForFlows(db: Db, spec: { schema?: string | undefined; modelId?: number | undefined }) {
  let schema = spec.schema;
  if (!schema && spec.modelId) schema = (db.prepare('SELECT schema FROM models WHERE id = ?').pluck().get(spec.modelId) as string | undefined) ?? undefined;
  schema ??= dominantSchema(db);
  const modelId = resolveModelId(db, spec.modelId, schema);
  return { schema, modelId, model: loadModel(db, modelId) };
}

/** Runs a model over the flows a filter selects and writes `detections` (verdict new). */
export const detectJob: JobHandler<'detect'> = async (spec, ctx) => {
  const backend = await backendLine(ctx);
  const db = ctx.workspace().db;
  const { schema, modelId, model } = modelForFlows(db, spec);
  if (model.pipeline.schema !== schema) throw new WorkbenchError('E_INVALID', `Model ${modelId} is for ${model.pipeline.schema} flows, not ${schema}.`);
  const total = countFlows(db, { schema, filter: spec.filter || undefined });
  const jobRow = db.prepare('SELECT id FROM jobs WHERE id = ?').pluck().get(ctx.jobId) as number | undefined;
  const run = db.prepare('INSERT INTO detection_runs (model_id, job_id, filter, created_at) VALUES (?, ?, ?, ?)').run(modelId, jobRow ?? null, spec.filter, nowIso());
  const runId = Number(run.lastInsertRowid);
  // Multi-row INSERTs: one statement call per 200 detections instead of one per row.
  const ROWS = 200;
  const insert = 'INSERT INTO detections (run_id, flow_id, predicted, score, novelty, attack_score) VALUES ';
  const ins = db.prepare(insert + '(?, ?, ?, ?, ?, ?)');
  const insMany = db.prepare(insert + new Array(ROWS).fill('(?, ?, ?, ?, ?, ?)').join(', '));
  const names = model.classes.map((c) => c.name);
  const counts: Record<string, number> = {};
  let done = 0;
  let inferMs = 0;
  const t0 = performance.now();
  const write = db.transaction((ids: Int32Array, out: ReturnType<FewShotModel['detect']>) => {
    const args: (number | string)[] = [];
    for (let i = 0; i < ids.length; i++) {
      const p = out.pred[i]!;
      const name = p < 0 ? 'unknown' : names[p]!;
      counts[name] = (counts[name] ?? 0) + 1;
      args.push(runId, ids[i]!, name, out.score[i]!, out.novelty[i]!, out.attackScore[i]!);
      if (args.length === ROWS * 6) {
        insMany.run(args);
        args.length = 0;
      }
    }
    for (let o = 0; o < args.length; o += 6) ins.run(args.slice(o, o + 6));
  });
  ctx.progress(0, total, 'flows', `model ${modelId}`);
  for (const b of iterateFlows(db, { schema, filter: spec.filter || undefined, batch: 50_000 })) {
    if (ctx.signal.aborted) break;
    const ti = performance.now();
    const out = model.detect({ data: b.x, rows: b.rows, cols: model.pipeline.inputNames.length }, b.seq ? { data: b.seq, rows: b.rows, cols: b.seq.length / b.rows } : null);
    inferMs += performance.now() - ti;
    write(b.ids, out);
    done += b.rows;
    ctx.progress(done, total, 'flows', `${counts.unknown ?? 0} unknown`);
    await new Promise((r) => setImmediate(r));
  }
  db.prepare('UPDATE detection_runs SET flow_count = ?, counts = ? WHERE id = ?').run(done, JSON.stringify(counts), runId);
  model.dispose();
  if (ctx.signal.aborted) throw cancelled();
  const seconds = (performance.now() - t0) / 1000;
  return { runId, modelId, flows: done, counts, unknown: counts.unknown ?? 0, seconds, flowsPerSecond: done / Math.max(seconds, 1e-9), inferFlowsPerSecond: done / Math.max(inferMs / 1000, 1e-9), backend };
};

/** The held-out-attack evaluation on the workspace's labelled flows. */
export const evalJob: JobHandler<'eval'> = async (spec, ctx) => {
  const backend = await backendLine(ctx);
  const db = ctx.workspace().db;
  const data = loadLabelled(db, { schema: spec.schema, seed: spec.seed });
  const benign = spec.benign ?? data.classes.find((c) => c.kind === 'benign')?.name;
  if (!benign) throw new WorkbenchError('E_INVALID', 'No benign class among the labelled flows; name one with --benign.');
  ctx.log(`${data.x.rows} labelled ${data.schema} flows; classes ${data.classes.map((c) => c.name).join(', ')}`);
  const r = await runEvaluation(
    data,
    {
      novel: spec.novel,
      base: spec.base,
      benign,
      distractors: spec.distractors,
      perClass: spec.perClass,
      benignRatio: spec.benignRatio,
      pool: spec.pool,
      shots: spec.shots,
      repeats: spec.repeats,
      algorithm: spec.algorithm,
      seed: spec.seed,
      fineTune: spec.fineTune,
      hyper: spec.episodes ? { episodes: spec.episodes } : {},
    },
    (p) => ctx.progress(p.done, p.total, 'runs', p.message),
    ctx.signal,
  );
  return { ...r, schema: data.schema, backend };
};

/**
 * 2-D projection of flow embeddings and of the prototypes for the Embedding view: PCA of up to
 * 100k flows, or UMAP of a seeded sample of at most 10k.
 */
export const embedJob: JobHandler<'embed'> = async (spec, ctx) => {
  const backend = await backendLine(ctx);
  const db = ctx.workspace().db;
  const { schema, modelId, model } = modelForFlows(db, spec);
  const ids: number[] = [];
  const embs: Float32Array[] = [];
  const preds: Int32Array[] = [];
  let dim = 0;
  const total = Math.min(spec.limit, countFlows(db, { schema, filter: spec.filter || undefined }));
  for (const b of iterateFlows(db, { schema, filter: spec.filter || undefined, batch: 20_000, limit: spec.limit })) {
    if (ctx.signal.aborted) throw cancelled();
    const xs = model.scale({ data: b.x, rows: b.rows, cols: model.pipeline.inputNames.length }, b.seq ? { data: b.seq, rows: b.rows, cols: b.seq.length / b.rows } : null);
    const e = model.embed(xs);
    dim = e.dim;
    embs.push(e.data.slice());
    preds.push(model.detectScaled(xs).pred);
    ids.push(...b.ids);
    ctx.progress(ids.length, total, 'flows', 'embedding');
  }
  let n = ids.length;
  let all = new Float32Array(n * dim);
  let o = 0;
  for (const e of embs) {
    all.set(e, o);
    o += e.length;
  }
  let pred = new Int32Array(n);
  o = 0;
  for (const p of preds) {
    pred.set(p, o);
    o += p.length;
  }
  const P = model.protos.classOf.length;
  let proj: { x: Float32Array; y: Float32Array; px: Float32Array; py: Float32Array; explained?: number[] };
  if (spec.method === 'umap') {
    const keep = umapSample(n, UMAP_MAX_FLOWS, spec.seed);
    if (keep.length < n) ctx.log(`UMAP on a seeded sample of ${keep.length} of ${n} flows.`);
    const sub = new Float32Array(keep.length * dim);
    keep.forEach((r, i) => sub.set(all.subarray(r * dim, (r + 1) * dim), i * dim));
    all = sub;
    pred = Int32Array.from(keep, (r) => pred[r]!);
    const keptIds = keep.map((r) => ids[r]!);
    ids.length = 0;
    ids.push(...keptIds);
    n = keep.length;
    proj = umap2(all, n, dim, model.protos.vectors, P, {
      seed: spec.seed,
      onEpoch: (done, epochs) => {
        if (ctx.signal.aborted) throw cancelled();
        ctx.progress(done, epochs, 'epochs', 'UMAP');
      },
    });
  } else {
    proj = pca2(all, n, dim, model.protos.vectors, P);
  }
  model.dispose();
  const b64 = (a: ArrayBufferView): string => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
  return {
    modelId,
    total: n,
    backend,
    method: spec.method,
    explained: proj.explained ?? null,
    classes: model.classes.map((c) => c.name),
    flowIds: b64(Int32Array.from(ids)),
    x: b64(proj.x),
    y: b64(proj.y),
    predicted: b64(pred),
    prototypes: Array.from({ length: P }, (_, i) => ({ name: model.classes[model.protos.classOf[i]!]!.name, x: proj.px[i]!, y: proj.py[i]! })),
  };
};
