import path from 'node:path';
import { Workbench } from '../core/workbench';
import { NodeWorkerHost } from '../core/jobs/host';
import { workerEntry } from '../core/worker-entry';
import { WorkbenchError } from '../core/errors';
import type { JobInfo } from '../../shared/api';
import type { JobKind, JobSpecInput } from '../../shared/jobs';
import { UsageError, type CliArgs, type CliIO } from './command';

/** The `--workspace` option every workspace command takes. */
export function workspaceArg(args: CliArgs): string {
  const ws = args.values.workspace;
  if (typeof ws !== 'string' || ws === '') throw new UsageError('--workspace FILE is required.');
  return path.resolve(ws);
}

export function str(args: CliArgs, name: string): string | undefined {
  const v = args.values[name];
  return typeof v === 'string' ? v : undefined;
}

export function num(args: CliArgs, name: string): number | undefined {
  const v = str(args, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got ${JSON.stringify(v)}.`);
  return n;
}

export function list(args: CliArgs, name: string): string[] {
  const v = args.values[name];
  const items = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return items.flatMap((x) => String(x).split(',')).map((s) => s.trim()).filter(Boolean);
}

export const flag = (args: CliArgs, name: string): boolean => args.values[name] === true;

/** A Workbench on one workspace for the duration of `fn` (created when `create` is given). */
export async function withWorkbench<T>(
  wsPath: string,
  fn: (wb: Workbench) => Promise<T>,
  opts: { create?: { name: string; analyst?: string } } = {},
): Promise<T> {
  const wb = new Workbench({ host: 'cli', workerHost: new NodeWorkerHost(workerEntry()) });
  try {
    wb.openWorkspace(wsPath, opts.create);
    return await fn(wb);
  } finally {
    await wb.close();
  }
}

function bar(done: number, total: number, width: number): string {
  const frac = total > 0 ? Math.min(1, done / total) : 0;
  const full = Math.round(frac * width);
  return `[${'#'.repeat(full)}${'.'.repeat(width - full)}] ${(frac * 100).toFixed(0).padStart(3)}%`;
}

function fmt(n: number, unit: string): string {
  if (unit === 'bytes') {
    if (n >= 1e9) return `${(n / 1e9).toFixed(2)} GB`;
    if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
    if (n >= 1e3) return `${(n / 1e3).toFixed(0)} kB`;
    return `${n} B`;
  }
  return `${Math.round(n)} ${unit}`;
}

/**
 * Runs one job through the workbench's JobManager (a worker process, as in the app), with a
 * progress bar on a TTY and Ctrl-C cancelling it. Resolves with the final JobInfo.
 */
export async function runJob<K extends JobKind>(wb: Workbench, kind: K, spec: JobSpecInput<K>, io: CliIO): Promise<JobInfo> {
  const jobs = wb.jobs;
  if (!jobs) throw new WorkbenchError('E_NO_WORKSPACE', 'No workspace is open.');
  const id = jobs.start(kind, spec);
  const tty = Boolean(io.stderr.isTTY);
  const off = wb.on('job.update', (j) => {
    if (j.id !== id || !tty || j.state !== 'running') return;
    const p = j.progress;
    const width = Math.max(10, Math.min(40, (io.stderr.columns ?? 80) - 60));
    io.stderr.write(`\r${bar(p.done, p.total, width)} ${fmt(p.done, p.unit)}${p.total ? ` / ${fmt(p.total, p.unit)}` : ''} ${p.message.slice(0, 40)}\x1b[K`);
  });
  const onSigint = (): void => {
    io.stderr.write('\nCancelling…\n');
    jobs.cancel(id);
  };
  process.on('SIGINT', onSigint);
  try {
    const info = await jobs.wait(id);
    if (tty) io.stderr.write('\r\x1b[K');
    return info;
  } finally {
    off();
    process.off('SIGINT', onSigint);
  }
}

/** Turns a finished job into an exit: throws with the job's error unless it is done. */
export function jobResult(info: JobInfo): unknown {
  if (info.state === 'done') return info.result;
  if (info.state === 'cancelled') throw new WorkbenchError('E_CANCELLED', `Job ${info.id} (${info.kind}) was cancelled.`);
  throw new WorkbenchError((info.error?.code as never) ?? 'E_INTERNAL', `Job ${info.id} (${info.kind}) ${info.state}: ${info.error?.message ?? 'no reason given'}`);
}

export function printJson(io: CliIO, value: unknown): void {
  io.stdout.write(JSON.stringify(value) + '\n');
}
