import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import path from 'node:path';
import fc from 'fast-check';
import { Workspace } from '../../../electron/core/store/workspace';
import { createSource } from '../../../electron/core/store/sources';
import { FlowWriter } from '../../../electron/core/store/flow-writer';
import { emptyRecord } from '../../../electron/core/importers/text';
import { applyLabels, ensureClass } from '../../../electron/core/store/labels';
import { countFlows, csvCell, flowCounts, flowDetail, histogram, iterateFlows, pageFlows, topTalkers } from '../../../electron/core/store/queries';
import { featureSchemas } from '../../../electron/core/importers/schemas';
import { tmpDir } from '../../helpers/tmp';

const N = 600;
let ws: Workspace;

beforeAll(() => {
  ws = Workspace.open(path.join(tmpDir(), 'q.nstd'), { create: { name: 'queries', analyst: 'ana' } });
  const db = ws.db;
  const src = createSource(db, { path: '/x/u.csv', name: 'u.csv', size: 1, format: 'unsw-nb15-csv', schema: 'unsw', jobId: null });
  const w = new FlowWriter(db, src, 'unsw', 100);
  for (let i = 1; i <= N; i++) {
    const r = emptyRecord(i);
    // many ties and NULLs in the sort columns, to exercise the keyset edges
    r.ts = i % 7 === 0 ? null : 1000 + (i % 50);
    r.endTs = r.ts === null ? null : r.ts + (i % 3);
    r.srcIp = i % 5 === 0 ? null : `10.0.0.${i % 13}`;
    r.dstIp = `10.1.0.${i % 3}`;
    r.proto = i % 2 ? 6 : 17;
    r.dstPort = i % 4 === 0 ? null : 80 + (i % 3);
    r.packetsFwd = i % 9;
    r.bytesFwd = (i % 11) * 100;
    r.truth = i % 3 ? 'Normal' : 'Exploits';
    r.features = new Float32Array(featureSchemas.unsw!.features.length).fill(i);
    r.features[3] = NaN;
    w.add(r);
  }
  w.commit();
  const exp = ensureClass(db, 'Exploits');
  applyLabels(db, { flowIds: Array.from({ length: N / 3 }, (_, k) => (k + 1) * 3), classId: exp, origin: 'dataset', author: 'd' });
});
afterAll(() => ws.close());

type Row = Record<string, string | number | null>;
const SORT_KEY: Record<string, string> = { id: 'id', ts: 'ts', duration: 'duration', 'ip.src': 'ip.src', bytes: 'bytes', packets: 'packets', 'dst.port': 'dst.port', label: 'label', truth: 'truth' };

function expected(filter: (r: Row) => boolean, sort: string, dir: 'asc' | 'desc'): number[] {
  const all = [...iterateFlows(ws.db, {})].filter(filter);
  const labelId = (r: Row): number | null => (r.label === null ? null : (ws.db.prepare('SELECT id FROM label_classes WHERE name = ?').pluck().get(r.label) as number));
  const key = (r: Row): string | number | null => (sort === 'label' ? labelId(r) : r[SORT_KEY[sort]!]!);
  const cmp = (a: Row, b: Row): number => {
    const ka = key(a);
    const kb = key(b);
    let c = 0;
    if (ka === null && kb !== null) c = -1;
    else if (ka !== null && kb === null) c = 1;
    else if (ka !== null && kb !== null) c = ka < kb ? -1 : ka > kb ? 1 : 0;
    if (c === 0) c = (a.id as number) - (b.id as number);
    return dir === 'asc' ? c : -c;
  };
  return all.sort(cmp).map((r) => r.id as number);
}

