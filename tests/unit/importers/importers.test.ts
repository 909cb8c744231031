import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import fc from 'fast-check';
import { flowLogReader, flowLogFormats, sniffFlowLog, importFlowLog } from '../../../electron/core/importers';
import { featureSchemas } from '../../../electron/core/importers/schemas';
import { LineError, LineSplitter, MAX_LINE } from '../../../electron/core/importers/text';
import { parseCicTime } from '../../../electron/core/importers/cic';
import { readHead } from '../../../electron/core/ingest/open';
import { allFixtures, cicFixture, cicRowText, type FlowLogFixture } from '../../fixtures/flow-logs';
import { testContext } from '../../integration/importers/ctx';
import { tmpDir } from '../../helpers/tmp';

const dir = tmpDir('nstd-importers-');
let seq = 0;
function write(name: string, data: string | Buffer): string {
  const file = path.join(dir, `${seq++}-${name}`);
  fs.writeFileSync(file, data);
  return file;
}

async function run(file: string, format: string, opts: { batchSize?: number } = {}) {
  const { ctx, ws, abort } = testContext(`w${seq++}.nstd`);
  const res = await importFlowLog(ctx, file, format, opts);
  const truth = Object.fromEntries(
    (ws.db.prepare('SELECT truth, count(*) AS n FROM flows WHERE truth IS NOT NULL GROUP BY truth').all() as { truth: string; n: number }[]).map((r) => [r.truth, r.n]),
  );
  const source = ws.db.prepare('SELECT status, flow_count, errors, stats FROM sources').get() as { status: string; flow_count: number; errors: string; stats: string };
  return { res, ws, truth, source, abort };
}

/** The fixture text cut in the middle of its last record (what follows dropped). */
function truncated(fx: FlowLogFixture): { text: string; line: number } {
  const lines = fx.text.split('\n');
  let last = lines.length - 1;
  while (last >= 0 && (lines[last]!.trim() === '' || lines[last]!.startsWith('#'))) last--;
  const cut = lines.slice(0, last);
  cut.push(lines[last]!.slice(0, Math.floor(lines[last]!.length / 2)));
  return { text: cut.join('\n'), line: last + 1 };
}

/** The same content with its records joined by another delimiter. */
function wrongDelimiter(fx: FlowLogFixture): string {
  const lines = fx.text.split('\n');
  const headerLines = fx.format === 'cic-csv' || fx.format === 'unsw-nb15-csv' ? 1 : 0;
  if (fx.format === 'zeek-conn-json' || fx.format === 'suricata-eve') {
    // records as one JSON array instead of one object per line
    return `[${lines.filter((l) => l.trim()).join(',')}]\n`;
  }
  return lines
    .map((l, i) => (i < headerLines || l.startsWith('#') ? l : fx.format === 'zeek-conn-tsv' ? l.replace(/\t/g, ',') : l.replace(/,/g, ';')))
    .join('\n');
}

