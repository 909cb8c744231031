import path from 'node:path';
import type { JobContext } from '../../../electron/core/jobs/types';
import { Workspace } from '../../../electron/core/store/workspace';
import { tmpDir } from '../../helpers/tmp';

/** A job context over a real workspace file, as the worker gives a handler (no process around it). */
export function testContext(name = 'w.nstd'): { ctx: JobContext; ws: Workspace; abort: AbortController; progress: number[] } {
  const ws = Workspace.open(path.join(tmpDir(), name), { create: { name: 'importer test', analyst: 'tester' } });
  const abort = new AbortController();
  const progress: number[] = [];
  const ctx: JobContext = {
    jobId: 0,
    workspacePath: ws.path,
    signal: abort.signal,
    progress: (done) => void progress.push(done),
    log: () => undefined,
    workspace: () => ws,
  };
  return { ctx, ws, abort, progress };
}
