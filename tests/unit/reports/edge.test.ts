/** Runs the fixture does not cover: flow-log rows without times or addresses, an empty run, odd stored values. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { tmpDir } from '../../helpers/tmp';
import { sharedData } from '../../helpers/data';
import { Workspace } from '../../../electron/core/store/workspace';
import { gatherReport } from '../../../electron/core/reports/content';
import { runReportJob, parseCsv } from './harness';
import { stixValidator } from './stix-schema';

let dir: string;

/** NSL-KDD-like rows: no timestamps, no addresses; a second, empty run. */
function buildFlowLogWorkspace(file: string): { runId: number; emptyRunId: number } {
  const ws = Workspace.open(file, { create: { name: 'KDD case', analyst: '' } });
  const db = ws.db;
  try {
    db.prepare(`INSERT INTO sources (path, name, size, format, schema, imported_at, status, flow_count) VALUES ('/d/KDDTest+.txt', 'KDDTest+.txt', 10, 'nslkdd', 'nslkdd', '2024-01-01T00:00:00Z', 'ok', 30)`).run();
    // A model whose JSON columns are not what anyone expects: the report still renders.
    db.prepare(`INSERT INTO models (name, algorithm, schema, classes, hyper, metrics, adaptation, created_at) VALUES ('m', 'knn', 'nslkdd', 'not json', '[]', '{"perClass": 3, "confusion": {"classes": ["a"], "matrix": "x"}}', '{"k": 2}', '2024-01-01T00:00:00Z')`).run();
    const run = Number(db.prepare(`INSERT INTO detection_runs (model_id, filter, created_at, flow_count) VALUES (1, '', 'not a date', 30)`).run().lastInsertRowid);
    const empty = Number(db.prepare(`INSERT INTO detection_runs (model_id, filter, created_at, flow_count) VALUES (1, 'proto == 99', '2024-01-02T00:00:00Z', 0)`).run().lastInsertRowid);
    const flow = db.prepare(`INSERT INTO flows (source_id, row_no, schema, proto, truth, features) VALUES (1, ?, 'nslkdd', 6, ?, ?)`);
    const det = db.prepare(`INSERT INTO detections (run_id, flow_id, predicted, score, novelty, attack_score, verdict, note) VALUES (?, ?, ?, 0.9, 0.1, ?, ?, ?)`);
    for (let i = 0; i < 30; i++) {
      const f = new Float32Array([i % 3 === 0 ? 1000 : 1, Number.NaN, Number.POSITIVE_INFINITY, i]);
      const fid = Number(flow.run(i + 1, i % 3 === 0 ? 'neptune' : 'normal', Buffer.from(f.buffer)).lastInsertRowid);
      det.run(run, fid, i % 3 === 0 ? 'neptune' : 'normal', i % 3 === 0 ? 0.9 : 0.1, i === 0 ? 'confirmed' : 'new', i === 0 ? 'SYN flood' : '');
    }
    return { runId: run, emptyRunId: empty };
  } finally {
    ws.close();
  }
}

let file: string;
let ids: { runId: number; emptyRunId: number };

beforeAll(() => {
  dir = tmpDir('nstd-report-edge-');
  file = path.join(dir, 'kdd.nstd');
  ids = buildFlowLogWorkspace(file);
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('a run over flow-log rows without times or addresses', () => {
  it('has no time-line or talkers, says so, and still finds what drove the attack class', async () => {
    const ws = Workspace.open(file);
    try {
      const c = gatherReport(ws.db, ws.path, { runId: ids.runId, maxDetections: 100 });
      expect(c.timeline).toBeNull();
      expect(c.topTalkers).toEqual({ byBytes: [], byFlagged: [] });
      expect(c.run.classes.map((k) => [k.name, k.kind, k.detections])).toEqual([
        ['neptune', 'attack', 10],
        ['normal', 'benign', 20],
      ]);
      expect(c.model).toMatchObject({ classes: [], metrics: [], perClass: [], confusion: null, adaptations: [] });
      const d = c.drivers[0]!;
      expect(d.className).toBe('neptune');
      // f0 (1000 vs 1) leads; NaN and Inf columns are skipped, not propagated.
      expect(d.features[0]).toMatchObject({ name: 'f0', classMedian: 1000, referenceMedian: 1 });
      expect(d.features.every((f) => Number.isFinite(f.effect))).toBe(true);
    } finally {
      ws.close();
    }
    const out = path.join(dir, 'kdd.html');
    await runReportJob(file, { format: 'html', out, runId: ids.runId });
    const html = fs.readFileSync(out, 'utf8');
    expect(html).toContain('carry no timestamps');
    expect(html).toContain('carry no addresses');
  });

  it('STIX leaves the address-less detections out, says how many, and stays valid', async () => {
    const out = path.join(dir, 'kdd.stix.json');
    const { result } = await runReportJob(file, { format: 'stix', out, runId: ids.runId });
    expect(result.notes.join(' ')).toMatch(/10 flagged detections have no IP address/);
    const bundle = JSON.parse(fs.readFileSync(out, 'utf8')) as { objects: { type: string; object_refs?: string[]; created?: string }[] };
    expect(bundle.objects.map((o) => o.type)).toEqual(['identity', 'report']);
    // A run time that is not a date falls back to the workspace's creation time.
    expect(bundle.objects[1]!.created).toMatch(/^\d{4}-\d\d-\d\dT/);
    const schemas = sharedData('stix2-json-schemas', 'schemas');
    if (!schemas) return;
    const v = stixValidator(schemas);
    expect(v.bundle(bundle), JSON.stringify(v.bundle.errors?.slice(0, 3))).toBe(true);
  });
});

describe('an empty run', () => {
  it('gives a header-only CSV, an empty JSON list and an HTML that says there is nothing', async () => {
    const csv = path.join(dir, 'empty.csv');
    const json = path.join(dir, 'empty.json');
    const html = path.join(dir, 'empty.html');
    await runReportJob(file, { format: 'csv', out: csv, runId: ids.emptyRunId });
    await runReportJob(file, { format: 'json', out: json, runId: ids.emptyRunId });
    await runReportJob(file, { format: 'html', out: html, runId: ids.emptyRunId });
    expect(parseCsv(fs.readFileSync(csv, 'utf8').slice(1))).toHaveLength(1);
    expect((JSON.parse(fs.readFileSync(json, 'utf8')) as { detections: unknown[] }).detections).toEqual([]);
    const page = fs.readFileSync(html, 'utf8');
    expect(page).toContain('No detections in this run.');
    expect(page).toContain('No flagged or reviewed detections.');
  });
});
