import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fc from 'fast-check';
import path from 'node:path';
import { parseFilter, checkFilter, FilterError, fields, columnNames } from '../../../shared/filter';
import { compileFilter, registerFilterFunctions, ipInNetwork } from '../../../electron/core/store/filter-sql';
import { Workspace } from '../../../electron/core/store/workspace';
import { createSource } from '../../../electron/core/store/sources';
import { ensureClass, applyLabels } from '../../../electron/core/store/labels';
import { tmpDir } from '../../helpers/tmp';

describe('filter parser', () => {
  it('parses the example of the issue', () => {
    const r = checkFilter('ip.addr == 10.0.0.5 && tcp.port in {22 2222} && bytes > 1e6 && label == "unlabelled" && !(truth == "BENIGN")');
    expect(r).toEqual({ ok: true, fields: ['ip.addr', 'tcp.port', 'bytes', 'label', 'truth'], detection: false });
  });

  it('reports the column where parsing failed', () => {
    const cases: [string, number][] = [
      ['bytes >', 8],
      ['bytes > 10 &&', 14],
      ['byts > 10', 1],
      ['ip.src == 10.0.0.300', 11],
      ['(bytes > 1', 11],
      ['bytes > 1)', 10],
      ['truth == "abc', 10],
      ['bytes = 5', 7],
      ['tcp.port in {22 70000}', 17],
      ['ip.src > 10.0.0.1', 8],
      ['label in {}', 10],
      ['bytes # 4', 7],
    ];
    for (const [text, col] of cases) {
      const r = checkFilter(text);
      expect(r.ok, text).toBe(false);
      if (!r.ok) expect(r.column, `${text}: ${r.message}`).toBe(col);
    }
  });

  it('says what is wrong in words', () => {
    expect(() => parseFilter('byts > 1')).toThrow(/unknown field "byts".*bytes/);
    expect(() => parseFilter('proto == tcpp')).toThrow(/unknown protocol/);
    expect(() => parseFilter('verdict == maybe')).toThrow(/verdict is one of/);
  });

  it('documents every field of the vocabulary', () => {
    const names = fields.map((f) => f.name);
    for (const n of ['id', 'community_id', 'source', 'ts', 'end', 'duration', 'ip.src', 'ip.dst', 'ip.addr', 'src.port', 'dst.port', 'port', 'tcp.port', 'udp.port', 'proto', 'packets', 'bytes', 'packets.fwd', 'packets.bwd', 'bytes.fwd', 'bytes.bwd', 'label', 'truth', 'prediction', 'score', 'novelty', 'verdict']) {
      expect(names).toContain(n);
    }
    expect(columnNames).not.toContain('ip.addr');
  });

  it('never throws anything but FilterError on arbitrary input, and never hangs on deep nesting', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        try {
          parseFilter(s);
        } catch (err) {
          expect(err).toBeInstanceOf(FilterError);
        }
      }),
      { numRuns: 3000 },
    );
    expect(checkFilter('('.repeat(100_000)).ok).toBe(false);
    expect(checkFilter('!'.repeat(5000) + 'bytes').ok).toBe(false);
    expect(checkFilter('a'.repeat(1_000_000)).ok).toBe(false);
  });

  it('checks IP addresses and CIDR blocks', () => {
    expect(ipInNetwork('10.1.70.3', '10.1.64.0', 18)).toBe(true);
    expect(ipInNetwork('10.1.128.3', '10.1.64.0', 18)).toBe(false);
    expect(ipInNetwork('2001:db8::1', '2001:db8::', 32)).toBe(true);
    expect(ipInNetwork('2001:db9::1', '2001:db8::', 32)).toBe(false);
    expect(ipInNetwork('10.0.0.1', '2001:db8::', 32)).toBe(false);
  });
});

