import type { Handlers } from './types';
import type { modelsMethods, DetectionRow, EmbeddingProjection, ModelInfo, Verdict } from '../../../shared/api/models';
import { WorkbenchError } from '../errors';
import { nowIso, type Db } from '../store/workspace';
import { applyLabels, ensureClass } from '../store/labels';
import { deleteModel, exportModelFile, getModelSummary, importModelFile, listModels } from '../ml/store';

/** Models, training, adaptation, detection and review (issue 5). */

const defined = <T extends Record<string, unknown>>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

interface DetRow {
  id: number;
  run_id: number;
  flow_id: number;
  predicted: string;
  score: number;
  novelty: number;
  attack_score: number;
  verdict: Verdict;
  reviewer: string | null;
  note: string;
  reviewed_at: string | null;
  f_ts: number | null;
  f_end_ts: number | null;
  f_proto: number | null;
  f_src_ip: string | null;
  f_src_port: number | null;
  f_dst_ip: string | null;
  f_dst_port: number | null;
  f_packets: number;
  f_bytes: number;
  f_app: string | null;
  f_truth: string | null;
  f_source_id: number;
  f_label: string | null;
}

const DET_SELECT = `SELECT d.id, d.run_id, d.flow_id, d.predicted, d.score, d.novelty, d.attack_score, d.verdict, d.reviewer, d.note, d.reviewed_at,
  f.ts AS f_ts, f.end_ts AS f_end_ts, f.proto AS f_proto, f.src_ip AS f_src_ip, f.src_port AS f_src_port, f.dst_ip AS f_dst_ip,
  f.dst_port AS f_dst_port, f.packets AS f_packets, f.bytes AS f_bytes, f.app AS f_app, f.truth AS f_truth, f.source_id AS f_source_id,
  lc.name AS f_label
  FROM detections d JOIN flows f ON f.id = d.flow_id LEFT JOIN label_classes lc ON lc.id = f.label_id`;

function toDetection(r: DetRow): DetectionRow {
  return {
    id: r.id,
    runId: r.run_id,
    flowId: r.flow_id,
    predicted: r.predicted,
    score: r.score,
    novelty: r.novelty,
    attackScore: r.attack_score,
    verdict: r.verdict,
    reviewer: r.reviewer,
    note: r.note,
    reviewedAt: r.reviewed_at,
    flow: {
      id: r.flow_id,
      source: r.f_source_id,
      ts: r.f_ts,
      end: r.f_end_ts,
      duration: r.f_ts !== null && r.f_end_ts !== null ? r.f_end_ts - r.f_ts : null,
      proto: r.f_proto,
      'ip.src': r.f_src_ip,
      'src.port': r.f_src_port,
      'ip.dst': r.f_dst_ip,
      'dst.port': r.f_dst_port,
      packets: r.f_packets,
      bytes: r.f_bytes,
      app: r.f_app,
      label: r.f_label,
      truth: r.f_truth,
    },
  };
}

function latestRun(db: Db): number {
  const id = db.prepare('SELECT id FROM detection_runs ORDER BY id DESC LIMIT 1').pluck().get() as number | undefined;
  if (!id) throw new WorkbenchError('E_NOT_FOUND', 'No detection run in this workspace yet. Run detection first (nstd detect, or "Run detection").');
  return id;
}

function modelInfo(db: Db, id: number): ModelInfo {
  const { lineage: _l, classKinds: _k, calibration: _c, ...info } = getModelSummary(db, id);
  return info;
}

const KEY = { score: 'd.score', novelty: 'd.novelty', attack: 'd.attack_score' } as const;

