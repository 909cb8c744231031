import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CliArgs, CliIO } from '../../cli/command';
import { ExitCode, UsageError } from '../../cli/command';
import { openInput } from '../ingest/open';
import type { JobContext } from '../jobs/types';
import { Workspace } from '../store/workspace';
import { assemblerOptions, FlowAssembler } from './assembler';
import { ingestCapture } from './ingest';
import { flowRecord, runCapture } from './pipeline';
import { CaptureReader } from './reader';
import { synthesize, synthesizeFile } from './synth';

/** The benchmark capture: deterministic, so every run and every machine measures the same file. */
export const BENCH_PACKETS = 2_100_000;
export const BENCH_SEED = 20_260_101;

export interface IngestBenchResult {
  mode: 'parse' | 'workspace' | 'stream';
  file: string | null;
  packets: number;
  flows: number;
  /** Bytes of capture read (decompressed). */
  bytes: number;
  seconds: number;
  packetsPerSecond: number;
  /** CPU time of this process (user + system) during the run: the fair figure on a busy machine. */
  cpuSeconds: number;
  packetsPerCpuSecond: number;
  megabytesPerSecond: number;
  peakRssBytes: number;
  peakActiveFlows: number;
  compare: Record<string, { seconds: number; packetsPerSecond: number; oursAsRatio: number } | { error: string }>;
}

const peakRss = (): number => process.resourceUsage().maxRSS * 1024;

/** Writes (or reuses) the benchmark capture in the temp folder. */
export function benchCapture(packets = BENCH_PACKETS, out?: string): string {
  const file = out ?? path.join(os.tmpdir(), `nstd-bench-${packets}-${BENCH_SEED}.pcap`);
  if (!out && fs.existsSync(file) && fs.existsSync(`${file}.ok`)) return file;
  synthesizeFile(file, { packets, seed: BENCH_SEED });
  if (!out) fs.writeFileSync(`${file}.ok`, '');
  return file;
}

function timeTool(cmd: string, args: string[]): number | { error: string } {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', timeout: 600_000 });
  if (r.error) return { error: (r.error as NodeJS.ErrnoException).code === 'ENOENT' ? `${cmd} is not installed` : r.error.message };
  if (r.status !== 0) return { error: `${cmd} exited with ${r.status}: ${r.stderr.slice(-200)}` };
  return (performance.now() - t0) / 1000;
}

function compareTools(file: string, ours: number, packets: number): IngestBenchResult['compare'] {
  const out: IngestBenchResult['compare'] = {};
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nstd-bench-suricata-'));
  const tools: Array<[string, string, string[]]> = [
    ['tcpdump', 'tcpdump', ['-r', file, '-w', '/dev/null']],
    ['suricata', 'suricata', ['--runmode', 'single', '-k', 'none', '-S', '/dev/null', '-l', logDir, '-r', file]],
  ];
  for (const [name, cmd, args] of tools) {
    const t = timeTool(cmd, args);
    if (typeof t !== 'number') out[name] = t;
    else {
      const pps = packets / t;
      out[name] = { seconds: Number(t.toFixed(3)), packetsPerSecond: Math.round(pps), oursAsRatio: Number((ours / pps).toFixed(2)) };
    }
  }
  fs.rmSync(logDir, { recursive: true, force: true });
  return out;
}

async function parseOnly(file: string): Promise<Omit<IngestBenchResult, 'compare' | 'mode'>> {
  cpuAtStart = process.cpuUsage();
  const t0 = performance.now();
  const input = await openInput(file, { hash: false, chunkSize: 4 << 20 });
  let flows = 0;
  // Features, sequence, Community ID and refs are computed as for the workspace; only the
  // database write is left out.
  const run = await runCapture(input, (f) => {
    flowRecord(f);
    flows++;
  });
  const seconds = (performance.now() - t0) / 1000;
  if (run.error) throw new UsageError(`${file}: ${run.error.message}`);
  return summary(file, run.stats.packets, flows, run.bytes, seconds, run.stats.peakActiveFlows);
}

async function intoWorkspace(file: string, wsPath: string): Promise<Omit<IngestBenchResult, 'compare' | 'mode'>> {
  const ws = Workspace.open(wsPath, { create: { name: path.basename(wsPath) } });
  try {
    const jobId = Number(ws.db.prepare(`INSERT INTO jobs (kind, spec, state, created_at, started_at) VALUES ('ingest', ?, 'running', ?, ?)`).run(JSON.stringify({ paths: [file], bench: true }), new Date().toISOString(), new Date().toISOString()).lastInsertRowid);
    const ctx: JobContext = {
      jobId,
      workspacePath: ws.path,
      signal: new AbortController().signal,
      progress: () => {},
      log: () => {},
      workspace: () => ws,
    };
    cpuAtStart = process.cpuUsage();
    const t0 = performance.now();
    const r = await ingestCapture(ctx, file, 'pcap', { assembler: assemblerOptions() });
    const seconds = (performance.now() - t0) / 1000;
    ws.db.prepare(`UPDATE jobs SET state = 'done', finished_at = ? WHERE id = ?`).run(new Date().toISOString(), jobId);
    return summary(file, r.packets, r.flows, r.bytes, seconds, 0);
  } finally {
    ws.close();
  }
}

