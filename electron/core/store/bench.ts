/**
 * `nstd bench store`: builds a workspace of generated CICFlowMeter flows (1 M by default) by
 * importing a generated CSV, then times the query paths the analyst waits on. Figures are
 * printed, never asserted (targets of issue 4 alongside).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Workspace } from './workspace';
import { importFlowLog } from '../importers';
import { cicFeatures } from '../importers/schemas';
import { countFlows, flowCounts, histogram, pageFlows, topTalkers } from './queries';
import { applyLabelsByFilter, ensureClass, undoBatch } from './labels';
import type { JobContext } from '../jobs/types';
import { dataDir } from '../data-dir';
import { mulberry32 } from '../../../shared/random';

export interface StoreBenchOptions {
  rows?: number;
  /** Keep the generated workspace and CSV (printed paths). */
  keep?: boolean;
  dir?: string;
  /** Reuse a CSV written by an earlier run (writeCicCsv) instead of generating one. */
  csv?: string;
  log?: (line: string) => void;
}

export interface StoreBenchResult {
  rows: number;
  csvBytes: number;
  /** Wall time, and the process's CPU time (a fairer figure on a shared machine). */
  import: { seconds: number; rowsPerSecond: number; cpuSeconds: number; rowsPerCpuSecond: number; target: string };
  unswTrainingSet: { rows: number; seconds: number; cpuSeconds: number; target: string } | null;
  page: { filter: string; sort: string; medianMs: number; p95Ms: number; rows: number }[];
  pageTarget: string;
  count: { filter: string; ms: number; flows: number }[];
  countsByClass: { ms: number; classes: number; target: string };
  labelByFilter: { filter: string; flows: number; ms: number; undoMs: number; target: string };
  topTalkersMs: number;
  histogramMs: number;
  workspaceBytes: number;
  paths?: { workspace: string; csv: string };
  machine: { cpus: number; load1: number; node: string };
}

const CLASSES: [string, number][] = [
  ['BENIGN', 0.6],
  ['DDoS', 0.15],
  ['PortScan', 0.1],
  ['DoS Hulk', 0.1],
  ['Bot', 0.05],
];

const rng = mulberry32;

/** Writes a CIC-IDS2017 (improved layout) CSV of `rows` flows; returns its size. */
export function writeCicCsv(file: string, rows: number, seed = 1): number {
  const rand = rng(seed);
  const featureNames = cicFeatures.map((c) => c.def.name);
  const header = ['Flow ID', 'Src IP', 'Src Port', 'Dst IP', 'Dst Port', 'Protocol', 'Timestamp', ...featureNames, 'Label'].join(',');
  // Feature tails are drawn from a pool: writing 80 random numbers per row would dominate.
  const pool: string[] = [];
  for (let i = 0; i < 2000; i++) {
    const fw = 1 + Math.floor(rand() * 40);
    const bw = Math.floor(rand() * 40);
    const len = Math.floor(rand() * 60_000);
    pool.push(
      featureNames
        .map((n, j) => {
          if (n === 'Flow Duration') return String(Math.floor(rand() * 1e7));
          if (n === 'Total Fwd Packets') return String(fw);
          if (n === 'Total Backward Packets') return String(bw);
          if (n === 'Total Length of Fwd Packets') return String(len);
          if (n === 'Total Length of Bwd Packets') return String(Math.floor(len * rand() * 20));
          if (n === 'Flow Bytes/s' && i % 97 === 0) return 'Infinity';
          if (j % 11 === 0) return String(Math.floor(rand() * 2));
          return (rand() * 1000).toFixed(3);
        })
        .join(','),
    );
  }
  const fd = fs.openSync(file, 'w');
  let size = 0;
  let buf = header + '\n';
  const t0 = Date.UTC(2017, 6, 3, 8, 0, 0);
  for (let i = 0; i < rows; i++) {
    const r = rand();
    let acc = 0;
    let label = CLASSES[0]![0];
    for (const [name, p] of CLASSES) {
      acc += p;
      if (r < acc) {
        label = name;
        break;
      }
    }
    const src = `10.0.${Math.floor(rand() * 20)}.${Math.floor(rand() * 250)}`;
    const dst = `192.168.${Math.floor(rand() * 4)}.${Math.floor(rand() * 125)}`;
    const sport = 1024 + Math.floor(rand() * 60_000);
    const dport = [80, 443, 22, 53, 8080, 3389][Math.floor(rand() * 6)]!;
    const proto = dport === 53 ? 17 : 6;
    const d = new Date(t0 + i * 10);
    const ts = `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')} ${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}:${String(d.getUTCSeconds()).padStart(2, '0')}.${String(d.getUTCMilliseconds()).padStart(3, '0')}`;
    buf += `${src}-${dst}-${sport}-${dport}-${proto},${src},${sport},${dst},${dport},${proto},${ts},${pool[i % pool.length]},${label}\n`;
    if (buf.length > 1 << 22) {
      size += fs.writeSync(fd, buf);
      buf = '';
    }
  }
  size += fs.writeSync(fd, buf);
  fs.closeSync(fd);
  return size;
}