export const modelsHandlers: Handlers<typeof modelsMethods> = {
  'models.list': (p, ctx) => listModels(ctx.ws().db).filter((m) => !p.schema || m.schema === p.schema),
  'models.get': (p, ctx) => getModelSummary(ctx.ws().db, p.id),
  'models.export': (p, ctx) => exportModelFile(ctx.ws().db, p.id, p.path),
  'models.import': (p, ctx) => modelInfo(ctx.ws().db, importModelFile(ctx.ws().db, p.path)),
  'models.delete': (p, ctx) => {
    deleteModel(ctx.ws().db, p.id);
    return { deleted: p.id };
  },
  'models.train': (p, ctx) => ({ jobId: ctx.jobs().start('train', defined(p)) }),
  'models.adapt': (p, ctx) => ({ jobId: ctx.jobs().start('adapt', defined(p)) }),
  'models.eval': (p, ctx) => ({ jobId: ctx.jobs().start('eval', defined(p)) }),
  'detect.run': (p, ctx) => ({ jobId: ctx.jobs().start('detect', defined(p)) }),

  'detections.runs': (p, ctx) =>
    (
      ctx
        .ws()
        .db.prepare('SELECT id, model_id, job_id, filter, created_at, flow_count, counts FROM detection_runs ORDER BY id DESC LIMIT ?')
        .all(p.limit ?? 200) as { id: number; model_id: number | null; job_id: number | null; filter: string; created_at: string; flow_count: number; counts: string }[]
    ).map((r) => ({ id: r.id, modelId: r.model_id, jobId: r.job_id, filter: r.filter, createdAt: r.created_at, flowCount: r.flow_count, counts: JSON.parse(r.counts) as Record<string, number> })),

  'detections.page': (p, ctx) => {
    const db = ctx.ws().db;
    const runId = p.runId ?? latestRun(db);
    const where: string[] = ['d.run_id = ?'];
    const params: unknown[] = [runId];
    if (p.verdict !== 'all') {
      where.push('d.verdict = ?');
      params.push(p.verdict);
    }
    if (p.predicted) {
      where.push('d.predicted = ?');
      params.push(p.predicted);
    }
    const total = db.prepare(`SELECT count(*) FROM detections d WHERE ${where.join(' AND ')}`).pluck().get(...params) as number;
    const key = KEY[p.sort];
    // Not a bare 0: SQLite reads a constant integer in ORDER BY as a column number.
    const unk = p.unknownFirst ? "(d.predicted = 'unknown')" : '(d.id < 0)';
    if (p.after) {
      const [u, k, id] = p.after.split('|').map(Number);
      if (![u, k, id].every((v) => Number.isFinite(v))) throw new WorkbenchError('E_INVALID', `Bad page cursor "${p.after}": pass the "next" value of the previous page.`);
      where.push(`(${unk}, ${key}, d.id) < (?, ?, ?)`);
      params.push(u, k, id);
    }
    const rows = db
      .prepare(`${DET_SELECT} WHERE ${where.join(' AND ')} ORDER BY ${unk} DESC, ${key} DESC, d.id DESC LIMIT ?`)
      .all(...params, p.limit + 1) as DetRow[];
    const more = rows.length > p.limit;
    const page = rows.slice(0, p.limit).map(toDetection);
    const last = page[page.length - 1];
    const keyOf = (d: DetectionRow): number => (p.sort === 'score' ? d.score : p.sort === 'novelty' ? d.novelty : d.attackScore);
    const next = more && last ? `${p.unknownFirst && last.predicted === 'unknown' ? 1 : 0}|${keyOf(last)}|${last.id}` : null;
    return { rows: page, next, total };
  },

  'detections.review': (p, ctx) => {
    const db = ctx.ws().db;
    const d = db.prepare('SELECT id, flow_id, predicted FROM detections WHERE id = ?').get(p.id) as { id: number; flow_id: number; predicted: string } | undefined;
    if (!d) throw new WorkbenchError('E_NOT_FOUND', `No detection ${p.id}.`);
    if (p.verdict === 'relabelled' && !p.className) throw new WorkbenchError('E_INVALID', 'A relabel needs className: the class the flow really belongs to.');
    const reviewer = p.reviewer ?? (db.prepare('SELECT analyst FROM workspace WHERE id = 1').pluck().get() as string | undefined) ?? '';
    db.transaction(() => {
      db.prepare('UPDATE detections SET verdict = ?, note = coalesce(?, note), reviewer = ?, reviewed_at = ? WHERE id = ?').run(p.verdict, p.note ?? null, reviewer, nowIso(), p.id);
      if (p.verdict === 'confirmed') {
        // The analyst accepts the model's class: recorded as a label of origin model-accepted.
        const classId = ensureClass(db, d.predicted, d.predicted === 'unknown' ? 'unknown' : undefined);
        applyLabels(db, { flowIds: [d.flow_id], classId, origin: 'model-accepted', author: reviewer, note: p.note ?? `confirmed detection ${p.id}` });
      } else if (p.verdict === 'relabelled') {
        const classId = ensureClass(db, p.className!);
        applyLabels(db, { flowIds: [d.flow_id], classId, origin: 'analyst', author: reviewer, note: p.note ?? `relabelled detection ${p.id} (model said ${d.predicted})` });
      }
    })();
    ctx.emit('workspace.changed', { what: 'labels' });
    return toDetection(db.prepare(`${DET_SELECT} WHERE d.id = ?`).get(p.id) as DetRow);
  },

  'detections.timeline': (p, ctx) => {
    const db = ctx.ws().db;
    const runId = p.runId ?? latestRun(db);
    const span = db.prepare('SELECT min(f.ts) AS t0, max(f.ts) AS t1 FROM detections d JOIN flows f ON f.id = d.flow_id WHERE d.run_id = ?').get(runId) as { t0: number | null; t1: number | null };
    if (span.t0 === null || span.t1 === null) return { t0: 0, width: 0, series: [] };
    const width = Math.max((span.t1 - span.t0) / p.buckets, 1e-6);
    const rows = db
      .prepare(
        `SELECT d.predicted AS name, min(CAST((f.ts - ?) / ? AS INTEGER), ?) AS b, count(*) AS n FROM detections d JOIN flows f ON f.id = d.flow_id
         WHERE d.run_id = ? AND f.ts IS NOT NULL GROUP BY d.predicted, b`,
      )
      .all(span.t0, width, p.buckets - 1, runId) as { name: string; b: number; n: number }[];
    const series = new Map<string, number[]>();
    for (const r of rows) {
      if (!series.has(r.name)) series.set(r.name, new Array<number>(p.buckets).fill(0));
      series.get(r.name)![r.b] = r.n;
    }
    return { t0: span.t0, width, series: [...series.entries()].map(([name, counts]) => ({ name, counts })) };
  },

  'embedding.start': (p, ctx) => ({ jobId: ctx.jobs().start('embed', defined(p)) }),

  'embedding.project': (p, ctx) => embedResult(ctx.jobs().get(p.jobId)),

  'embedding.page': (p, ctx) => {
    const r = embedResult(ctx.jobs().get(p.jobId));
    const dec = <T extends Float32Array | Int32Array>(s: string, C: new (b: ArrayBuffer) => T): T => {
      const b = Buffer.from(s, 'base64');
      const ab = new ArrayBuffer(b.length);
      new Uint8Array(ab).set(b);
      return new C(ab);
    };
    const ids = dec(r.flowIds, Int32Array);
    const x = dec(r.x, Float32Array);
    const y = dec(r.y, Float32Array);
    const pred = dec(r.predicted, Int32Array);
    const end = Math.min(r.total, p.offset + p.limit);
    const slice = Array.from(ids.subarray(p.offset, end));
    const info = new Map<number, { label: string | null; source: number }>();
    const db = ctx.ws().db;
    const stmt = db.prepare('SELECT f.id, f.source_id AS source, lc.name AS label FROM flows f LEFT JOIN label_classes lc ON lc.id = f.label_id WHERE f.id IN (SELECT value FROM json_each(?))');
    for (const row of stmt.iterate(JSON.stringify(slice)) as Iterable<{ id: number; source: number; label: string | null }>) info.set(row.id, row);
    return {
      total: r.total,
      flowIds: slice,
      x: Array.from(x.subarray(p.offset, end)),
      y: Array.from(y.subarray(p.offset, end)),
      label: slice.map((id) => info.get(id)?.label ?? null),
      predicted: Array.from(pred.subarray(p.offset, end), (k) => (k < 0 ? 'unknown' : (r.classes[k] ?? null))),
      source: slice.map((id) => info.get(id)?.source ?? 0),
      prototypes: r.prototypes,
    };
  },
};


function embedResult(job: { kind: string; state: string; result: unknown; id: number }): EmbeddingProjection {
  if (job.kind !== 'embed') throw new WorkbenchError('E_INVALID', `Job ${job.id} is a ${job.kind} job, not an embedding.`);
  if (job.state !== 'done') throw new WorkbenchError('E_UNAVAILABLE', `Embedding job ${job.id} is ${job.state}; wait for it to finish.`);
  const r = job.result as EmbeddingProjection;
  return { total: r.total, classes: r.classes, flowIds: r.flowIds, x: r.x, y: r.y, predicted: r.predicted, prototypes: r.prototypes };
}
