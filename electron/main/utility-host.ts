import { utilityProcess } from 'electron';
import type { FromWorker, ToWorker } from '../../shared/jobs';
import type { WorkerHandle, WorkerHost } from '../core/jobs/host';

/**
 * Electron's job host: each job runs the one worker entry (dist/worker.js) in a utility process,
 * which speaks to us through process.parentPort. A crash reaches the JobManager through onExit
 * with what Electron told us about it, so the job fails with a reason and the app keeps serving.
 */
export class ElectronWorkerHost implements WorkerHost {
  constructor(private readonly entry: string) {}

  spawn(): WorkerHandle {
    const child = utilityProcess.fork(this.entry, [], { serviceName: 'NSTD job worker', stdio: 'inherit' });
    let exited = false;
    let stoppedByUs = false;
    let fatal: string | null = null;
    // Experimental in Electron: emitted before 'exit' when V8 hits a fatal error.
    child.on('error', (type, location) => {
      fatal = `a fatal ${type}${location ? ` at ${location}` : ''}`;
    });
    child.once('exit', () => {
      exited = true;
    });
    return {
      get pid() {
        return child.pid;
      },
      send(msg: ToWorker) {
        if (!exited) child.postMessage(msg);
      },
      onMessage(listener: (msg: FromWorker) => void) {
        child.on('message', (m: unknown) => listener(m as FromWorker));
      },
      onExit(listener) {
        child.once('exit', (code) => {
          // Electron reports no signal; say who ended it when we know.
          listener({ code, signal: fatal ?? (stoppedByUs ? 'SIGTERM (stopped by the app)' : null) });
        });
      },
      kill() {
        if (exited) return;
        stoppedByUs = true;
        child.kill();
      },
    };
  }
}
