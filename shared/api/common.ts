import { z } from 'zod';

/** Shapes shared by several domains of the contract. */
export const JobState = z.enum(['queued', 'running', 'done', 'failed', 'cancelled', 'interrupted']);
export type JobState = z.infer<typeof JobState>;

export interface JobInfo {
  id: number;
  kind: string;
  state: JobState;
  spec: unknown;
  progress: { done: number; total: number; unit: string; message: string };
  logTail: string;
  result: unknown;
  error: { message: string; code: string } | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface SourceInfo {
  id: number;
  path: string;
  name: string;
  size: number;
  sha256: string | null;
  format: string;
  schema: string | null;
  importedAt: string;
  status: 'importing' | 'ok' | 'partial' | 'failed' | 'interrupted';
  jobId: number | null;
  packets: number;
  flowCount: number;
  timeFirst: number | null;
  timeLast: number | null;
  errors: { file?: string; offset?: number; line?: number; message: string }[];
}

export interface WorkspaceInfo {
  path: string;
  name: string;
  analyst: string;
  createdAt: string;
  notes: string;
  schemaVersion: number;
}

export const Id = z.number().int().positive();
export const FilePath = z.string().min(1).max(4096);