describe('keyset paging', () => {
  it('walks every sortable column forward and back, with ties and NULLs, like a full sort', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...Object.keys(SORT_KEY)),
        fc.constantFrom<'asc' | 'desc'>('asc', 'desc'),
        fc.integer({ min: 1, max: 97 }),
        fc.constantFrom('', 'proto == tcp', 'ip.src == 10.0.0.0/8 || !ip.src', 'label == exploits'),
        (sort, dir, limit, filter) => {
          const pred: (r: Row) => boolean =
            filter === '' ? () => true : filter === 'proto == tcp' ? (r) => r.proto === 6 : filter.startsWith('ip.src') ? () => true : (r) => r.label === 'Exploits';
          const want = expected(pred, sort, dir);
          const got: number[] = [];
          const pages: { first: string | null; ids: number[] }[] = [];
          let after: string | null = null;
          for (let guard = 0; guard < 1000; guard++) {
            const p = pageFlows(ws.db, { filter, sort, dir, after, limit });
            got.push(...p.rows.map((r) => r.id as number));
            pages.push({ first: p.prev, ids: p.rows.map((r) => r.id as number) });
            if (!p.next) break;
            after = p.next;
          }
          expect(got).toEqual(want);
          // back from the last page, following prev cursors
          const back: number[][] = [];
          let before = pages[pages.length - 1]!.first;
          while (before) {
            const p = pageFlows(ws.db, { filter, sort, dir, before, limit });
            back.unshift(p.rows.map((r) => r.id as number));
            before = p.prev;
          }
          expect(back.flat()).toEqual(want.slice(0, want.length - pages[pages.length - 1]!.ids.length));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('refuses unknown sort fields and foreign cursors', () => {
    expect(() => pageFlows(ws.db, { sort: 'f.id; DROP TABLE flows' })).toThrow(/Cannot sort by/);
    expect(() => pageFlows(ws.db, { after: 'bm9wZQ' })).toThrow(/cursor/);
  });
});

describe('queries', () => {
  it('counts by class, source and truth', () => {
    const c = flowCounts(ws.db, {});
    expect(c.total).toBe(N);
    expect(c.byClass).toEqual([
      { classId: null, name: 'unlabelled', kind: 'unknown', colour: '#cccccc', flows: 400 },
      expect.objectContaining({ name: 'Exploits', kind: 'attack', flows: 200 }),
    ]);
    expect(c.bySource).toEqual([{ sourceId: 1, name: 'u.csv', flows: N }]);
    expect(c.byTruth).toEqual([{ truth: 'Normal', flows: 400 }, { truth: 'Exploits', flows: 200 }]);
    expect(countFlows(ws.db, { filter: 'label == exploits && proto == udp' })).toBe(100);
  });

  it('top talkers and the time histogram agree with the rows', () => {
    const rows = [...iterateFlows(ws.db, {})];
    const t = topTalkers(ws.db, { by: 'dst', metric: 'flows', limit: 3 });
    expect(t.map((x) => x.flows).reduce((a, b) => a + b, 0)).toBe(N);
    expect(t[0]!.bytes).toBe(rows.filter((r) => r['ip.dst'] === t[0]!.ip).reduce((a, r) => a + (r.bytes as number), 0));
    const h = histogram(ws.db, { buckets: 10, byClass: true });
    expect(h.t0).toBe(1000);
    expect(h.counts.reduce((a, b) => a + b, 0)).toBe(rows.filter((r) => r.ts !== null).length);
    expect(h.series.map((s) => s.name).sort()).toEqual(['Exploits', 'unlabelled']);
  });

  it('a flow in detail: named features (NaN as null), labels newest first', async () => {
    const d = await flowDetail(ws.db, 3);
    expect(d.schema).toBe('unsw');
    expect(d.features[0]).toEqual({ name: 'dur', value: 3 });
    expect(d.features[3]).toEqual({ name: 'state', value: null });
    expect(d.labels[0]!.className).toBe('Exploits');
    expect(d.row.label).toBe('Exploits');
    await expect(flowDetail(ws.db, 99_999)).rejects.toThrow(/No flow/);
  });

  it('CSV cells are quoted, and formulas from traffic are defused', () => {
    expect(csvCell('truth', '=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('app', 'a,b')).toBe('"a,b"');
    expect(csvCell('bytes', 5)).toBe('5');
    expect(csvCell('score', null)).toBe('');
  });
});
