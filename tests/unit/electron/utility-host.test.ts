import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Workspace } from '../../../electron/core/store/workspace';
import { JobManager } from '../../../electron/core/jobs/manager';
import { workerEntry } from '../../../electron/core/worker-entry';
import type { JobInfo } from '../../../shared/api';
import { tmpDir } from '../../helpers/tmp';
import { FakeUtilityProcess } from './fake-electron';

vi.mock('electron', () => import('./fake-electron'));

const { ElectronWorkerHost } = await import('../../../electron/main/utility-host');

/**
 * The Electron job host under the real JobManager and the real worker entry (dist/worker.js);
 * utilityProcess.fork is the faked part: it runs the worker as a Node child behind the same API.
 */
describe('ElectronWorkerHost', () => {
  const dir = tmpDir('nstd-utility-');
  process.env.NSTD_HOME = path.join(dir, 'home');
  const ws = Workspace.open(path.join(dir, 'jobs.nstd'), { create: { name: 'jobs' } });
  const manager = new JobManager(ws.db, ws.path, new ElectronWorkerHost(workerEntry()), { concurrency: 1 });

  afterAll(async () => {
    await manager.close();
    ws.close();
  });

  /** Resolves with the job once it reports progress (the worker is mid-job). */
  const running = (id: number) =>
    new Promise<JobInfo>((resolve) => {
      const on = (info: JobInfo) => {
        if (info.id === id && info.state === 'running' && info.progress.done > 0) {
          manager.off('update', on);
          resolve(info);
        }
      };
      manager.on('update', on);
    });

  it('forks the one worker entry in a named utility process and runs a job to the end', async () => {
    const id = manager.start('self-test', { epochs: 2, rows: 64 });
    const done = await manager.wait(id);
    expect(done.state).toBe('done');
    const child = FakeUtilityProcess.instances.at(-1)!;
    expect(child.modulePath).toBe(workerEntry());
    expect(child.options).toMatchObject({ serviceName: 'NSTD job worker' });
  });

  it('fails the job with the exit reason when the worker process dies, and keeps serving', async () => {
    const id = manager.start('self-test', { epochs: 200, rows: 64, delayMs: 200 });
    await running(id);
    FakeUtilityProcess.instances.at(-1)!.child.kill('SIGKILL');
    const failed = await manager.wait(id);
    expect(failed.state).toBe('failed');
    expect(failed.error?.code).toBe('E_WORKER');
    expect(failed.error?.message).toMatch(/ended unexpectedly \(exit code 137\)/);
    // The next job still runs.
    const next = await manager.wait(manager.start('self-test', { epochs: 1, rows: 32 }));
    expect(next.state).toBe('done');
  });

  it('names a fatal V8 error as the reason when Electron reports one', async () => {
    const id = manager.start('self-test', { epochs: 200, rows: 64, delayMs: 200 });
    await running(id);
    const child = FakeUtilityProcess.instances.at(-1)!;
    child.emit('error', 'FatalError', 'v8::ToLocalChecked Empty MaybeLocal', '{}');
    child.child.kill('SIGKILL');
    const failed = await manager.wait(id);
    expect(failed.state).toBe('failed');
    expect(failed.error?.message).toMatch(/killed by a fatal FatalError at v8::ToLocalChecked Empty MaybeLocal/);
  });

  it('cancels a running job: the worker ends and the job is cancelled', async () => {
    const id = manager.start('self-test', { epochs: 200, rows: 64, delayMs: 200 });
    await running(id);
    const child = FakeUtilityProcess.instances.at(-1)!;
    manager.cancel(id);
    const cancelled = await manager.wait(id);
    expect(cancelled.state).toBe('cancelled');
    expect(child.child.exitCode !== null || child.child.signalCode !== null).toBe(true);
  });

  it('sends nothing to a worker that is gone and kills it only once', async () => {
    const handle = new ElectronWorkerHost(workerEntry()).spawn();
    const child = FakeUtilityProcess.instances.at(-1)!;
    const exited = new Promise<{ code: number | null; signal: string | null }>((r) => handle.onExit(r));
    handle.kill();
    const reason = await exited;
    expect(reason.signal).toBe('SIGTERM (stopped by the app)');
    const post = vi.spyOn(child, 'postMessage');
    const kill = vi.spyOn(child, 'kill');
    handle.send({ type: 'cancel' });
    handle.kill();
    expect(post).not.toHaveBeenCalled();
    expect(kill).not.toHaveBeenCalled();
  });
});