describe('filter to SQL over a real workspace', () => {
  let ws: Workspace;
  const ids: Record<string, number> = {};
  beforeAll(() => {
    ws = Workspace.open(path.join(tmpDir(), 'f.nstd'), { create: { name: 'filter test' } });
    const db = ws.db;
    registerFilterFunctions(db);
    const src = createSource(db, { path: '/x/a.csv', name: 'a.csv', size: 1, format: 'cic', schema: 'cic', jobId: null });
    const ins = db.prepare(
      `INSERT INTO flows (source_id, row_no, ts, end_ts, proto, src_ip, dst_ip, src_port, dst_port, packets_fwd, packets_bwd, bytes_fwd, bytes_bwd, schema, truth)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'cic', ?)`,
    );
    const rows: [string, number, string, string, number, number, number, string | null][] = [
      ['ssh', 6, '10.0.0.5', '10.0.0.9', 40000, 22, 2_000_000, 'BENIGN'],
      ['ssh2', 6, '10.0.0.7', '10.0.0.5', 2222, 50000, 5_000_000, 'DoS Hulk'],
      ['dns', 17, '192.168.1.2', '8.8.8.8', 5353, 53, 100, 'BENIGN'],
      ['v6', 6, '2001:db8::1', '2001:db8::2', 1234, 443, 3000, null],
      ['quote', 6, "1.2.3.4", '5.6.7.8', 1, 2, 10, `x'; DROP TABLE flows; --`],
    ];
    rows.forEach((r, i) => {
      const info = ins.run(src, i + 1, 1_500_000_000 + i * 60, 1_500_000_000 + i * 60 + 2, r[1], r[2], r[3], r[4], r[5], 3, 2, r[6], 0, r[7]);
      ids[r[0]] = Number(info.lastInsertRowid);
    });
    const hulk = ensureClass(db, 'dos_hulk');
    applyLabels(db, { flowIds: [ids.ssh2!], classId: hulk, origin: 'analyst', author: 't' });
  });
  afterAll(() => ws.close());

  const match = (text: string): string[] => {
    const { where, params } = compileFilter(text);
    const got = ws.db.prepare(`SELECT f.id FROM flows f WHERE ${where} ORDER BY f.id`).pluck().all(...params) as number[];
    return got.map((id) => Object.keys(ids).find((k) => ids[k] === id)!);
  };

  it('matches what the filter says', () => {
    expect(match('ip.addr == 10.0.0.5')).toEqual(['ssh', 'ssh2']);
    expect(match('ip.addr == 10.0.0.5 && tcp.port in {22 2222} && bytes > 1e6 && label == "unlabelled" && !(truth == "BENIGN")')).toEqual([]);
    expect(match('ip.addr == 10.0.0.5 && tcp.port in {22 2222} && bytes > 1e6')).toEqual(['ssh', 'ssh2']);
    expect(match('label == "DoS-Hulk"')).toEqual(['ssh2']);
    expect(match('label == unlabelled')).toEqual(['ssh', 'dns', 'v6', 'quote']);
    expect(match('label != "dos hulk"')).toEqual(['ssh', 'dns', 'v6', 'quote']);
    expect(match('!truth')).toEqual(['v6']);
    expect(match('truth != "BENIGN"')).toEqual(['ssh2', 'v6', 'quote']);
    expect(match('udp.port == 53')).toEqual(['dns']);
    expect(match('port in {1..100}')).toEqual(['ssh', 'dns', 'quote']);
    expect(match('ip.src == 10.0.0.0/8')).toEqual(['ssh', 'ssh2']);
    expect(match('ip.dst == 10.0.0.8/29')).toEqual(['ssh']);
    expect(match('ip.dst in {10.0.0.8/29 8.8.8.8}')).toEqual(['ssh', 'dns']);
    expect(match('ip.addr == 2001:db8::/32')).toEqual(['v6']);
    expect(match('ip.src == 2001:0db8:0000::1')).toEqual(['v6']);
    expect(match('proto == udp || proto eq 17')).toEqual(['dns']);
    expect(match('ts >= "2017-07-14 02:42:00" && ts < 1500000200')).toEqual(['dns', 'v6']);
    expect(match('duration == 2 && packets == 5')).toEqual(['ssh', 'ssh2', 'dns', 'v6', 'quote']);
    expect(match('source == "a.csv" && source == 1')).toHaveLength(5);
    expect(match('truth contains "hulk"')).toEqual(['ssh2']);
    expect(match('')).toHaveLength(5);
    expect(match('prediction')).toEqual([]);
    expect(match('!(score > 0.5)')).toHaveLength(5);
  });

  it('keeps quotes, comments and semicolons in values as data', () => {
    expect(match(`truth == "x'; DROP TABLE flows; --"`)).toEqual(['quote']);
    expect(match(`truth == 'x\\'; DROP TABLE flows; --'`)).toEqual(['quote']);
    expect(match('truth == "/* */ OR 1=1 --"')).toEqual([]);
    expect(match('label == "a\\" OR 1=1 --"')).toEqual([]);
    expect(match('truth contains "; DELETE FROM flows"')).toEqual([]);
    expect(match('source contains "\'"')).toEqual([]);
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (s) => {
        const lit = JSON.stringify(s);
        const { where, params } = compileFilter(`truth == ${lit} || label == ${lit} || app contains ${lit}`);
        expect(where).not.toMatch(/['";]|--/);
        expect(params).toContain(s);
        ws.db.prepare(`SELECT count(*) FROM flows f WHERE ${where}`).pluck().get(...params);
      }),
      { numRuns: 300 },
    );
    expect(ws.db.prepare('SELECT count(*) FROM flows').pluck().get()).toBe(5);
  });

  it('turns filter errors into E_INVALID with the column', () => {
    try {
      compileFilter('bytes > ');
      expect.unreachable();
    } catch (err) {
      expect((err as { code: string }).code).toBe('E_INVALID');
      expect((err as { details: { column: number } }).details.column).toBe(9);
    }
  });
});
