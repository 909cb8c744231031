import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { Workspace } from '../../../electron/core/store/workspace';
import { createSource } from '../../../electron/core/store/sources';
import {
  applyLabels,
  applyLabelsByFilter,
  createClass,
  deleteClass,
  ensureClass,
  exportLabels,
  flowLabelHistory,
  importLabels,
  listBatches,
  listClasses,
  undoBatch,
  updateClass,
} from '../../../electron/core/store/labels';
import { tmpDir } from '../../helpers/tmp';

function makeWorkspace(dir: string, name: string, sha: string): Workspace {
  const ws = Workspace.open(path.join(dir, name), { create: { name, analyst: 'ana' } });
  const src = createSource(ws.db, { path: '/x/a.csv', name: 'a.csv', size: 1, format: 'cic-csv', schema: 'cic', jobId: null });
  ws.db.prepare('UPDATE sources SET sha256 = ? WHERE id = ?').run(sha, src);
  const ins = ws.db.prepare(
    `INSERT INTO flows (source_id, row_no, ts, proto, src_ip, dst_ip, src_port, dst_port, community_id, packets_fwd, bytes_fwd, schema)
     VALUES (?, ?, ?, 6, ?, '10.0.0.1', ?, 80, ?, 1, ?, 'cic')`,
  );
  for (let i = 1; i <= 10; i++) {
    // Flows 9 and 10 have no addresses (like NSL-KDD rows): matched by sha256 + row.
    const hasAddr = i <= 8;
    ins.run(src, i, hasAddr ? 1000 + i + 0.123456 : null, hasAddr ? `192.168.0.${i}` : null, 1000 + i, hasAddr ? `1:cid${i}=` : null, i * 100);
  }
  return ws;
}

const current = (ws: Workspace): Record<number, string | null> =>
  Object.fromEntries(
    (ws.db.prepare('SELECT f.id, c.name FROM flows f LEFT JOIN label_classes c ON c.id = f.label_id ORDER BY f.id').all() as { id: number; name: string | null }[]).map((r) => [r.id, r.name]),
  );

