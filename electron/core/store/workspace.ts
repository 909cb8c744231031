import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { migrations } from './migrations/index';
import { WorkbenchError } from '../errors';
import type { WorkspaceInfo } from '../../../shared/api/common';

export type Db = Database.Database;


export interface OpenOptions {
  /** Create the file when it does not exist (with name and analyst). */
  create?: { name: string; analyst?: string };
  readonly?: boolean;
}

/** The workspace file's SQLite handle with the pragmas every connection needs. */
export class Workspace {
  readonly db: Db;
  readonly path: string;

  private constructor(db: Db, file: string) {
    this.db = db;
    this.path = file;
  }

  static open(file: string, opts: OpenOptions = {}): Workspace {
    const abs = path.resolve(file);
    const exists = fs.existsSync(abs);
    if (!exists && !opts.create) {
      throw new WorkbenchError('E_NOT_FOUND', `Workspace ${abs} does not exist. Create it first (nstd serve --workspace creates it, or use "Create" in the app).`);
    }
    if (exists && opts.create && fs.statSync(abs).size > 0) {
      // Opening an existing file with create options just opens it.
    }
    let db: Db;
    try {
      db = new Database(abs, { readonly: opts.readonly ?? false, fileMustExist: !opts.create });
    } catch (err) {
      throw new WorkbenchError('E_WORKSPACE', `Cannot open workspace ${abs}: ${(err as Error).message}`);
    }
    try {
      db.pragma('busy_timeout = 10000');
      if (!opts.readonly) {
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = NORMAL');
      }
      db.pragma('foreign_keys = ON');
      db.pragma('cache_size = -65536');
      db.pragma('temp_store = MEMORY');
      const ws = new Workspace(db, abs);
      if (!opts.readonly) ws.migrate();
      if (ws.version() === 0 || ws.db.prepare('SELECT count(*) AS n FROM workspace').pluck().get() === 0) {
        if (!opts.create) throw new WorkbenchError('E_WORKSPACE', `${abs} is not an NSTD workspace (no workspace record).`);
        db.prepare('INSERT INTO workspace (id, name, analyst, created_at) VALUES (1, ?, ?, ?)').run(
          opts.create.name,
          opts.create.analyst ?? '',
          new Date().toISOString(),
        );
      }
      return ws;
    } catch (err) {
      db.close();
      if (err instanceof WorkbenchError) throw err;
      throw new WorkbenchError('E_WORKSPACE', `Cannot open workspace ${abs}: ${(err as Error).message}`);
    }
  }

  version(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  private migrate(): void {
    const from = this.version();
    if (from > migrations.length) {
      throw new WorkbenchError('E_WORKSPACE', `Workspace ${this.path} has schema version ${from}, newer than this build knows (${migrations.length}). Update NSTD Workbench.`);
    }
    for (let v = from; v < migrations.length; v++) {
      const step = this.db.transaction(() => {
        this.db.exec(migrations[v]!);
        this.db.pragma(`user_version = ${v + 1}`);
      });
      step();
    }
  }

  meta(): WorkspaceInfo {
    const row = this.db.prepare('SELECT name, analyst, created_at AS createdAt, notes FROM workspace WHERE id = 1').get() as
      | { name: string; analyst: string; createdAt: string; notes: string }
      | undefined;
    if (!row) throw new WorkbenchError('E_WORKSPACE', `${this.path} has no workspace record.`);
    return { path: this.path, schemaVersion: this.version(), ...row };
  }

  updateMeta(patch: Partial<Pick<WorkspaceInfo, 'name' | 'analyst' | 'notes'>>): void {
    const cur = this.meta();
    this.db.prepare('UPDATE workspace SET name = ?, analyst = ?, notes = ? WHERE id = 1').run(
      patch.name ?? cur.name,
      patch.analyst ?? cur.analyst,
      patch.notes ?? cur.notes,
    );
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

export const nowIso = (): string => new Date().toISOString();
