import type { MethodName, ParsedParams, Result } from '../../../shared/api';
import type { Events, EventName } from '../../../shared/api/events';
import type { Workspace } from '../store/workspace';
import type { JobManager } from '../jobs/manager';

/** What every method handler gets besides its validated params. */
export interface ServiceContext {
  /** The open workspace; throws E_NO_WORKSPACE when none is open. */
  ws(): Workspace;
  jobs(): JobManager;
  emit<E extends EventName>(event: E, payload: Events[E]): void;
  host: 'electron' | 'browser' | 'cli';
  openWorkspace(file: string, create?: { name: string; analyst?: string }): Workspace;
  closeWorkspace(): Promise<void>;
}

export type Handler<K extends MethodName> = (params: ParsedParams<K>, ctx: ServiceContext) => Result<K> | Promise<Result<K>>;

/** A domain's handlers: exactly the methods of its slice of the contract. */
export type Handlers<Slice extends Record<string, unknown>> = {
  [K in keyof Slice & MethodName]: Handler<K>;
};
