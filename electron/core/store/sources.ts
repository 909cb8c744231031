import type { Db } from './workspace';
import { nowIso } from './workspace';
import type { SourceInfo } from '../../../shared/api/common';

export interface SourceError {
  file?: string;
  offset?: number;
  line?: number;
  message: string;
}

interface SourceRow {
  id: number;
  path: string;
  name: string;
  size: number;
  sha256: string | null;
  format: string;
  schema: string | null;
  imported_at: string;
  status: SourceInfo['status'];
  job_id: number | null;
  packets: number;
  flow_count: number;
  time_first: number | null;
  time_last: number | null;
  errors: string;
}

export function createSource(
  db: Db,
  s: { path: string; name: string; size: number; format: string; schema: string | null; jobId: number | null },
): number {
  const r = db
    .prepare(
      `INSERT INTO sources (path, name, size, format, schema, imported_at, status, job_id)
       VALUES (?, ?, ?, ?, ?, ?, 'importing', ?)`,
    )
    .run(s.path, s.name, s.size, s.format, s.schema, nowIso(), s.jobId);
  return Number(r.lastInsertRowid);
}

export interface SourceFinish {
  status: 'ok' | 'partial' | 'failed' | 'interrupted';
  sha256?: string | null;
  packets?: number;
  flowCount: number;
  timeFirst?: number | null;
  timeLast?: number | null;
  errors: SourceError[];
  stats?: Record<string, unknown>;
}

export function finishSource(db: Db, id: number, f: SourceFinish): void {
  db.prepare(
    `UPDATE sources SET status = ?, sha256 = coalesce(?, sha256), packets = ?, flow_count = ?,
       time_first = ?, time_last = ?, errors = ?, stats = ? WHERE id = ?`,
  ).run(
    f.status,
    f.sha256 ?? null,
    f.packets ?? 0,
    f.flowCount,
    f.timeFirst ?? null,
    f.timeLast ?? null,
    JSON.stringify(f.errors.slice(0, 1000)),
    JSON.stringify(f.stats ?? {}),
    id,
  );
}

export function listSources(db: Db): SourceInfo[] {
  const rows = db.prepare('SELECT * FROM sources ORDER BY id').all() as SourceRow[];
  return rows.map(toSourceInfo);
}

export function toSourceInfo(r: SourceRow): SourceInfo {
  return {
    id: r.id,
    path: r.path,
    name: r.name,
    size: r.size,
    sha256: r.sha256,
    format: r.format,
    schema: r.schema,
    importedAt: r.imported_at,
    status: r.status,
    jobId: r.job_id,
    packets: r.packets,
    flowCount: r.flow_count,
    timeFirst: r.time_first,
    timeLast: r.time_last,
    errors: JSON.parse(r.errors) as SourceInfo['errors'],
  };
}

/** Sources left 'importing' by a process that died are 'interrupted'. */
export function markInterruptedSources(db: Db, deadJobIds: number[]): void {
  const stmt = db.prepare(`UPDATE sources SET status = 'interrupted' WHERE status = 'importing' AND (job_id IS NULL OR job_id = ?)`);
  for (const id of deadJobIds) stmt.run(id);
}
