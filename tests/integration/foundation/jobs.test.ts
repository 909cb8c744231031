import { afterEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { Workbench } from '../../../electron/core/workbench';
import { NodeWorkerHost } from '../../../electron/core/jobs/host';
import { workerEntry } from '../../../electron/core/worker-entry';
import { Workspace } from '../../../electron/core/store/workspace';
import { tmpDir } from '../../helpers/tmp';
import type { JobInfo } from '../../../shared/api';

const root = path.resolve(import.meta.dirname, '..', '..', '..');
let wb: Workbench | null = null;

function open(): Workbench {
  process.env.NSTD_HOME = tmpDir('nstd-home-');
  wb = new Workbench({ host: 'cli', workerHost: new NodeWorkerHost(workerEntry()) });
  wb.openWorkspace(path.join(tmpDir(), 'w.nstd'), { name: 'jobs test' });
  return wb;
}

async function waitFor(wb: Workbench, id: number, pred: (j: JobInfo) => boolean): Promise<JobInfo> {
  for (let i = 0; i < 600; i++) {
    const j = wb.jobs!.get(id);
    if (pred(j)) return j;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`job ${id} never reached the expected state`);
}

afterEach(async () => {
  await wb?.close();
  wb = null;
});

describe('JobManager with child_process workers', () => {
  it('runs the self-test job in a worker: progress persisted, log tail, result, timings', async () => {
    const w = open();
    const updates: JobInfo[] = [];
    w.on('job.update', (j) => updates.push(j));
    const { jobId } = await w.invoke('jobs.start', { kind: 'self-test', spec: { epochs: 4, rows: 256 } });
    const done = await w.jobs!.wait(jobId);
    expect(done.state).toBe('done');
    expect(done.progress).toMatchObject({ done: 4, total: 4, unit: 'epochs' });
    expect(done.logTail).toMatch(/TensorFlow.js backend: (wasm|cpu|tensorflow)/);
    expect((done.result as { accuracy: number }).accuracy).toBeGreaterThan(0.8);
    expect(done.startedAt && done.finishedAt).toBeTruthy();
    expect(updates.map((u) => u.state)).toContain('running');
    // Persisted: a second connection reads the same row.
    const other = Workspace.open(w.current!.path);
    expect(other.db.prepare('SELECT state FROM jobs WHERE id = ?').pluck().get(jobId)).toBe('done');
    other.close();
  });

  it('rejects an invalid spec at the boundary with the field named', async () => {
    const w = open();
    const r = await w.call('jobs.start', { kind: 'self-test', spec: { epochs: -1 } });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/epochs/);
    const r2 = await w.call('jobs.start', { kind: 'no-such-kind', spec: {} });
    expect(r2.ok).toBe(false);
    if (!r2.ok) expect(r2.error.code).toBe('E_INVALID');
  });

  it('cancel ends a running worker within 2 s', async () => {
    const w = open();
    const { jobId } = await w.invoke('jobs.start', { kind: 'self-test', spec: { epochs: 200, rows: 256, delayMs: 200 } });
    await waitFor(w, jobId, (j) => j.progress.done >= 1);
    const t0 = Date.now();
    w.jobs!.cancel(jobId);
    const j = await w.jobs!.wait(jobId);
    expect(j.state).toBe('cancelled');
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('a worker killed mid-job fails that job with the exit reason, and the next job still runs', async () => {
    const w = open();
    const pids: number[] = [];
    const host = new NodeWorkerHost(workerEntry());
    // Same host, but we keep the pid to kill it from outside, as a crash would.
    (w as unknown as { opts: { workerHost: NodeWorkerHost } }).opts.workerHost = {
      spawn: () => {
        const h = host.spawn();
        if (h.pid) pids.push(h.pid);
        return h;
      },
    } as NodeWorkerHost;
    w.openWorkspace(path.join(tmpDir(), 'k.nstd'), { name: 'kill test' });
    const { jobId } = await w.invoke('jobs.start', { kind: 'self-test', spec: { epochs: 200, rows: 256, delayMs: 100 } });
    await waitFor(w, jobId, (j) => j.progress.done >= 1);
    process.kill(pids[0]!, 'SIGKILL');
    const failed = await w.jobs!.wait(jobId);
    expect(failed.state).toBe('failed');
    expect(failed.error?.code).toBe('E_WORKER');
    expect(failed.error?.message).toMatch(/SIGKILL/);
    const next = await w.invoke('jobs.start', { kind: 'self-test', spec: { epochs: 2, rows: 64 } });
    expect((await w.jobs!.wait(next.jobId)).state).toBe('done');
  });

  it('jobs left running by a dead app are interrupted at the next open', async () => {
    process.env.NSTD_HOME = tmpDir('nstd-home-');
    const file = path.join(tmpDir(), 'dead.nstd');
    // A real app process: nstd serve, with a slow job running, killed with SIGKILL.
    const proc = spawn(process.execPath, [path.join(root, 'bin', 'nstd.js'), 'serve', '--json', '--workspace', file], { stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise<string>((r) => proc.stdout!.once('data', (d: Buffer) => r(d.toString())));
    const { port, token } = JSON.parse(line) as { port: number; token: string };
    const res = await fetch(`http://127.0.0.1:${port}/api/call/jobs.start`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}` },
      body: JSON.stringify({ kind: 'self-test', spec: { epochs: 200, rows: 64, delayMs: 200 } }),
    });
    const { result } = (await res.json()) as { result: { jobId: number } };
    await new Promise((r) => setTimeout(r, 1500));
    const gone = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGKILL');
    await gone;
    wb = new Workbench({ host: 'cli', workerHost: new NodeWorkerHost(workerEntry()) });
    wb.openWorkspace(file);
    const j = wb.jobs!.get(result.jobId);
    expect(j.state).toBe('interrupted');
    expect(j.error?.message).toMatch(/stopped/);
  });
});
