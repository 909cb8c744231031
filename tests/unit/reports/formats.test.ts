import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { tmpDir } from '../../helpers/tmp';
import { sharedData } from '../../helpers/data';
import { Workspace } from '../../../electron/core/store/workspace';
import { gatherReport, resolveRun } from '../../../electron/core/reports/content';
import { contentSecurityPolicy } from '../../../electron/core/reports/html';
import { CSV_COLUMNS } from '../../../electron/core/reports/tabular';
import { canonicalJson, scoId, uuidv5 } from '../../../electron/core/reports/stix';
import { findChromium, noChromiumError } from '../../../electron/core/reports/pdf';
import { prepareReportSpec } from '../../../electron/core/reports/report-job';
import { WorkbenchError } from '../../../electron/core/errors';
import { buildReportWorkspace, type Fixture } from './fixture';
import { parseCsv, runReportJob } from './harness';
import { stixValidator } from './stix-schema';

let dir: string;
let file: string;
let fx: Fixture;

beforeAll(() => {
  dir = tmpDir('nstd-report-');
  file = path.join(dir, 'case.nstd');
  fx = buildReportWorkspace(file);
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('report content', () => {
  it('gathers the case, sources, model lineage, run counts, time-line, talkers and drivers', () => {
    const ws = Workspace.open(file);
    try {
      const c = gatherReport(ws.db, ws.path, { runId: fx.runId, maxDetections: 50 });
      expect(c.workspace).toMatchObject({ name: 'Case 42: lab capture', analyst: 'A. Analyst', file: 'case.nstd' });
      expect(c.sources).toHaveLength(1);
      expect(c.sources[0]).toMatchObject({ name: 'lab.pcap', sha256: 'a'.repeat(64), flowCount: 200, status: 'ok' });

      expect(c.model?.lineage.map((v) => v.name)).toEqual(['base protonet', 'adapted to ddos']);
      expect(c.model?.baseClasses).toEqual(['benign', 'portscan']);
      expect(c.model?.adaptations).toEqual([{ modelId: fx.modelId, className: 'ddos', k: 3, supportFlowIds: [3, 4, 5], filter: null, fineTuned: false, createdAt: '2024-05-01T10:50:00.000Z' }]);
      expect(c.model?.perClass.map((p) => [p.name, p.f1])).toEqual([
        ['benign', 0.975],
        ['portscan', 0.874],
        ['ddos', 0.747],
      ]);
      expect(c.model?.confusion).toEqual({ classes: ['benign', 'portscan', 'ddos'], matrix: [[118, 1, 1], [5, 34, 1], [4, 2, 14]] });
      expect(c.model?.metrics).toEqual([
        { name: 'f1', value: 0.84 },
        { name: 'fpr', value: 0.012 },
      ]);

      // 200 flows: 120 benign, 40 portscan, 20 ddos, 20 unknown; every fourth flagged one confirmed.
      expect(c.run.detectionCount).toBe(200);
      expect(c.run.flagged).toBe(80);
      expect(c.run.unknowns).toBe(20);
      expect(c.run.verdicts).toEqual({ new: 150, confirmed: 20, dismissed: 20, relabelled: 10 });
      expect(c.run.classes.map((k) => [k.name, k.kind, k.detections])).toEqual([
        ['portscan', 'attack', 40],
        ['ddos', 'attack', 20],
        ['unknown', 'unknown', 20],
        ['benign', 'benign', 120],
      ]);

      // Listed: reviewed or flagged, confirmed first; benign and unreviewed left out.
      expect(c.detectionsQualified).toBe(80);
      expect(c.detections).toHaveLength(50);
      expect(c.detections.slice(0, 20).every((d) => d.verdict === 'confirmed')).toBe(true);
      expect(c.detections.every((d) => d.kind !== 'benign')).toBe(true);

      const t = c.timeline!;
      expect(t.buckets.reduce((s, b) => s + b.benign + b.attack + b.unknown, 0)).toBe(200);
      expect(t.buckets.reduce((s, b) => s + b.attack, 0)).toBe(60);
      expect(t.bucketSeconds).toBe(10);

      expect(c.topTalkers.byFlagged[0]).toMatchObject({ ip: '192.0.2.80', flagged: 19 });
      expect(c.topTalkers.byBytes.length).toBe(10);

      const scan = c.drivers.find((d) => d.className === 'portscan')!;
      expect(scan.reference).toBe('benign');
      expect(scan.sampled).toBe(40);
      // Port scans: single-packet flows and few bytes back; these must lead, below the benign flows.
      expect(scan.features.slice(0, 4).map((f) => f.name).sort()).toEqual(['bwd_bytes', 'bwd_packets', 'fwd_bytes', 'fwd_packets']);
      expect(scan.features[0]!.effect).toBeLessThan(0);
      const ddos = c.drivers.find((d) => d.className === 'ddos')!;
      expect(ddos.features[0]).toMatchObject({ name: 'fwd_packets' });
      expect(ddos.features[0]!.effect).toBeGreaterThan(3);
    } finally {
      ws.close();
    }
  });

  it('resolves the newest run and says what to do when there is none', () => {
    const ws = Workspace.open(file);
    try {
      expect(resolveRun(ws.db)).toBe(fx.runId);
      expect(() => resolveRun(ws.db, 999)).toThrow(/No detection run 999/);
    } finally {
      ws.close();
    }
    const empty = Workspace.open(path.join(dir, 'empty.nstd'), { create: { name: 'empty' } });
    try {
      expect(() => resolveRun(empty.db)).toThrow(/no detection run yet\. Run a detection first/);
    } finally {
      empty.close();
    }
  });
});

describe('HTML', () => {
  it('is one self-contained file with a strict CSP, no script and no external resource', async () => {
    const out = path.join(dir, 'r.html');
    const { result } = await runReportJob(file, { format: 'html', out, runId: fx.runId });
    expect(result).toMatchObject({ format: 'html', path: out, runId: fx.runId, detections: 200 });
    const html = fs.readFileSync(out, 'utf8');
    expect(result.sha256).toBe(createHash('sha256').update(fs.readFileSync(out)).digest('hex'));
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)![1]!.replaceAll('&#39;', "'");
    expect(csp).toBe(contentSecurityPolicy());
    expect(csp).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'; img-src data:; base-uri 'none'; form-action 'none'$/);
    // The hash in the policy is the hash of the one style element, so the styles apply.
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    expect(csp).toContain(`'sha256-${createHash('sha256').update(style).digest('base64')}'`);
    expect(html.match(/<style>/g)).toHaveLength(1);
    expect(html).not.toMatch(/<script|<link|<iframe|<img|<object|<embed|\son[a-z]+=|style="/i);
    expect(html).not.toMatch(/(src|href)="(https?:|\/\/|javascript:)/i);
    expect(html).toContain('@media print');
    expect(html).toContain('<svg class="chart"');
    for (const s of ['Case 42: lab capture', 'lab.pcap', 'a'.repeat(64), 'base protonet', 'adapted to ddos', 'Checked flow', '192.0.2.80']) expect(html).toContain(s);
    const db = Workspace.open(file);
    try {
      const rows = db.db.prepare('SELECT run_id, format, path, sha256 FROM reports WHERE path = ?').all(out);
      expect(rows).toEqual([{ run_id: fx.runId, format: 'html', path: out, sha256: result.sha256 }]);
    } finally {
      db.close();
    }
  });
});

describe('CSV and JSON', () => {
  it('CSV holds every detection with its flow, one row each, header first', async () => {
    const out = path.join(dir, 'r.csv');
    const { result, progress } = await runReportJob(file, { format: 'csv', out, runId: fx.runId });
    expect(result.detections).toBe(200);
    const text = fs.readFileSync(out, 'utf8');
    expect(text.startsWith('\uFEFFdetection_id,run_id,flow_id,')).toBe(true);
    const rows = parseCsv(text.slice(1));
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    expect(rows).toHaveLength(201);
    expect(rows.every((r) => r.length === CSV_COLUMNS.length)).toBe(true);
    const col = (name: string): number => CSV_COLUMNS.indexOf(name as (typeof CSV_COLUMNS)[number]);
    const confirmed = rows.slice(1).filter((r) => r[col('verdict')] === 'confirmed');
    expect(confirmed.map((r) => Number(r[col('detection_id')]))).toEqual(fx.confirmed);
    expect(confirmed[0]![col('note')]).toMatch(/^Checked flow \d+: confirmed\.$/);
    const first = rows[1]!;
    expect(first[col('time_first')]).toBe('2024-05-01T10:00:00.000Z'.slice(0, 17) + first[col('time_first')]!.slice(17));
    expect(first[col('protocol')]).toMatch(/^(tcp|udp)$/);
    expect(progress.at(-1)).toMatchObject({ done: 200, total: 200, unit: 'detections' });
  });

  it('JSON parses back to every detection', async () => {
    const out = path.join(dir, 'r.json');
    await runReportJob(file, { format: 'json', out, runId: fx.runId });
    const doc = JSON.parse(fs.readFileSync(out, 'utf8')) as { format: string; run: { id: number }; workspace: { name: string }; detections: { id: number; verdict: string; src: { ip: string | null } }[] };
    expect(doc.format).toBe('nstd-detections');
    expect(doc.run.id).toBe(fx.runId);
    expect(doc.workspace.name).toBe('Case 42: lab capture');
    expect(doc.detections.map((d) => d.id)).toEqual(fx.detectionIds);
    expect(doc.detections.filter((d) => d.verdict === 'confirmed').map((d) => d.id)).toEqual(fx.confirmed);
  });
});

describe('STIX 2.1', () => {
  it('uses RFC 4122 version-5 UUIDs and STIX SCO ids from canonical JSON', () => {
    // RFC 4122 appendix / Python uuid.uuid5(NAMESPACE_DNS, 'www.example.com').
    expect(uuidv5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
    expect(canonicalJson({ b: [2, 'x'], a: 1, c: undefined })).toBe('{"a":1,"b":[2,"x"]}');
    expect(scoId('ipv4-addr', { value: '198.51.100.3' })).toMatch(/^ipv4-addr--[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('writes the same bundle, byte for byte, from the same workspace content', async () => {
    const other = path.join(dir, 'again.nstd');
    buildReportWorkspace(other);
    const a = path.join(dir, 'a.stix.json');
    const b = path.join(dir, 'b.stix.json');
    await runReportJob(file, { format: 'stix', out: a, runId: fx.runId });
    await runReportJob(other, { format: 'stix', out: b, runId: fx.runId });
    expect(fs.readFileSync(a, 'utf8')).toBe(fs.readFileSync(b, 'utf8'));
    // A change of verdict changes the ids that depend on it.
    const ws = Workspace.open(other);
    ws.db.prepare(`UPDATE detections SET verdict = 'dismissed' WHERE id = ?`).run(fx.confirmed[0]);
    ws.close();
    await runReportJob(other, { format: 'stix', out: b, runId: fx.runId });
    const ja = JSON.parse(fs.readFileSync(a, 'utf8')) as { id: string; objects: { type: string }[] };
    const jb = JSON.parse(fs.readFileSync(b, 'utf8')) as { id: string; objects: { type: string }[] };
    expect(jb.id).not.toBe(ja.id);
    expect(jb.objects.filter((o) => o.type === 'indicator')).toHaveLength(ja.objects.filter((o) => o.type === 'indicator').length - 1);
  });

  it('holds identity, observed-data, network-traffic, addresses, indicators for confirmed detections and a report', async () => {
    const out = path.join(dir, 'r.stix.json');
    const { result } = await runReportJob(file, { format: 'stix', out, runId: fx.runId });
    const bundle = JSON.parse(fs.readFileSync(out, 'utf8')) as { type: string; id: string; objects: Record<string, unknown>[] };
    const of = (t: string): Record<string, unknown>[] => bundle.objects.filter((o) => o.type === t);
    expect(bundle.type).toBe('bundle');
    expect(of('identity')).toHaveLength(1);
    // 80 flagged; dismissed (20) are left out; the one flagged flow without addresses is noted.
    expect(of('observed-data')).toHaveLength(59);
    expect(result.notes.join(' ')).toMatch(/1 flagged detections have no IP address/);
    expect(of('indicator')).toHaveLength(20);
    expect(of('relationship')).toHaveLength(20);
    expect(of('ipv6-addr').length).toBeGreaterThan(0);
    expect(of('ipv4-addr').length).toBeGreaterThan(0);
    const report = of('report')[0]!;
    const refs = new Set(report.object_refs as string[]);
    for (const o of bundle.objects) {
      if (['identity', 'observed-data', 'indicator', 'relationship'].includes(o.type as string)) expect(refs.has(o.id as string)).toBe(true);
    }
    const ids = new Set(bundle.objects.map((o) => o.id as string));
    expect(ids.size).toBe(bundle.objects.length);
    for (const od of of('observed-data')) for (const r of od.object_refs as string[]) expect(ids.has(r)).toBe(true);
    const ind = of('indicator')[0]!;
    expect(ind.pattern).toMatch(/^\[network-traffic:src_ref\.value = '[^']+' AND network-traffic:dst_ref\.value = '[^']+' AND network-traffic:dst_port = \d+ AND network-traffic:protocols\[\*\] = '(tcp|udp)'\]$/);
    expect(ind.external_references).toEqual([expect.objectContaining({ source_name: 'mitre-attack' })]);
  });

  it('validates against the OASIS STIX 2.1 JSON schemas, as do the OASIS examples; broken bundles do not', async () => {
    const schemas = sharedData('stix2-json-schemas', 'schemas');
    if (!schemas) return;
    const v = stixValidator(schemas);
    const examples = path.join(schemas, '..', 'examples');
    const files = [
      ...fs.readdirSync(examples).filter((f) => f.endsWith('.json')).map((f) => path.join(examples, f)),
      ...fs.readdirSync(path.join(examples, 'threat-reports')).map((f) => path.join(examples, 'threat-reports', f)),
    ];
    expect(files.length).toBeGreaterThanOrEqual(8);
    for (const f of files) {
      const doc = JSON.parse(fs.readFileSync(f, 'utf8')) as { type: string };
      const validate = doc.type === 'bundle' ? v.bundle : v.forType(doc.type)!;
      expect(validate(doc), `${path.basename(f)}: ${JSON.stringify(validate.errors?.slice(0, 2))}`).toBe(true);
    }
    const out = path.join(dir, 'valid.stix.json');
    await runReportJob(file, { format: 'stix', out, runId: fx.runId });
    const bundle = JSON.parse(fs.readFileSync(out, 'utf8')) as { objects: Record<string, unknown>[] };
    expect(v.bundle(bundle), JSON.stringify(v.bundle.errors?.slice(0, 3))).toBe(true);
    // Each object against its own type's schema too (the bundle schema accepts custom types).
    for (const o of bundle.objects) expect(v.forType(o.type as string)!(o), `${String(o.type)} ${JSON.stringify(v.forType(o.type as string)!.errors?.slice(0, 2))}`).toBe(true);
    // The validator rejects what it should.
    const broken = structuredClone(bundle);
    const ind = broken.objects.find((o) => o.type === 'indicator')!;
    delete ind.pattern;
    expect(v.bundle(broken)).toBe(false);
    const badId = structuredClone(bundle);
    badId.objects[0]!.id = 'identity--not-a-uuid';
    expect(v.bundle(badId)).toBe(false);
  });
});

describe('failures', () => {
  it('cancels without leaving a file behind', async () => {
    const ac = new AbortController();
    ac.abort();
    const out = path.join(dir, 'cancelled.csv');
    await expect(runReportJob(file, { format: 'csv', out, runId: fx.runId }, ac.signal)).rejects.toMatchObject({ code: 'E_CANCELLED' });
    expect(fs.existsSync(out)).toBe(false);
    expect(fs.readdirSync(dir).filter((f) => f.includes('partial'))).toEqual([]);
  });

  it('refuses a missing folder, a folder as the file, a relative path off the CLI and an unknown run', () => {
    const ws = Workspace.open(file);
    try {
      expect(() => prepareReportSpec(ws.db, { format: 'html', path: path.join(dir, 'nope', 'r.html') }, 'cli')).toThrow(/folder .* does not exist/);
      expect(() => prepareReportSpec(ws.db, { format: 'html', path: dir }, 'cli')).toThrow(/is a folder/);
      expect(() => prepareReportSpec(ws.db, { format: 'html', path: 'r.html' }, 'browser')).toThrow(/must be absolute/);
      expect(() => prepareReportSpec(ws.db, { format: 'csv', path: path.join(dir, 'x.csv'), runId: 77 }, 'cli')).toThrow(WorkbenchError);
      expect(prepareReportSpec(ws.db, { format: 'csv', path: path.join(dir, 'x.csv') }, 'cli')).toEqual({
        format: 'csv',
        out: path.join(dir, 'x.csv'),
        runId: fx.runId,
        pdfPrinter: 'chromium',
        htmlMaxDetections: 2000,
      });
    } finally {
      ws.close();
    }
  });

  it('says how to get a browser when no Chromium is found for a PDF', () => {
    expect(findChromium({ CHROME_PATH: '/nonexistent/chrome' })).toBeNull();
    const err = noChromiumError({ CHROME_PATH: '/nonexistent/chrome' });
    expect(err.code).toBe('E_UNAVAILABLE');
    expect(err.message).toMatch(/no Chromium browser found \(CHROME_PATH=\/nonexistent\/chrome does not exist\)\. Install one .* or set CHROME_PATH/);
  });
});
