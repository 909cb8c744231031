import { fork, type ChildProcess } from 'node:child_process';
import type { FromWorker, ToWorker } from '../../../shared/jobs';

/** A running worker process as the JobManager sees it, whichever API forked it. */
export interface WorkerHandle {
  readonly pid: number | undefined;
  send(msg: ToWorker): void;
  onMessage(listener: (msg: FromWorker) => void): void;
  /** Called once when the process is gone: exit code, or signal, in words. */
  onExit(listener: (reason: { code: number | null; signal: string | null }) => void): void;
  kill(): void;
}

/** Starts workers from the one worker entry file. Electron: utilityProcess; Node: child_process. */
export interface WorkerHost {
  spawn(): WorkerHandle;
}

/** Node host (nstd serve, the CLI and tests): child_process.fork with an IPC channel. */
export class NodeWorkerHost implements WorkerHost {
  constructor(private readonly entry: string, private readonly execArgv: string[] = []) {}

  spawn(): WorkerHandle {
    const child: ChildProcess = fork(this.entry, [], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv: this.execArgv,
      serialization: 'advanced',
    });
    return {
      pid: child.pid,
      send: (msg) => {
        if (child.connected) child.send(msg);
      },
      onMessage: (l) => child.on('message', (m) => l(m as FromWorker)),
      onExit: (l) => child.once('exit', (code, signal) => l({ code, signal })),
      kill: () => {
        child.kill('SIGKILL');
      },
    };
  }
}
