import { z } from 'zod';
import { method } from './define';
import { FilePath, Id, type JobInfo, type SourceInfo, type WorkspaceInfo } from './common';
import { JobKind } from '../jobs';

export interface AppInfo {
  version: string;
  host: 'electron' | 'browser' | 'cli';
  node: string;
  platform: string;
  tfBackend: string | null;
  dataDir: string;
  dataDirExists: boolean;
}

/** Workspace lifecycle, sources and jobs. */
export const workspaceMethods = {
  'app.info': method(z.object({})).returns<AppInfo>(),
  'workspace.create': method(
    z.object({ path: FilePath, name: z.string().min(1).max(200), analyst: z.string().max(200).default('') }),
  ).returns<WorkspaceInfo>(),
  'workspace.open': method(z.object({ path: FilePath })).returns<WorkspaceInfo>(),
  'workspace.current': method(z.object({})).returns<WorkspaceInfo | null>(),
  'workspace.update': method(
    z.object({ name: z.string().min(1).max(200).optional(), analyst: z.string().max(200).optional(), notes: z.string().max(100_000).optional() }),
  ).returns<WorkspaceInfo>(),
  'workspace.close': method(z.object({})).returns<null>(),
  'workspace.recent': method(z.object({})).returns<{ path: string; name: string; openedAt: string }[]>(),
  'sources.list': method(z.object({})).returns<SourceInfo[]>(),
  'sources.import': method(z.object({ paths: z.array(FilePath).min(1).max(1000) })).returns<{ jobId: number }>(),
  'jobs.start': method(z.object({ kind: JobKind, spec: z.unknown() })).returns<{ jobId: number }>(),
  'jobs.list': method(z.object({ limit: z.number().int().min(1).max(500).default(50) })).returns<JobInfo[]>(),
  'jobs.get': method(z.object({ id: Id })).returns<JobInfo>(),
  'jobs.cancel': method(z.object({ id: Id })).returns<JobInfo>(),
};
