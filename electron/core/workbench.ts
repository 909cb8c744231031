import { EventEmitter } from 'node:events';
import { methods, isMethodName, type Envelope, type MethodName, type Result } from '../../shared/api';
import type { Events, EventName } from '../../shared/api/events';
import { Workspace } from './store/workspace';
import { JobManager } from './jobs/manager';
import type { WorkerHost } from './jobs/host';
import { WorkbenchError } from './errors';
import { handlers } from './service/index';
import type { ServiceContext } from './service/types';
import { rememberRecent } from './recent';

export interface WorkbenchOptions {
  host: ServiceContext['host'];
  workerHost: WorkerHost;
  concurrency?: number;
}

/**
 * The core service behind every host: holds the open workspace and its JobManager, validates
 * each inbound call against the contract and dispatches it. Plain Node: never imports electron.
 */
export class Workbench {
  private workspace: Workspace | null = null;
  private jobManager: JobManager | null = null;
  private readonly events = new EventEmitter();
  private readonly ctx: ServiceContext;

  constructor(private readonly opts: WorkbenchOptions) {
    this.events.setMaxListeners(100);
    this.ctx = {
      host: opts.host,
      ws: () => {
        if (!this.workspace) throw new WorkbenchError('E_NO_WORKSPACE', 'No workspace is open. Create or open one first.');
        return this.workspace;
      },
      jobs: () => {
        if (!this.jobManager) throw new WorkbenchError('E_NO_WORKSPACE', 'No workspace is open. Create or open one first.');
        return this.jobManager;
      },
      emit: (event, payload) => this.emit(event, payload),
      openWorkspace: (file, create) => this.openWorkspace(file, create),
      closeWorkspace: () => this.closeWorkspace(),
    };
  }

  /** Validates `params` against the method's schema and runs it; errors come back as values. */
  async call(name: string, params: unknown): Promise<Envelope> {
    if (!isMethodName(name)) return { ok: false, error: { code: 'E_NOT_FOUND', message: `Unknown method ${JSON.stringify(String(name).slice(0, 100))}.` } };
    const parsed = methods[name].params.safeParse(params ?? {});
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
      return {
        ok: false,
        error: { code: 'E_INVALID', message: `Invalid parameters for ${name}: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`, issues },
      };
    }
    try {
      const handler = handlers[name] as (p: unknown, c: ServiceContext) => unknown;
      const result = await handler(parsed.data, this.ctx);
      return { ok: true, result: result === undefined ? null : result };
    } catch (err) {
      if (err instanceof WorkbenchError) return { ok: false, error: { code: err.code, message: err.message } };
      return { ok: false, error: { code: 'E_INTERNAL', message: err instanceof Error ? err.message : String(err) } };
    }
  }

  /** Typed call for in-process hosts (CLI): throws a WorkbenchError on failure. */
  async invoke<K extends MethodName>(name: K, params: unknown): Promise<Result<K>> {
    const r = await this.call(name, params);
    if (!r.ok) throw new WorkbenchError(r.error.code as never, r.error.message, r.error.issues);
    return r.result as Result<K>;
  }

  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void {
    this.events.on(event, listener);
    return () => this.events.off(event, listener);
  }

  /** Every event, for transports that forward them all (SSE, IPC). */
  onAny(listener: (event: EventName, payload: unknown) => void): () => void {
    this.events.on('*', listener);
    return () => this.events.off('*', listener);
  }

  emit<E extends EventName>(event: E, payload: Events[E]): void {
    this.events.emit(event, payload);
    this.events.emit('*', event, payload);
  }

  /**
   * Opens `file` (creating it when `create` is given) and makes it current. The new file is
   * opened first, so a failure leaves the current workspace open; the old one is closed once
   * its jobs have been cancelled and their workers are gone.
   */
  openWorkspace(file: string, create?: { name: string; analyst?: string }): Workspace {
    const ws = Workspace.open(file, create ? { create } : {});
    const jm = new JobManager(ws.db, ws.path, this.opts.workerHost, { concurrency: this.opts.concurrency ?? 1 });
    jm.on('update', (info) => {
      this.emit('job.update', info);
      if (info.state !== 'queued' && info.state !== 'running') {
        // A finished job may have written anything; views refresh what they show.
        this.emit('workspace.changed', { what: 'workspace' });
      }
    });
    jm.on('log', (l) => this.emit('job.log', l));
    const previous = { jm: this.jobManager, ws: this.workspace };
    this.workspace = ws;
    this.jobManager = jm;
    if (previous.jm || previous.ws) void this.retire(previous.jm, previous.ws);
    try {
      rememberRecent(ws.path, ws.meta().name);
    } catch {
      // The recent list is a convenience; a read-only home must not stop the workspace opening.
    }
    this.emit('workspace.changed', { what: 'workspace' });
    return ws;
  }

  /** Cancels a replaced workspace's jobs, waits for their workers, then closes its file. */
  private async retire(jm: JobManager | null, ws: Workspace | null): Promise<void> {
    if (jm) {
      jm.removeAllListeners();
      await jm.close();
    }
    ws?.close();
  }

  get current(): Workspace | null {
    return this.workspace;
  }

  get jobs(): JobManager | null {
    return this.jobManager;
  }

  async closeWorkspace(): Promise<void> {
    const jm = this.jobManager;
    const ws = this.workspace;
    this.jobManager = null;
    this.workspace = null;
    await this.retire(jm, ws);
  }

  async close(): Promise<void> {
    await this.closeWorkspace();
    this.events.removeAllListeners();
  }
}
