/**
 * `nstd bench reports`: builds a workspace with one large detection run (synthetic rows written
 * with SQL) and times every report format on it, in this process, printing detections per second,
 * output size and peak memory. Figures only; nothing here asserts a time.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Workspace } from '../store/workspace';
import type { JobContext } from '../jobs/types';
import { jobSpecs } from '../../../shared/jobs';
import { ReportFormat, type ReportJobResult } from '../../../shared/api/reports';
import { UsageError, type CliArgs, type CliIO } from '../../cli/command';
import { htmlRowsFor, reportJob } from './report-job';
import { findChromium } from './pdf';

export interface ReportBenchOptions {
  detections: number;
  formats?: ReportFormat[];
  /** Keep the workspace and outputs in this folder (default: a temp folder, removed). */
  dir?: string;
}

export interface ReportBenchRow {
  format: ReportFormat;
  seconds: number;
  detectionsPerSecond: number;
  bytes: number;
  maxRssMiB: number;
}

function seed(file: string, n: number): void {
  const ws = Workspace.open(file, { create: { name: 'report benchmark', analyst: 'bench' } });
  const db = ws.db;
  try {
    db.transaction(() => {
      const src = Number(
        db.prepare(`INSERT INTO sources (path, name, size, sha256, format, schema, imported_at, status, flow_count) VALUES ('/bench.pcap', 'bench.pcap', 0, ?, 'pcap', 'bench', ?, 'ok', ?)`).run('0'.repeat(64), new Date().toISOString(), n).lastInsertRowid,
      );
      const cls = db.prepare(`INSERT INTO label_classes (name, kind, colour, attack_ids, created_at) VALUES (?, ?, ?, ?, ?)`);
      const now = new Date().toISOString();
      cls.run('benign', 'benign', '#2e86c1', '[]', now);
      cls.run('portscan', 'attack', '#c0392b', '["T1046"]', now);
      cls.run('dos', 'attack', '#8e44ad', '["T1498"]', now);
      const model = Number(db.prepare(`INSERT INTO models (name, algorithm, schema, classes, created_at) VALUES ('bench', 'protonet', 'bench', '["benign","portscan","dos"]', ?)`).run(now).lastInsertRowid);
      const run = Number(db.prepare(`INSERT INTO detection_runs (model_id, filter, created_at, flow_count) VALUES (?, '', ?, ?)`).run(model, now, n).lastInsertRowid);
      const flow = db.prepare(
        `INSERT INTO flows (source_id, row_no, ts, end_ts, proto, src_ip, dst_ip, src_port, dst_port, packets_fwd, packets_bwd, bytes_fwd, bytes_bwd, schema, features)
         VALUES (?, ?, ?, ?, 6, ?, ?, ?, ?, ?, ?, ?, ?, 'bench', ?)`,
      );
      const det = db.prepare(`INSERT INTO detections (run_id, flow_id, predicted, score, novelty, attack_score, verdict, reviewer, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
      const f = new Float32Array(20);
      const t0 = 1_700_000_000;
      for (let i = 0; i < n; i++) {
        const k = i % 10 === 0 ? 'portscan' : i % 10 === 1 ? 'dos' : i % 97 === 2 ? 'unknown' : 'benign';
        for (let j = 0; j < f.length; j++) f[j] = ((i * 31 + j * 17) % 1000) / (k === 'benign' ? 10 : 3);
        const fid = Number(
          flow.run(src, i + 1, t0 + i * 0.01, t0 + i * 0.01 + 1, `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, `192.168.${i % 8}.${i % 200}`, 1024 + (i % 60000), k === 'portscan' ? 1 + (i % 1024) : 443, 3, 2, 300, 900, Buffer.from(f.buffer)).lastInsertRowid,
        );
        const verdict = k !== 'benign' && i % 40 === 0 ? 'confirmed' : k !== 'benign' && i % 40 === 10 ? 'dismissed' : 'new';
        det.run(run, fid, k, 0.9, k === 'unknown' ? 3 : 0.2, k === 'benign' ? 0.05 : 0.95, verdict, verdict === 'new' ? null : 'bench', verdict === 'new' ? '' : 'checked');
      }
    })();
  } finally {
    ws.close();
  }
}

export async function runReportBench(opts: ReportBenchOptions, log: (line: string) => void): Promise<ReportBenchRow[]> {
  const formats = opts.formats ?? (findChromium() ? ['html', 'pdf', 'csv', 'json', 'stix'] : ['html', 'csv', 'json', 'stix']);
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'nstd-bench-reports-'));
  const file = path.join(dir, 'bench.nstd');
  fs.rmSync(file, { force: true });
  const s0 = performance.now();
  seed(file, opts.detections);
  log(`workspace with ${opts.detections.toLocaleString('en-US')} detections written in ${((performance.now() - s0) / 1000).toFixed(1)} s`);
  const rows: ReportBenchRow[] = [];
  try {
    for (const format of formats) {
      let ws: Workspace | null = null;
      const ctx: JobContext = {
        jobId: 0,
        workspacePath: file,
        signal: new AbortController().signal,
        progress: () => undefined,
        log: () => undefined,
        workspace: () => (ws ??= Workspace.open(file)),
      };
      const t = performance.now();
      try {
        const r = (await reportJob(jobSpecs.report.parse({ format, out: path.join(dir, `bench.${format}`), runId: 1, htmlMaxDetections: htmlRowsFor(format) }), ctx)) as ReportJobResult;
        const seconds = (performance.now() - t) / 1000;
        const row = { format, seconds, detectionsPerSecond: opts.detections / seconds, bytes: r.bytes, maxRssMiB: process.resourceUsage().maxRSS / 1024 };
        rows.push(row);
        log(`${format.padEnd(5)} ${seconds.toFixed(2).padStart(7)} s  ${Math.round(row.detectionsPerSecond).toLocaleString('en-US').padStart(10)} detections/s  ${(r.bytes / 1e6).toFixed(1).padStart(7)} MB  max RSS so far ${row.maxRssMiB.toFixed(0)} MiB`);
      } finally {
        (ws as Workspace | null)?.close();
      }
    }
  } finally {
    if (!opts.dir) fs.rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

/**
 * `nstd bench reports [--detections N] [--formats html,csv,...] [--out DIR] [--json]` (the
 * Benchmark signature of electron/cli/commands/bench.ts).
 */
export async function benchReports(args: CliArgs, io: CliIO): Promise<number> {
  const raw = args.values.detections;
  const detections = typeof raw === 'string' ? Number(raw) : 200_000;
  if (!Number.isInteger(detections) || detections < 1) throw new UsageError('--detections must be a whole number >= 1.');
  const f = args.values.formats;
  const formats = typeof f === 'string' ? f.split(',').map((s) => ReportFormat.parse(s.trim())) : undefined;
  const out = typeof args.values.out === 'string' ? args.values.out : undefined;
  if (out) fs.mkdirSync(out, { recursive: true });
  const json = args.values.json === true;
  const rows = await runReportBench({ detections, ...(formats ? { formats } : {}), ...(out ? { dir: out } : {}) }, (line) => {
    if (!json) io.stdout.write(`${line}\n`);
  });
  if (json) io.stdout.write(`${JSON.stringify({ detections, rows })}\n`);
  return 0;
}
