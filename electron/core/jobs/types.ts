import type { Workspace } from '../store/workspace';
import type { JobKind, JobSpec } from '../../../shared/jobs';

/** What a job handler gets from the worker: its spec's workspace, progress, log and cancel. */
export interface JobContext {
  readonly jobId: number;
  readonly workspacePath: string;
  /** Aborted when the host asks the job to cancel. Check it in loops; throw `cancelled()`. */
  readonly signal: AbortSignal;
  /** Throttled to about 4 messages a second; the last call before the result is always sent. */
  progress(done: number, total: number, unit: string, message?: string): void;
  log(line: string): void;
  /** The worker's own connection to the workspace (opened on first use, closed at the end). */
  workspace(): Workspace;
}

export type JobHandler<K extends JobKind> = (spec: JobSpec<K>, ctx: JobContext) => Promise<unknown>;
export type JobHandlers = { [K in JobKind]: () => Promise<JobHandler<K>> };