describe('labels', () => {
  let dir: string;
  let ws: Workspace;
  beforeEach(() => {
    dir = tmpDir();
    ws = makeWorkspace(dir, 'a.nstd', 'a'.repeat(64));
  });
  afterEach(() => ws.close());

  it('normalises class names so spellings meet, with taxonomy kind and ATT&CK ids', () => {
    const a = ensureClass(ws.db, 'DoS Hulk');
    expect(ensureClass(ws.db, 'dos_hulk')).toBe(a);
    expect(ensureClass(ws.db, 'DoS-Hulk')).toBe(a);
    const normal = ensureClass(ws.db, 'normal');
    expect(ensureClass(ws.db, 'BENIGN')).toBe(normal);
    const classes = listClasses(ws.db);
    expect(classes.find((c) => c.id === a)).toMatchObject({ name: 'DoS Hulk', kind: 'attack', attackIds: ['T1499.002'] });
    expect(classes.find((c) => c.id === normal)).toMatchObject({ name: 'Benign', kind: 'benign' });
    const fresh = ensureClass(ws.db, 'Totally New Thing');
    expect(listClasses(ws.db).find((c) => c.id === fresh)).toMatchObject({ kind: 'unknown', attackIds: [] });
  });

  it('keeps an append-only history; the current label is the newest; undo restores the one before', () => {
    const dos = ensureClass(ws.db, 'DoS');
    const scan = ensureClass(ws.db, 'PortScan');
    const b1 = applyLabels(ws.db, { flowIds: [1, 2, 3, 999], classId: dos, origin: 'dataset', author: 'ds' });
    expect(b1.count).toBe(3);
    const b2 = applyLabelsByFilter(ws.db, { filter: 'bytes >= 300 && bytes <= 500', classId: scan, origin: 'analyst', author: 'ana', note: 'scanner' });
    expect(b2.count).toBe(3);
    expect(current(ws)).toMatchObject({ 1: 'DoS', 2: 'DoS', 3: 'PortScan', 4: 'PortScan', 5: 'PortScan', 6: null });
    const b3 = applyLabels(ws.db, { flowIds: [4], classId: dos, origin: 'model-accepted', author: 'model' });
    const u = undoBatch(ws.db, b2.batch, 'ana');
    // flow 4 was relabelled after b2: it keeps its newer label.
    expect(u.count).toBe(2);
    expect(current(ws)).toMatchObject({ 3: 'DoS', 4: 'DoS', 5: null });
    const h3 = flowLabelHistory(ws.db, 3);
    expect(h3.map((e) => [e.className, e.origin])).toEqual([
      ['DoS', 'dataset'],
      ['PortScan', 'analyst'],
      ['DoS', 'dataset'],
    ]);
    expect(ws.db.prepare('SELECT count(*) FROM labels').pluck().get()).toBe(3 + 3 + 1 + 2);
    expect(() => undoBatch(ws.db, b2.batch)).toThrow(/already undone/);
    // undo of the undo redoes
    undoBatch(ws.db, u.batch, 'ana');
    expect(current(ws)).toMatchObject({ 3: 'PortScan', 5: 'PortScan' });
    const batches = listBatches(ws.db);
    expect(batches[0]!.undoOf).toBe(u.batch);
    expect(batches.find((b) => b.id === b3.batch)!.origin).toBe('model-accepted');
    // removing a label is a history entry too
    applyLabels(ws.db, { flowIds: [1], classId: null, origin: 'analyst', author: 'ana' });
    expect(current(ws)[1]).toBeNull();
    expect(flowLabelHistory(ws.db, 1)[0]!.className).toBeNull();
  });

  it('edits the taxonomy and refuses to delete a class the history uses', () => {
    const c = createClass(ws.db, { name: 'Exfil', kind: 'attack', attackIds: ['T1041'], colour: '#123456' });
    expect(() => createClass(ws.db, { name: 'exfil' })).toThrow(/already exists/);
    expect(() => updateClass(ws.db, c.id, { attackIds: ['X1'] })).toThrow(/ATT&CK/);
    expect(updateClass(ws.db, c.id, { name: 'Exfiltration', description: 'd' })).toMatchObject({ name: 'Exfiltration', attackIds: ['T1041'], description: 'd' });
    applyLabels(ws.db, { flowIds: [1], classId: c.id, origin: 'analyst', author: 'ana' });
    expect(() => deleteClass(ws.db, c.id)).toThrow(/history/);
    const unused = createClass(ws.db, { name: 'Unused' });
    deleteClass(ws.db, unused.id);
    expect(listClasses(ws.db).some((x) => x.id === unused.id)).toBe(false);
  });

  it('moves labels between workspaces as CSV and JSON (Community ID + time, or sha256 + row)', () => {
    const spy = ensureClass(ws.db, 'Exfil "quoted", =cmd');
    updateClass(ws.db, spy, { kind: 'attack', attackIds: ['T1041'] });
    const ben = ensureClass(ws.db, 'Benign');
    applyLabels(ws.db, { flowIds: [1, 2, 9], classId: spy, origin: 'analyst', author: 'ana', note: 'line1\nline2, "x"' });
    applyLabels(ws.db, { flowIds: [3, 10], classId: ben, origin: 'dataset', author: 'ds' });
    for (const format of ['csv', 'json'] as const) {
      const file = path.join(dir, `labels.${format}`);
      const ex = exportLabels(ws.db, { path: file, format });
      expect(ex.count).toBe(5);
      const other = makeWorkspace(dir, `b-${format}.nstd`, 'a'.repeat(64));
      // the other workspace has flow 2 at a slightly different stored time (float noise)
      other.db.prepare('UPDATE flows SET ts = ts + 0.0000004 WHERE id = 2').run();
      const r = importLabels(other.db, file, 'bob');
      expect(r).toMatchObject({ entries: 5, matched: 5, unmatched: 0 });
      expect(current(other)).toMatchObject({ 1: 'Exfil "quoted", =cmd', 2: 'Exfil "quoted", =cmd', 3: 'Benign', 9: 'Exfil "quoted", =cmd', 10: 'Benign', 4: null });
      const h = flowLabelHistory(other.db, 1)[0]!;
      expect(h.origin).toBe('analyst');
      expect(h.author).toBe('ana');
      expect(h.note).toContain('line1\nline2, "x"');
      expect(listClasses(other.db).find((c) => c.name.startsWith('Exfil'))).toMatchObject({ kind: 'attack', attackIds: ['T1041'] });
      other.close();
    }
    const csv = fs.readFileSync(path.join(dir, 'labels.csv'), 'utf8');
    expect(csv).toContain(`"Exfil ""quoted"", =cmd"`);
    // a workspace with other flows matches nothing and says so
    const stranger = makeWorkspace(dir, 'c.nstd', 'b'.repeat(64));
    stranger.db.prepare("UPDATE flows SET community_id = 'other'").run();
    expect(importLabels(stranger.db, path.join(dir, 'labels.csv'))).toMatchObject({ matched: 0, unmatched: 5 });
    stranger.close();
  });

  it('rejects label files that are not exports', () => {
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, '{"hello": 1}');
    expect(() => importLabels(ws.db, bad)).toThrow(/not an NSTD label export/);
    fs.writeFileSync(bad, 'a,b,c\n1,2,3\n');
    expect(() => importLabels(ws.db, bad)).toThrow(/header needs a class column/);
    fs.writeFileSync(bad, '{not json');
    expect(() => importLabels(ws.db, bad)).toThrow(/not valid JSON/);
  });
});
