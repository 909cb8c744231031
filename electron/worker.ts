/**
 * The single job entry point. Electron starts it with utilityProcess.fork (messages through
 * process.parentPort), Node hosts with child_process.fork (process.send). One job per process.
 */
import { jobSpecs, type FromWorker, type ToWorker } from '../shared/jobs';
import { jobHandlers } from './core/jobs/registry';
import type { JobContext, JobHandler } from './core/jobs/types';
import { Workspace } from './core/store/workspace';
import { WorkbenchError } from './core/errors';

interface ParentPort {
  postMessage(msg: unknown): void;
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;

function send(msg: FromWorker): void {
  if (parentPort) parentPort.postMessage(msg);
  else if (process.connected) process.send?.(msg);
}

// A worker whose host died has no one to report to: end it instead of computing on.
process.on('disconnect', () => process.exit(0));

function onMessage(listener: (msg: ToWorker) => void): void {
  if (parentPort) parentPort.on('message', (e) => listener(e.data as ToWorker));
  else process.on('message', (m) => listener(m as ToWorker));
}

const PROGRESS_INTERVAL_MS = 250;
const abort = new AbortController();
let started = false;

async function run(msg: Extract<ToWorker, { type: 'start' }>): Promise<void> {
  let ws: Workspace | null = null;
  let lastSent = 0;
  let pending: FromWorker | null = null;
  const ctx: JobContext = {
    jobId: msg.jobId,
    workspacePath: msg.workspacePath,
    signal: abort.signal,
    progress(done, total, unit, message = '') {
      pending = { type: 'progress', done, total, unit, message };
      const now = Date.now();
      if (now - lastSent >= PROGRESS_INTERVAL_MS) {
        lastSent = now;
        send(pending);
        pending = null;
      }
    },
    log(line) {
      send({ type: 'log', line });
    },
    workspace() {
      ws ??= Workspace.open(msg.workspacePath);
      return ws;
    },
  };
  try {
    const spec = jobSpecs[msg.kind].parse(msg.spec);
    const handler = (await jobHandlers[msg.kind]()) as JobHandler<typeof msg.kind>;
    const result = await handler(spec as never, ctx);
    if (pending) send(pending);
    send({ type: 'result', result: result ?? null });
  } catch (err) {
    if (pending) send(pending);
    const cancelled = abort.signal.aborted;
    const code = cancelled ? 'E_CANCELLED' : err instanceof WorkbenchError ? err.code : 'E_INTERNAL';
    const message = cancelled ? 'Cancelled by the user.' : err instanceof Error ? err.message : String(err);
    send({ type: 'error', message, code });
  } finally {
    (ws as Workspace | null)?.close();
    // Give the IPC channel a moment to deliver the last message, then end.
    setTimeout(() => process.exit(0), 50);
  }
}

onMessage((msg) => {
  if (msg.type === 'cancel') {
    abort.abort();
    return;
  }
  if (msg.type === 'start' && !started) {
    started = true;
    void run(msg);
  }
});