function ctxFor(ws: Workspace): JobContext {
  return {
    jobId: 0,
    workspacePath: ws.path,
    signal: new AbortController().signal,
    progress: () => undefined,
    log: () => undefined,
    workspace: () => ws,
  };
}

function time<T>(fn: () => T): [T, number] {
  const t0 = performance.now();
  const r = fn();
  return [r, performance.now() - t0];
}

function stats(ms: number[]): { medianMs: number; p95Ms: number } {
  const s = [...ms].sort((a, b) => a - b);
  const q = (p: number): number => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { medianMs: +q(0.5).toFixed(3), p95Ms: +q(0.95).toFixed(3) };
}

export async function benchStore(o: StoreBenchOptions = {}): Promise<StoreBenchResult> {
  const log = o.log ?? (() => undefined);
  const rows = o.rows ?? 1_000_000;
  const dir = o.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'nstd-bench-store-'));
  const csv = o.csv ?? path.join(dir, 'cic-generated.csv');
  const wsPath = path.join(dir, 'bench.nstd');
  let csvBytes: number;
  if (o.csv) csvBytes = fs.statSync(o.csv).size;
  else {
    log(`generating ${rows} CICFlowMeter rows in ${csv}`);
    csvBytes = writeCicCsv(csv, rows);
  }
  const ws = Workspace.open(wsPath, { create: { name: 'store benchmark', analyst: 'bench' } });
  try {
    log('importing');
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const res = await importFlowLog(ctxFor(ws), csv, 'cic-csv');
    const importS = (performance.now() - t0) / 1000;
    const cu = process.cpuUsage(c0);
    const cpuS = (cu.user + cu.system) / 1e6;
    log(`imported ${res.flows} flows in ${importS.toFixed(1)} s`);

    let unsw: StoreBenchResult['unswTrainingSet'] = null;
    const unswFile = path.join(dataDir(), 'unsw-nb15', 'UNSW_NB15_training-set.csv');
    if (fs.existsSync(unswFile)) {
      const w2 = Workspace.open(path.join(dir, 'unsw.nstd'), { create: { name: 'unsw' } });
      const t1 = performance.now();
      const c1 = process.cpuUsage();
      const r2 = await importFlowLog(ctxFor(w2), unswFile, 'unsw-nb15-csv');
      const cu2 = process.cpuUsage(c1);
      unsw = { rows: r2.flows, seconds: +((performance.now() - t1) / 1000).toFixed(3), cpuSeconds: +((cu2.user + cu2.system) / 1e6).toFixed(3), target: '< 1 s' };
      w2.close();
    }

    const db = ws.db;
    db.pragma('optimize');
    const pageCases: { filter: string; sort: string; dir?: 'asc' | 'desc' }[] = [
      { filter: '', sort: 'id' },
      { filter: 'ip.addr == 10.0.3.7', sort: 'id' },
      { filter: 'bytes > 1e5 && tcp.port == 80', sort: 'id' },
      { filter: 'label == "Bot" && dst.port in {80 443 8080}', sort: 'id' },
      { filter: 'proto == tcp && !(truth == "BENIGN")', sort: 'bytes', dir: 'desc' },
      { filter: 'ts >= "2017-07-03 09:00" && ip.src == 10.0.0.0/16', sort: 'ts' },
    ];
    const page: StoreBenchResult['page'] = [];
    for (const c of pageCases) {
      const ms: number[] = [];
      let n = 0;
      let after: string | null = null;
      for (let i = 0; i < 30; i++) {
        const [p, t] = time(() => pageFlows(db, { filter: c.filter, sort: c.sort, dir: c.dir, limit: 100, after }));
        if (i >= 5) ms.push(t);
        n = p.rows.length;
        // walk forward: later pages are measured as well as the first
        after = i % 10 === 9 ? null : p.next;
      }
      page.push({ filter: c.filter, sort: `${c.sort} ${c.dir ?? 'asc'}`, ...stats(ms), rows: n });
      log(`page ${JSON.stringify(c.filter)}: ${stats(ms).medianMs} ms`);
    }
    const count: StoreBenchResult['count'] = [];
    for (const filter of ['', 'label == "PortScan"', 'ip.addr == 10.0.3.7']) {
      const [n, ms] = time(() => countFlows(db, { filter }));
      count.push({ filter, ms: +ms.toFixed(1), flows: n });
    }
    flowCounts(db, {});
    const [cc, ccMs] = time(() => flowCounts(db, {}));
    const [, ttMs] = time(() => topTalkers(db, { limit: 10 }));
    const [, hMs] = time(() => histogram(db, { buckets: 200, byClass: true }));
    const cls = ensureClass(db, 'Reviewed scan');
    const filter = 'truth == "PortScan"';
    const [lb, lbMs] = time(() => applyLabelsByFilter(db, { filter, classId: cls, origin: 'analyst', author: 'bench' }));
    const [, undoMs] = time(() => undoBatch(db, lb.batch, 'bench'));
    db.pragma('wal_checkpoint(TRUNCATE)');
    const wsBytes = fs.statSync(wsPath).size;
    const result: StoreBenchResult = {
      rows: res.flows,
      csvBytes,
      import: { seconds: +importS.toFixed(2), rowsPerSecond: Math.round(res.flows / importS), cpuSeconds: +cpuS.toFixed(2), rowsPerCpuSecond: Math.round(res.flows / cpuS), target: '>= 200000 rows/s' },
      unswTrainingSet: unsw,
      page,
      pageTarget: '< 10 ms for 100 flows with a filter over 1 M flows',
      count,
      countsByClass: { ms: +ccMs.toFixed(1), classes: cc.byClass.length, target: '< 300 ms' },
      labelByFilter: { filter, flows: lb.count, ms: +lbMs.toFixed(1), undoMs: +undoMs.toFixed(1), target: '< 1000 ms for 100k flows' },
      topTalkersMs: +ttMs.toFixed(1),
      histogramMs: +hMs.toFixed(1),
      workspaceBytes: wsBytes,
      machine: { cpus: os.cpus().length, load1: +os.loadavg()[0]!.toFixed(2), node: process.versions.node },
    };
    if (o.keep) result.paths = { workspace: wsPath, csv };
    return result;
  } finally {
    ws.close();
    if (!o.keep && !o.dir) fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Human-readable lines of a result. */
export function formatStoreBench(r: StoreBenchResult): string {
  const lines = [
    `flows: ${r.rows} (CSV ${(r.csvBytes / 1e6).toFixed(0)} MB) on ${r.machine.cpus} CPUs, load ${r.machine.load1}`,
    `CSV import: ${r.import.rowsPerSecond} rows/s (${r.import.seconds} s wall; ${r.import.rowsPerCpuSecond} rows per CPU-second; target ${r.import.target})`,
    r.unswTrainingSet ? `UNSW-NB15 training set: ${r.unswTrainingSet.rows} rows in ${r.unswTrainingSet.seconds} s wall, ${r.unswTrainingSet.cpuSeconds} CPU-s (target ${r.unswTrainingSet.target})` : 'UNSW-NB15 training set: not found (NSTD_DATA)',
    ...r.page.map((p) => `page of 100, ${p.filter || '(no filter)'} sorted ${p.sort}: median ${p.medianMs} ms, p95 ${p.p95Ms} ms`),
    ...r.count.map((c) => `count ${c.filter || '(all)'}: ${c.flows} in ${c.ms} ms`),
    `counts by class/source/truth: ${r.countsByClass.ms} ms (target ${r.countsByClass.target})`,
    `label by filter (${r.labelByFilter.filter}): ${r.labelByFilter.flows} flows in ${r.labelByFilter.ms} ms, undo ${r.labelByFilter.undoMs} ms (target ${r.labelByFilter.target})`,
    `top talkers: ${r.topTalkersMs} ms, histogram by class: ${r.histogramMs} ms`,
    `workspace size: ${(r.workspaceBytes / 1e6).toFixed(0)} MB`,
  ];
  return lines.join('\n') + '\n';
}

/** `nstd bench store [--flows N] [--json]` (entry of electron/cli/commands/bench.ts). */
export async function benchStoreCli(args: import('../../cli/command').CliArgs, io: import('../../cli/command').CliIO): Promise<number> {
  const raw = args.values.flows;
  const rows = typeof raw === 'string' ? Number(raw) : 1_000_000;
  if (!Number.isInteger(rows) || rows < 1000) {
    const { UsageError } = await import('../../cli/command');
    throw new UsageError('--flows must be a whole number >= 1000.');
  }
  const r = await benchStore({ rows, log: (line) => void io.stderr.write(`${line}\n`) });
  if (args.values.json) io.stdout.write(JSON.stringify(r) + '\n');
  else io.stdout.write(formatStoreBench(r));
  return 0;
}