function stream(packets: number): Omit<IngestBenchResult, 'compare' | 'mode'> {
  cpuAtStart = process.cpuUsage();
  const t0 = performance.now();
  let flows = 0;
  const asm = new FlowAssembler((f) => {
    flowRecord(f);
    flows++;
  }, assemblerOptions());
  const reader = new CaptureReader((p) => asm.packet(p));
  let bytes = 0;
  synthesize(
    (chunk) => {
      bytes += chunk.length;
      reader.push(chunk);
    },
    { packets, seed: BENCH_SEED },
  );
  reader.end();
  asm.finish();
  return summary(null, asm.stats.packets, flows, bytes, (performance.now() - t0) / 1000, asm.stats.peakActiveFlows);
}

let cpuAtStart = process.cpuUsage();

function summary(file: string | null, packets: number, flows: number, bytes: number, seconds: number, peakActiveFlows: number): Omit<IngestBenchResult, 'compare' | 'mode'> {
  const cpu = process.cpuUsage(cpuAtStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return {
    file,
    packets,
    flows,
    bytes,
    seconds: Number(seconds.toFixed(3)),
    packetsPerSecond: Math.round(packets / seconds),
    cpuSeconds: Number(cpuSeconds.toFixed(3)),
    packetsPerCpuSecond: Math.round(packets / cpuSeconds),
    megabytesPerSecond: Number((bytes / 1e6 / seconds).toFixed(1)),
    peakRssBytes: peakRss(),
    peakActiveFlows,
  };
}

/** `nstd bench ingest`: see electron/cli/commands/bench.ts for the usage. */
export async function benchIngest(args: CliArgs, io: CliIO): Promise<number> {
  const v = args.values;
  const packetsArg = typeof v.packets === 'string' ? Number(v.packets) : BENCH_PACKETS;
  if (!Number.isInteger(packetsArg) || packetsArg < 1) throw new UsageError('--packets must be a positive integer.');
  let result: IngestBenchResult;
  if (typeof v.stream === 'string') {
    const n = Number(v.stream);
    if (!Number.isInteger(n) || n < 1) throw new UsageError('--stream N: N must be a positive integer.');
    result = { mode: 'stream', ...stream(n), compare: {} };
  } else {
    let file = args.positionals[0];
    if (v.generate) {
      io.stderr.write(`Writing the benchmark capture (${packetsArg.toLocaleString('en')} packets, seed ${BENCH_SEED})…\n`);
      file = benchCapture(packetsArg, typeof v.out === 'string' ? path.resolve(v.out) : undefined);
    }
    if (!file) throw new UsageError('Give a capture FILE, or --generate to write the benchmark capture.');
    file = path.resolve(file);
    const ws = typeof v.workspace === 'string' ? path.resolve(v.workspace) : null;
    const r = ws ? await intoWorkspace(file, ws) : await parseOnly(file);
    const compare = v['no-compare'] ? {} : compareTools(file, r.packetsPerSecond, r.packets);
    result = { mode: ws ? 'workspace' : 'parse', ...r, compare };
  }
  if (v.json) {
    io.stdout.write(JSON.stringify(result) + '\n');
    return ExitCode.ok;
  }
  const lines = [
    `${result.mode === 'workspace' ? 'Capture -> workspace' : result.mode === 'stream' ? 'Generated stream (no file), parse + assemble + features' : 'Parse + assemble + features (no database)'}${result.file ? `: ${result.file}` : ''}`,
    `  packets       ${result.packets.toLocaleString('en')}`,
    `  flows         ${result.flows.toLocaleString('en')}${result.peakActiveFlows ? ` (at most ${result.peakActiveFlows.toLocaleString('en')} active)` : ''}`,
    `  seconds       ${result.seconds}`,
    `  packets/s     ${result.packetsPerSecond.toLocaleString('en')} (${result.packetsPerCpuSecond.toLocaleString('en')} per CPU second; ${result.cpuSeconds} CPU s)`,
    `  MB/s          ${result.megabytesPerSecond}`,
    `  peak RSS      ${(result.peakRssBytes / 1e6).toFixed(0)} MB`,
  ];
  for (const [name, c] of Object.entries(result.compare)) {
    lines.push('error' in c ? `  ${name.padEnd(13)} ${c.error}` : `  ${name.padEnd(13)} ${c.packetsPerSecond.toLocaleString('en')} packets/s (${c.seconds} s): ours is ${c.oursAsRatio}x`);
  }
  io.stdout.write(lines.join('\n') + '\n');
  return ExitCode.ok;
}
