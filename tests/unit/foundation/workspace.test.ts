import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Workspace } from '../../../electron/core/store/workspace';
import { migrations } from '../../../electron/core/store/migrations/index';
import { listRecent, rememberRecent } from '../../../electron/core/recent';
import { tmpDir } from '../../helpers/tmp';

describe('workspace file', () => {
  it('creates a WAL SQLite file at the newest schema version with foreign keys on', () => {
    const file = path.join(tmpDir(), 'a.nstd');
    const ws = Workspace.open(file, { create: { name: 'Case A', analyst: 'kim' } });
    expect(ws.version()).toBe(migrations.length);
    expect(ws.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(ws.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(ws.meta()).toMatchObject({ name: 'Case A', analyst: 'kim', schemaVersion: migrations.length });
    const tables = ws.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
    for (const t of ['workspace', 'sources', 'flows', 'label_classes', 'labels', 'models', 'jobs', 'detections', 'detection_runs', 'reports']) expect(tables).toContain(t);
    ws.close();
    const again = Workspace.open(file);
    expect(again.meta().name).toBe('Case A');
    again.close();
  });

  it('refuses a missing file, a non-workspace SQLite file and a newer schema with clear messages', () => {
    const dir = tmpDir();
    expect(() => Workspace.open(path.join(dir, 'missing.nstd'))).toThrow(/does not exist/);
    const other = path.join(dir, 'other.db');
    new Database(other).exec('CREATE TABLE x (a)');
    expect(() => Workspace.open(other)).toThrow(/not an NSTD workspace|no workspace record/);
    const future = path.join(dir, 'future.nstd');
    Workspace.open(future, { create: { name: 'f' } }).close();
    const db = new Database(future);
    db.pragma(`user_version = ${migrations.length + 5}`);
    db.close();
    expect(() => Workspace.open(future)).toThrow(/newer than this build/);
    const garbage = path.join(dir, 'garbage.nstd');
    fs.writeFileSync(garbage, 'this is not sqlite at all, just text that goes on for a while'.repeat(100));
    expect(() => Workspace.open(garbage)).toThrow(/Cannot open workspace/);
  });

  it('enforces foreign keys (a flow needs its source)', () => {
    const ws = Workspace.open(path.join(tmpDir(), 'fk.nstd'), { create: { name: 'fk' } });
    expect(() => ws.db.prepare("INSERT INTO flows (source_id, row_no, schema) VALUES (999, 1, 'pcap')").run()).toThrow(/FOREIGN KEY/);
    ws.close();
  });

  it('remembers recent workspaces, newest first, without duplicates', () => {
    process.env.NSTD_HOME = tmpDir('nstd-home-');
    rememberRecent('/cases/a.nstd', 'A');
    rememberRecent('/cases/b.nstd', 'B');
    rememberRecent('/cases/a.nstd', 'A');
    expect(listRecent().map((r) => r.path)).toEqual(['/cases/a.nstd', '/cases/b.nstd']);
    fs.writeFileSync(path.join(process.env.NSTD_HOME, 'recent.json'), '{not json');
    expect(listRecent()).toEqual([]);
  });
});