describe('flow-log importers on hand-typed files', () => {
  for (const fx of allFixtures()) {
    describe(fx.format, () => {
      it('is recognised by content and imports every record with its label', async () => {
        const file = write(fx.name, fx.text);
        expect(sniffFlowLog(await readHead(file))).toBe(fx.format);
        // the name does not matter
        const renamed = write('data.bin', fx.text);
        expect(flowLogReader.sniff(await readHead(renamed), 'data.bin')).toBe(fx.format);
        const r = await run(file, fx.format);
        expect(r.res.status).toBe('ok');
        expect(r.res.errors).toEqual([]);
        expect(r.res.flows).toBe(fx.rows);
        expect(r.truth).toEqual(fx.labels);
        const schema = flowLogFormats[fx.format]!.schema;
        const blob = r.ws.db.prepare('SELECT features FROM flows LIMIT 1').pluck().get() as Buffer;
        expect(blob.byteLength / 4).toBe(featureSchemas[schema]!.features.length);
        r.ws.close();
      });

      it('gzip is read transparently', async () => {
        const file = write(`${fx.name}.gz`, zlib.gzipSync(fx.text));
        expect(sniffFlowLog(await readHead(file))).toBe(fx.format);
        const r = await run(file, fx.format);
        expect(r.res.flows).toBe(fx.rows);
        r.ws.close();
      });

      it('a truncated last line is an error with its line number; the rest is kept', async () => {
        const t = truncated(fx);
        const r = await run(write(fx.name, t.text), fx.format);
        // the eve fixture ends with a late alert, not a flow event
        expect(r.res.flows).toBe(fx.format === 'suricata-eve' ? fx.rows : fx.rows - 1);
        expect(r.res.status).toBe('partial');
        expect(r.res.errors[0]!.line).toBe(t.line);
        expect(r.res.errors[0]!.message).toMatch(new RegExp(`^line ${t.line}: `));
        expect(r.source.status).toBe('partial');
        r.ws.close();
      });

      it('the wrong delimiter gives errors that say so, never a crash', async () => {
        const r = await run(write(fx.name, wrongDelimiter(fx)), fx.format);
        expect(r.res.flows).toBe(0);
        expect(r.res.status).toBe('failed');
        expect(r.res.errors.length).toBeGreaterThan(0);
        expect(r.res.errors[0]!.message).toMatch(/fields|JSON|header|object/);
        if (fx.format === 'cic-csv') expect(r.res.errors[0]!.message).toMatch(/wrong delimiter/);
        r.ws.close();
      });

      it('binary garbage is not sniffed, and read anyway it fails cleanly; garbage after records keeps them', async () => {
        const garbage = crypto.randomBytes(2 << 20);
        const gfile = write('garbage.bin', garbage);
        expect(sniffFlowLog(await readHead(gfile))).toBeNull();
        const g = await run(gfile, fx.format);
        expect(g.res.flows).toBe(0);
        expect(g.res.status).toBe('failed');
        expect(g.source.status).toBe('failed');
        g.ws.close();
        const mixed = write(fx.name, Buffer.concat([Buffer.from(fx.text), garbage]));
        const m = await run(mixed, fx.format);
        expect(m.res.flows).toBe(fx.rows);
        expect(m.res.status).toBe('partial');
        m.ws.close();
      });

      it('a 100 MB single line is skipped with its line number, in bounded memory', async () => {
        const lines = fx.text.split('\n');
        const firstRecord = lines.findIndex((l, i) => l.trim() !== '' && !l.startsWith('#') && !((fx.format === 'cic-csv' || fx.format === 'unsw-nb15-csv') && i === 0));
        const file = path.join(dir, `${seq++}-huge-${fx.name}`);
        const fd = fs.openSync(file, 'w');
        fs.writeSync(fd, lines.slice(0, firstRecord).map((l) => l + '\n').join(''));
        const block = Buffer.alloc(1 << 20, 0x41);
        for (let i = 0; i < 100; i++) fs.writeSync(fd, block);
        fs.writeSync(fd, '\n' + lines.slice(firstRecord).join('\n'));
        fs.closeSync(fd);
        const before = process.memoryUsage().rss;
        let peak = before;
        const { ctx, ws } = testContext(`huge${seq++}.nstd`);
        const ctx2 = { ...ctx, progress: () => void (peak = Math.max(peak, process.memoryUsage().rss)) };
        const res = await importFlowLog(ctx2, file, fx.format);
        expect(res.flows).toBe(fx.rows);
        expect(res.errors[0]!.line).toBe(firstRecord + 1);
        expect(res.errors[0]!.message).toMatch(/over the .*-character limit/);
        expect(peak - before).toBeLessThan(200 * 1024 * 1024);
        ws.close();
        fs.rmSync(file);
      }, 180_000);

      it('arbitrary lines only ever give line errors', () => {
        const parser = flowLogFormats[fx.format]!.parser();
        const lines = fx.text.split('\n');
        let row = 1;
        // feed the real header first, as the file would
        for (const l of lines.slice(0, fx.format === 'zeek-conn-tsv' ? 8 : 1)) {
          try {
            if (parser.line(l.replace(/\r$/, '').replace(/^\ufeff/, ''), row, row)) row++;
          } catch {
            /* a record line in a headerless format may be fine or not */
          }
        }
        fc.assert(
          fc.property(fc.oneof(fc.string({ maxLength: 400 }), fc.constantFrom(...lines).map((l) => l.slice(0, Math.floor(l.length / 3)))), (s) => {
            try {
              parser.line(s, 100, 100);
            } catch (err) {
              expect(err).toBeInstanceOf(LineError);
            }
          }),
          { numRuns: 500 },
        );
      });
    });
  }
});

