import { EventEmitter } from 'node:events';
import type { Db } from '../store/workspace';
import { nowIso } from '../store/workspace';
import { markInterruptedSources } from '../store/sources';
import { WorkbenchError } from '../errors';
import type { JobInfo, JobState } from '../../../shared/api/common';
import { jobSpecs, type FromWorker, type JobKind } from '../../../shared/jobs';
import type { WorkerHandle, WorkerHost } from './host';

const LOG_TAIL_CHARS = 8000;
const PROGRESS_INTERVAL_MS = 250;
const CANCEL_GRACE_MS = 1500;

interface JobRow {
  id: number;
  kind: string;
  spec: string;
  state: JobState;
  progress_done: number;
  progress_total: number;
  progress_unit: string;
  message: string;
  log_tail: string;
  result: string | null;
  error: string | null;
  error_code: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export function toJobInfo(r: JobRow): JobInfo {
  return {
    id: r.id,
    kind: r.kind,
    state: r.state,
    spec: JSON.parse(r.spec) as unknown,
    progress: { done: r.progress_done, total: r.progress_total, unit: r.progress_unit, message: r.message },
    logTail: r.log_tail,
    result: r.result === null ? null : (JSON.parse(r.result) as unknown),
    error: r.error === null ? null : { message: r.error, code: r.error_code ?? 'E_INTERNAL' },
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  };
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Marks jobs whose owning process is gone as `interrupted` (and the sources they were importing).
 * Runs whenever a workspace is opened.
 */
export function markInterruptedJobs(db: Db): number[] {
  const rows = db.prepare(`SELECT id, host_pid FROM jobs WHERE state IN ('queued','running')`).all() as {
    id: number;
    host_pid: number | null;
  }[];
  const dead = rows.filter((r) => r.host_pid === null || (r.host_pid !== process.pid && !pidAlive(r.host_pid))).map((r) => r.id);
  const stmt = db.prepare(
    `UPDATE jobs SET state = 'interrupted', finished_at = ?, error = 'The application stopped while this job ran.', error_code = 'E_INTERRUPTED' WHERE id = ?`,
  );
  db.transaction(() => {
    for (const id of dead) stmt.run(nowIso(), id);
    markInterruptedSources(db, dead);
  })();
  return dead;
}

interface Running {
  id: number;
  worker: WorkerHandle;
  cancelRequested: boolean;
  lastPersist: number;
  pendingProgress: FromWorker & { type: 'progress' } | null;
  timer: NodeJS.Timeout | null;
  finished: Promise<JobInfo>;
  settle: (info: JobInfo) => void;
}

export interface JobManagerOptions {
  /** Heavy jobs at a time (2 cores: 1). */
  concurrency?: number;
}

/**
 * Queues jobs, runs each in a fresh worker process, persists state, progress (throttled), log
 * tail and timings in `jobs`, and emits 'update' with a JobInfo on every visible change.
 */
export class JobManager extends EventEmitter<{ update: [JobInfo]; log: [{ id: number; line: string }] }> {
  private readonly queue: number[] = [];
  private readonly running = new Map<number, Running>();
  private readonly waiters = new Map<number, { promise: Promise<JobInfo>; resolve: (j: JobInfo) => void }>();
  private readonly concurrency: number;
  private closed = false;

  constructor(
    private readonly db: Db,
    private readonly workspacePath: string,
    private readonly host: WorkerHost,
    opts: JobManagerOptions = {},
  ) {
    super();
    this.concurrency = opts.concurrency ?? 1;
    markInterruptedJobs(db);
  }

  start(kind: JobKind, spec: unknown): number {
    if (this.closed) throw new WorkbenchError('E_UNAVAILABLE', 'The job manager is closed.');
    const parsed = jobSpecs[kind].safeParse(spec);
    if (!parsed.success) {
      throw new WorkbenchError('E_INVALID', `Invalid ${kind} job spec: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
    }
    const r = this.db
      .prepare(`INSERT INTO jobs (kind, spec, state, host_pid, created_at) VALUES (?, ?, 'queued', ?, ?)`)
      .run(kind, JSON.stringify(parsed.data), process.pid, nowIso());
    const id = Number(r.lastInsertRowid);
    this.queue.push(id);
    this.emitUpdate(id);
    this.pump();
    return id;
  }

  get(id: number): JobInfo {
    const row = this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
    if (!row) throw new WorkbenchError('E_NOT_FOUND', `No job ${id} in this workspace.`);
    return toJobInfo(row);
  }

  list(limit = 50): JobInfo[] {
    return (this.db.prepare('SELECT * FROM jobs ORDER BY id DESC LIMIT ?').all(limit) as JobRow[]).map(toJobInfo);
  }

  /** Resolves when the job reaches a final state. */
  wait(id: number): Promise<JobInfo> {
    const info = this.get(id);
    if (!['queued', 'running'].includes(info.state)) return Promise.resolve(info);
    let w = this.waiters.get(id);
    if (!w) {
      let resolve!: (j: JobInfo) => void;
      const promise = new Promise<JobInfo>((r) => (resolve = r));
      w = { promise, resolve };
      this.waiters.set(id, w);
    }
    return w.promise;
  }

  cancel(id: number): JobInfo {
    const qi = this.queue.indexOf(id);
    if (qi >= 0) {
      this.queue.splice(qi, 1);
      this.finish(id, 'cancelled', null, { message: 'Cancelled before it started.', code: 'E_CANCELLED' });
      return this.get(id);
    }
    const run = this.running.get(id);
    if (run && !run.cancelRequested) {
      run.cancelRequested = true;
      run.worker.send({ type: 'cancel' });
      // A handler that does not notice the abort in time is ended by force.
      run.timer = setTimeout(() => run.worker.kill(), CANCEL_GRACE_MS);
    }
    return this.get(id);
  }

  /** Cancels everything and waits for the workers to be gone. */
  async close(): Promise<void> {
    this.closed = true;
    for (const id of [...this.queue]) this.cancel(id);
    const pending = [...this.running.values()].map((r) => {
      this.cancel(r.id);
      return r.finished;
    });
    await Promise.all(pending);
  }

  private pump(): void {
    while (this.running.size < this.concurrency && this.queue.length > 0) {
      const id = this.queue.shift()!;
      this.launch(id);
    }
  }

  private launch(id: number): void {
    const row = this.db.prepare('SELECT kind, spec FROM jobs WHERE id = ?').get(id) as { kind: JobKind; spec: string };
    let worker: WorkerHandle;
    try {
      worker = this.host.spawn();
    } catch (err) {
      this.finish(id, 'failed', null, { message: `Could not start a worker: ${(err as Error).message}`, code: 'E_WORKER' });
      return;
    }
    let settle!: (j: JobInfo) => void;
    const finished = new Promise<JobInfo>((r) => (settle = r));
    const run: Running = { id, worker, cancelRequested: false, lastPersist: 0, pendingProgress: null, timer: null, finished, settle };
    this.running.set(id, run);
    this.db.prepare(`UPDATE jobs SET state = 'running', started_at = ? WHERE id = ?`).run(nowIso(), id);
    this.emitUpdate(id);

    let outcome: { state: 'done' | 'failed' | 'cancelled'; result: unknown; error: { message: string; code: string } | null } | null = null;
    worker.onMessage((msg) => {
      switch (msg.type) {
        case 'progress':
          run.pendingProgress = msg;
          this.flushProgress(run, false);
          break;
        case 'log':
          this.appendLog(id, msg.line);
          break;
        case 'result':
          outcome = { state: 'done', result: msg.result, error: null };
          break;
        case 'error':
          outcome =
            msg.code === 'E_CANCELLED'
              ? { state: 'cancelled', result: null, error: { message: msg.message, code: msg.code } }
              : { state: 'failed', result: null, error: { message: msg.message, code: msg.code } };
          break;
      }
    });
    worker.onExit(({ code, signal }) => {
      if (run.timer) clearTimeout(run.timer);
      this.flushProgress(run, true);
      this.running.delete(id);
      if (!outcome) {
        outcome = run.cancelRequested
          ? { state: 'cancelled', result: null, error: { message: 'Cancelled; the worker was stopped.', code: 'E_CANCELLED' } }
          : {
              state: 'failed',
              result: null,
              error: {
                message: `The worker process ended unexpectedly (${signal ? `killed by ${signal}` : `exit code ${code}`}) before the job finished.`,
                code: 'E_WORKER',
              },
            };
      }
      this.finish(id, outcome.state, outcome.result, outcome.error);
      run.settle(this.get(id));
      this.pump();
    });
    worker.send({ type: 'start', jobId: id, kind: row.kind, spec: JSON.parse(row.spec) as unknown, workspacePath: this.workspacePath });
  }

  private flushProgress(run: Running, force: boolean): void {
    const p = run.pendingProgress;
    if (!p) return;
    const now = Date.now();
    if (!force && now - run.lastPersist < PROGRESS_INTERVAL_MS) {
      if (!run.timer) {
        run.timer = setTimeout(() => {
          run.timer = null;
          this.flushProgress(run, true);
        }, PROGRESS_INTERVAL_MS);
      }
      return;
    }
    run.pendingProgress = null;
    run.lastPersist = now;
    this.db
      .prepare('UPDATE jobs SET progress_done = ?, progress_total = ?, progress_unit = ?, message = ? WHERE id = ?')
      .run(p.done, p.total, p.unit, p.message, run.id);
    this.emitUpdate(run.id);
  }

  private appendLog(id: number, line: string): void {
    const row = this.db.prepare('SELECT log_tail FROM jobs WHERE id = ?').get(id) as { log_tail: string };
    const tail = (row.log_tail + line.slice(0, 2000) + '\n').slice(-LOG_TAIL_CHARS);
    this.db.prepare('UPDATE jobs SET log_tail = ? WHERE id = ?').run(tail, id);
    this.emit('log', { id, line });
  }

  private finish(id: number, state: 'done' | 'failed' | 'cancelled', result: unknown, error: { message: string; code: string } | null): void {
    this.db
      .prepare('UPDATE jobs SET state = ?, result = ?, error = ?, error_code = ?, finished_at = ? WHERE id = ?')
      .run(state, result === null || result === undefined ? null : JSON.stringify(result), error?.message ?? null, error?.code ?? null, nowIso(), id);
    if (state !== 'done') {
      // An import that did not finish leaves what it wrote visible, marked as such.
      this.db
        .prepare(`UPDATE sources SET status = ? WHERE job_id = ? AND status = 'importing'`)
        .run(state === 'cancelled' ? 'partial' : 'failed', id);
    }
    const info = this.get(id);
    this.emit('update', info);
    const w = this.waiters.get(id);
    if (w) {
      this.waiters.delete(id);
      w.resolve(info);
    }
  }

  private emitUpdate(id: number): void {
    this.emit('update', this.get(id));
  }
}
