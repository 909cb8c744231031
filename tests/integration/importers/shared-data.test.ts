import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { sharedData } from '../../helpers/data';
import { readHead } from '../../../electron/core/ingest/open';
import { flowLogReader } from '../../../electron/core/importers';
import { testContext } from './ctx';

/** Imports a file the way the ingest job does: sniff the head, then ingest with that format. */
async function importFile(file: string) {
  const { ctx, ws } = testContext();
  const format = flowLogReader.sniff(await readHead(file), path.basename(file));
  expect(format, `format of ${file}`).not.toBeNull();
  const res = await flowLogReader.ingest(ctx, file, format!);
  const db = ws.db;
  const byTruth = Object.fromEntries(
    (db.prepare('SELECT truth, count(*) AS n FROM flows GROUP BY truth').all() as { truth: string | null; n: number }[]).map((r) => [r.truth ?? '', r.n]),
  );
  const byClass = Object.fromEntries(
    (db.prepare('SELECT c.name, count(*) AS n FROM flows f JOIN label_classes c ON c.id = f.label_id GROUP BY c.name').all() as { name: string; n: number }[]).map((r) => [r.name, r.n]),
  );
  const source = db.prepare('SELECT * FROM sources').get() as { status: string; flow_count: number; sha256: string; stats: string; format: string };
  const labelRows = db.prepare("SELECT count(*) FROM labels WHERE origin = 'dataset'").pluck().get() as number;
  ws.close();
  return { format, res, byTruth, byClass, source, labelRows };
}