describe('details', () => {
  it('splits lines across chunks, with CRLF and multibyte characters cut between chunks', () => {
    const got: [string, number][] = [];
    const long: number[] = [];
    const s = new LineSplitter((l, n) => got.push([l, n]), (n) => long.push(n), 10);
    const text = Buffer.from('ab\r\ncd–é\n0123456789012\nxyz\nlast');
    for (let i = 0; i < text.length; i += 3) s.push(text.subarray(i, i + 3));
    s.end();
    expect(got).toEqual([['ab', 1], ['cd–é', 2], ['xyz', 4], ['last', 5]]);
    expect(long).toEqual([3]);
    expect(MAX_LINE).toBe(1 << 20);
  });

  it('reads CIC timestamps of both layouts as UTC', () => {
    expect(parseCicTime('2017-07-03 11:55:58.598')).toBeCloseTo(Date.UTC(2017, 6, 3, 11, 55, 58) / 1000 + 0.598, 3);
    expect(parseCicTime('3/7/2017 8:55')).toBe(Date.UTC(2017, 6, 3, 8, 55) / 1000);
    expect(parseCicTime('6/7/2017 1:05:03 PM')).toBe(Date.UTC(2017, 6, 6, 13, 5, 3) / 1000);
    expect(parseCicTime('garbage')).toBeNull();
  });

  it('CIC: Infinity/NaN cells are counted, flows carry 5-tuple, community id and class names meet the taxonomy', async () => {
    const fx = cicFixture();
    const r = await run(write(fx.name, fx.text), fx.format);
    const stats = JSON.parse(r.source.stats) as { cells: { inf: number; nan: number }; labelled: number };
    expect(stats.cells.inf).toBe(1);
    expect(stats.cells.nan).toBe(1);
    expect(stats.labelled).toBe(6);
    const f = r.ws.db.prepare('SELECT * FROM flows WHERE row_no = 2').get() as Record<string, unknown>;
    expect(f).toMatchObject({ src_ip: '10.0.0.2', dst_ip: '192.168.1.1', src_port: 40002, dst_port: 80, proto: 6, packets_fwd: 3, packets_bwd: 2, ts: Date.UTC(2017, 6, 3, 8, 52) / 1000 });
    expect(f.community_id).toMatch(/^1:[A-Za-z0-9+/]{27}=$/);
    const classes = r.ws.db.prepare('SELECT name, kind, attack_ids FROM label_classes ORDER BY name').all();
    expect(classes).toEqual([
      { name: 'Benign', kind: 'benign', attack_ids: '[]' },
      { name: 'DoS Hulk', kind: 'attack', attack_ids: '["T1499.002"]' },
      { name: 'PortScan', kind: 'attack', attack_ids: '["T1046"]' },
      { name: 'Web Attack Brute Force', kind: 'attack', attack_ids: '["T1110"]' },
    ]);
    r.ws.close();
  });

  it('Community ID matches the spec example (TCP 128.232.110.120:34855 -> 66.35.250.204:80)', async () => {
    const { communityIdOf } = await import('../../../electron/core/importers/text');
    expect(communityIdOf(6, '128.232.110.120', '66.35.250.204', 34855, 80)).toBe('1:LQU9qZlK+B5F3KDmev6m5PMibrg=');
    expect(communityIdOf(6, '66.35.250.204', '128.232.110.120', 80, 34855)).toBe('1:LQU9qZlK+B5F3KDmev6m5PMibrg=');
  });

  it('eve: alerts before and after their flow event become hints; IPv6 is canonical', async () => {
    const fx = allFixtures().find((f) => f.format === 'suricata-eve')!;
    const r = await run(write(fx.name, fx.text), fx.format);
    const rows = r.ws.db.prepare('SELECT src_ip, hints, tcp_flags, bytes_fwd, frame_bytes_fwd FROM flows ORDER BY id').all() as { src_ip: string; hints: string; tcp_flags: number | null }[];
    expect(JSON.parse(rows[0]!.hints).alerts[0].signature).toBe('UDP Packet Detected');
    expect(JSON.parse(rows[2]!.hints).alerts[0].signature).toBe('ET LATE ALERT');
    expect(rows[1]!.src_ip).toBe('fe80::8810:3337:f1e3:ebc7');
    expect(rows[2]!.tcp_flags).toBe(0x1b);
    r.ws.close();
  });

  it('cancelling keeps what was committed and marks the source partial', async () => {
    const header = cicFixture().text.split('\r\n')[0]!;
    const rows: string[] = [header];
    for (let i = 0; i < 30_000; i++) rows.push(cicRowText(i % 200, i % 2 ? 'BENIGN' : 'DDoS'));
    const file = write('big.csv', rows.join('\n') + '\n');
    const { ctx, ws, abort } = testContext(`c${seq++}.nstd`);
    const ctx2 = { ...ctx, progress: () => abort.abort() };
    await expect(importFlowLog(ctx2, file, 'cic-csv', { batchSize: 1000 })).rejects.toMatchObject({ code: 'E_CANCELLED' });
    const src = ws.db.prepare('SELECT status, flow_count FROM sources').get() as { status: string; flow_count: number };
    expect(src.status).toBe('partial');
    const n = ws.db.prepare('SELECT count(*) FROM flows').pluck().get() as number;
    expect(n).toBeGreaterThan(0);
    expect(n).toBeLessThan(30_000);
    expect(src.flow_count).toBe(n);
    // every committed flow has its dataset label
    expect(ws.db.prepare('SELECT count(*) FROM flows WHERE label_id IS NULL').pluck().get()).toBe(0);
    ws.close();
  });

  it('Zeek: zeek-cut output (a plain header line) and renamed endpoint fields are conn records too', async () => {
    const cut = write('cut.log', 'uid\tid.orig_h\tid.resp_h\tid.resp_p\tservice\thistory\nC1\t10.0.0.1\t10.0.0.2\t80\thttp\tShADadFf\nC2\t10.0.0.1\t10.0.0.3\t443\tssl\tS\n');
    expect(sniffFlowLog(await readHead(cut))).toBe('zeek-conn-tsv');
    const r = await run(cut, 'zeek-conn-tsv');
    expect(r.res.flows).toBe(2);
    expect(r.ws.db.prepare('SELECT dst_ip, dst_port, app FROM flows ORDER BY id').all()).toEqual([
      { dst_ip: '10.0.0.2', dst_port: 80, app: 'http' },
      { dst_ip: '10.0.0.3', dst_port: 443, app: 'ssl' },
    ]);
    r.ws.close();
    // a dns.log is not a flow log
    expect(sniffFlowLog(Buffer.from('#separator \\x09\n#path\tdns\n#fields\tts\tuid\tid.orig_h\tquery\n'))).toBeNull();
    expect(sniffFlowLog(Buffer.from('uid\tquery\tqtype\n'))).toBeNull();
  });

  it('an unknown format is refused with the list of formats', async () => {
    const { ctx, ws } = testContext(`u${seq++}.nstd`);
    await expect(importFlowLog(ctx, write('x', 'a'), 'pdf')).rejects.toThrow(/not a flow-log format.*cic-csv/);
    ws.close();
  });
});