/** Per-class counts of a CSV-like file counted independently of the importers. */
function countColumn(text: string, col: (cells: string[]) => string, skipHeader: boolean): Record<string, number> {
  const out: Record<string, number> = {};
  const lines = text.split('\n');
  for (let i = skipHeader ? 1 : 0; i < lines.length; i++) {
    const l = lines[i]!.replace(/\r$/, '');
    if (!l) continue;
    const k = col(l.split(','));
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

const sum = (o: Record<string, number>): number => Object.values(o).reduce((a, b) => a + b, 0);

describe('flow-record files of ../shared/data import with the per-class counts of the files', () => {
  it('NSL-KDD KDDTrain+_20Percent (README: 25,192 rows, normal 13,449, neptune 8,282, ...)', async () => {
    const file = sharedData('nsl-kdd', 'KDDTrain+_20Percent.txt');
    if (!file) return;
    const r = await importFile(file);
    expect(r.format).toBe('nsl-kdd');
    expect(r.res.status).toBe('ok');
    expect(r.res.flows).toBe(25_192);
    expect(r.byTruth).toMatchObject({ normal: 13_449, neptune: 8_282, ipsweep: 710, satan: 691, portsweep: 587, smurf: 529, nmap: 301 });
    expect(Object.keys(r.byTruth)).toHaveLength(22);
    expect(r.byClass.Benign).toBe(13_449);
    expect(r.labelRows).toBe(25_192);
    expect(r.byTruth).toEqual(countColumn(fs.readFileSync(file, 'utf8'), (c) => c[41]!, false));
  });

  it('NSL-KDD test splits (22,544 and 11,850 rows, 38 classes)', async () => {
    for (const [name, rows] of [['KDDTest+.txt', 22_544], ['KDDTest-21.txt', 11_850]] as const) {
      const file = sharedData('nsl-kdd', name);
      if (!file) return;
      const r = await importFile(file);
      expect(r.res.flows).toBe(rows);
      expect(r.byTruth).toEqual(countColumn(fs.readFileSync(file, 'utf8'), (c) => c[41]!, false));
    }
  });

  it("KDD'99 10% (gzip, 494,021 rows, smurf 280,790 ... spy 2, labels end in '.')", async () => {
    const file = sharedData('kddcup99', 'kddcup.data_10_percent.gz');
    if (!file) return;
    const r = await importFile(file);
    expect(r.format).toBe('kdd99');
    expect(r.res.flows).toBe(494_021);
    expect(r.byTruth.smurf).toBe(280_790);
    expect(r.byTruth.spy).toBe(2);
    expect(Object.keys(r.byTruth)).toHaveLength(23);
    const expected = countColumn(zlib.gunzipSync(fs.readFileSync(file)).toString('utf8'), (c) => c[41]!.replace(/\.$/, ''), false);
    expect(r.byTruth).toEqual(expected);
    expect(r.source.sha256).toMatch(/^[0-9a-f]{64}$/);
  }, 300_000);

  it('UNSW-NB15 training set (BOM, 82,332 rows, Normal 37,000 ... Worms 44)', async () => {
    const file = sharedData('unsw-nb15', 'UNSW_NB15_training-set.csv');
    if (!file) return;
    const r = await importFile(file);
    expect(r.format).toBe('unsw-nb15-csv');
    expect(r.res.status).toBe('ok');
    expect(r.res.flows).toBe(82_332);
    expect(r.byTruth).toEqual({ Analysis: 677, Backdoor: 583, DoS: 4_089, Exploits: 11_132, Fuzzers: 6_062, Generic: 18_871, Normal: 37_000, Reconnaissance: 3_496, Shellcode: 378, Worms: 44 });
    expect(r.byClass.Benign).toBe(37_000);
    expect(Object.keys(r.byTruth)).toHaveLength(10);
  });

  it('CIC-IDS2017 LCCDE sample (original names, Inf/NaN cells, 6,311 rows, 7 labels)', async () => {
    const file = sharedData('cicids2017', 'lccde-sample', 'CICIDS2017_sample.csv');
    if (!file) return;
    const r = await importFile(file);
    expect(r.format).toBe('cic-csv');
    expect(r.res.flows).toBe(6_311);
    expect(r.byTruth).toEqual({ BENIGN: 227, Bot: 1_966, BruteForce: 553, DoS: 952, Infiltration: 36, PortScan: 397, WebAttack: 2_180 });
    expect(r.byClass).toEqual({ Benign: 227, Bot: 1_966, BruteForce: 553, DoS: 952, Infiltration: 36, PortScan: 397, WebAttack: 2_180 });
    const cells = (JSON.parse(r.source.stats) as { cells: { inf: number; nan: number } }).cells;
    expect(cells.inf + cells.nan).toBeGreaterThan(0);
  });

  it('CIC-IDS2017 improved layout (the header of data_header_reference.csv) maps onto the cic schema', async () => {
    const ref = sharedData('cicids2017', 'data_header_reference.csv');
    if (!ref) return;
    const header = fs.readFileSync(ref, 'utf8').split(/\r?\n/)[0]!;
    const cols = header.split(',');
    const row = (i: number, label: string, attempted: string): string =>
      cols
        .map((c) => {
          switch (c) {
            case 'id': return String(i);
            case 'Flow ID': return `192.168.10.5-104.16.207.165-54865-443-6`;
            case 'Src IP': return '192.168.10.5';
            case 'Src Port': return '54865';
            case 'Dst IP': return '104.16.207.165';
            case 'Dst Port': return '443';
            case 'Protocol': return '6';
            case 'Timestamp': return '2017-07-03 11:55:58.598';
            case 'Flow Duration': return '3000000';
            case 'Total Fwd Packet': return '4';
            case 'Total Bwd packets': return '2';
            case 'Label': return label;
            case 'Attempted Category': return attempted;
            default: return String(i);
          }
        })
        .join(',');
    const { ctx, ws } = testContext();
    const tmp = path.join(ctx.workspacePath + '.csv');
    fs.writeFileSync(tmp, [header, row(1, 'BENIGN', '-1'), row(2, 'DoS Hulk - Attempted', '3'), row(3, 'DoS Hulk', '-1')].join('\n') + '\n');
    const format = flowLogReader.sniff(await readHead(tmp), 'x.csv');
    expect(format).toBe('cic-csv');
    const res = await flowLogReader.ingest(ctx, tmp, format!);
    expect(res.flows).toBe(3);
    expect(res.errors).toEqual([]);
    const f = ws.db.prepare('SELECT src_ip, dst_port, proto, ts, end_ts, packets_fwd, packets_bwd, truth, hints, features FROM flows ORDER BY id').all() as Record<string, unknown>[];
    expect(f[0]).toMatchObject({ src_ip: '192.168.10.5', dst_port: 443, proto: 6, packets_fwd: 4, packets_bwd: 2, truth: 'BENIGN' });
    expect(f[0]!.ts).toBeCloseTo(Date.UTC(2017, 6, 3, 11, 55, 58) / 1000 + 0.598, 3);
    expect(f[0]!.end_ts as number).toBeCloseTo((f[0]!.ts as number) + 3, 3);
    expect(JSON.parse(f[1]!.hints as string)).toEqual({ attemptedCategory: '3' });
    // every feature column of the improved layout found its place in the schema
    const feats = new Float32Array((f[0]!.features as Buffer).buffer.slice((f[0]!.features as Buffer).byteOffset, (f[0]!.features as Buffer).byteOffset + (f[0]!.features as Buffer).byteLength));
    expect([...feats].filter((v) => Number.isNaN(v))).toEqual([]);
    const classes = ws.db.prepare('SELECT name FROM label_classes ORDER BY name').pluck().all();
    expect(classes).toEqual(['Benign', 'DoS Hulk', 'DoS Hulk - Attempted']);
    ws.close();
  });

  it('CIC-IDS2017 drift samples (binary labels)', async () => {
    for (const name of ['IoT_2020_b_0.01_fs.csv', 'cic_0.01km.csv']) {
      const file = sharedData('cicids2017', 'pwpae-drift-sample', name);
      if (!file) return;
      const r = await importFile(file);
      const text = fs.readFileSync(file, 'utf8');
      const expected = countColumn(text, (c) => c[c.length - 1]!, true);
      expect(r.res.flows).toBe(sum(expected));
      expect(r.byTruth).toEqual(expected);
      expect(r.byClass).toEqual({ Benign: expected['0'], Attack: expected['1'] });
    }
  });

  it('Zeek conn.log baselines (TSV, masked timestamps) import every record', async () => {
    const dir = sharedData('logs', 'zeek-baselines');
    if (!dir) return;
    const files = fs
      .readdirSync(dir)
      .map((d) => path.join(dir, d, 'conn.log'))
      .filter((f) => fs.existsSync(f));
    expect(files.length).toBeGreaterThan(100);
    let total = 0;
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8');
      // zeek-cut output has a plain header line instead of #fields
      const records = text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length - (text.includes('#fields') || text.includes('\n{') ? 0 : 1);
      const head = await readHead(file);
      const format = flowLogReader.sniff(head, 'conn.log');
      if (records === 0) continue;
      expect(['zeek-conn-tsv', 'zeek-conn-json'], file).toContain(format);
      const { ctx, ws } = testContext();
      const res = await flowLogReader.ingest(ctx, file, format!);
      expect(res.flows, file).toBe(records);
      expect(res.errors, file).toEqual([]);
      total += res.flows;
      ws.close();
    }
    // 187 conn.log baselines, 681 records
    expect(total).toBeGreaterThan(600);
  });

  it('Suricata eve.json of the Zeus capture: 205 flow events, alerts kept as hints', async () => {
    const file = sharedData('pcap', 'zeus-suricata', 'eve.json');
    if (!file) return;
    const { ctx, ws } = testContext();
    const format = flowLogReader.sniff(await readHead(file), 'eve.json');
    expect(format).toBe('suricata-eve');
    const res = await flowLogReader.ingest(ctx, file, format!);
    expect(res.flows).toBe(205);
    expect(res.status).toBe('ok');
    const withAlerts = ws.db.prepare("SELECT count(*) FROM flows WHERE hints LIKE '%\"alerts\"%'").pluck().get() as number;
    expect(withAlerts).toBeGreaterThan(0);
    const v6 = ws.db.prepare("SELECT src_ip FROM flows WHERE src_ip LIKE 'fe80%' LIMIT 1").pluck().get();
    expect(v6).toBe('fe80::8810:3337:f1e3:ebc7');
    const cid = ws.db.prepare('SELECT count(*) FROM flows WHERE community_id LIKE \'1:%\'').pluck().get();
    expect(cid).toBe(205);
    ws.close();
  });
});
