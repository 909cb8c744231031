import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { carveFlow } from '../../../electron/core/capture/carve';
import { synthesizeFile } from '../../../electron/core/capture/synth';
import { projectRoot } from '../../../electron/core/data-dir';
import { ingestJob, type IngestJobResult } from '../../../electron/core/ingest/ingest-job';
import type { JobContext } from '../../../electron/core/jobs/types';
import { Workspace } from '../../../electron/core/store/workspace';
import { standardPackets, tcpConnection, writeCapture } from '../../fixtures/make-capture';
import { tmpDir } from '../../helpers/tmp';
import { parse } from '../../unit/capture/helpers';

function context(ws: Workspace, signal = new AbortController().signal, onProgress?: (done: number) => void): JobContext & { logs: string[] } {
  const jobId = Number(
    ws.db.prepare(`INSERT INTO jobs (kind, spec, state, created_at) VALUES ('ingest', '{}', 'running', ?)`).run(new Date().toISOString()).lastInsertRowid,
  );
  const logs: string[] = [];
  return {
    jobId,
    workspacePath: ws.path,
    signal,
    logs,
    progress: (done) => onProgress?.(done),
    log: (line) => logs.push(line),
    workspace: () => ws,
  };
}

describe('ingest job: captures into a workspace', () => {
  const dir = tmpDir();
  const files = {
    pcap: path.join(dir, 'a.pcap'),
    ngz: path.join(dir, 'b.pcapng.gz'),
    cut: path.join(dir, 'cut.pcap'),
    junk: path.join(dir, 'notes.bin'),
  };
  let ws: Workspace;
  let result: IngestJobResult;

  beforeAll(async () => {
    fs.writeFileSync(files.pcap, writeCapture(standardPackets()));
    fs.writeFileSync(files.ngz, zlib.gzipSync(writeCapture(tcpConnection(0, 41000), { format: 'pcapng', nano: true })));
    const whole = writeCapture(standardPackets());
    fs.writeFileSync(files.cut, whole.subarray(0, whole.length - 30));
    fs.writeFileSync(files.junk, Buffer.from([0xde, 0xad, 0xbe, 0xef, 0, 1, 2, 3]));
    ws = Workspace.open(path.join(dir, 'case.nstd'), { create: { name: 'test' } });
    result = (await ingestJob({ paths: Object.values(files) }, context(ws))) as IngestJobResult;
  });

  it('sums packets and flows over the files and reports each error with file and offset', () => {
    expect(result.packets).toBe(15 + 10 + 14);
    expect(result.flows).toBe(3 + 1 + 3);
    expect(result.errors).toEqual([
      { file: files.cut, offset: whole58(), message: expect.stringMatching(/truncated packet record/) },
      { file: files.junk, offset: 0, message: expect.stringMatching(/neither a capture .* nor a flow log.*starts with de ad be ef 00 01 02 03/) },
    ]);
    expect(result.sources.map((s) => [path.basename(s.file), s.format, s.status])).toEqual([
      ['a.pcap', 'pcap', 'ok'],
      ['b.pcapng.gz', 'pcapng', 'ok'],
      ['cut.pcap', 'pcap', 'partial'],
      ['notes.bin', null, 'failed'],
    ]);
  });

  it('writes sources with size, sha256 and status, and flows of schema pcap', () => {
    const rows = ws.db.prepare('SELECT name, format, status, size, sha256, packets, flow_count FROM sources ORDER BY id').all() as Array<Record<string, unknown>>;
    expect(rows.map((r) => [r.name, r.format, r.status, r.packets, r.flow_count])).toEqual([
      ['a.pcap', 'pcap', 'ok', 15, 3],
      ['b.pcapng.gz', 'pcapng+gzip', 'ok', 10, 1],
      ['cut.pcap', 'pcap', 'partial', 14, 3],
    ]);
    expect(rows[1]!.size).toBe(fs.statSync(files.ngz).size);
    expect(rows[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);
    const f = ws.db.prepare(`SELECT * FROM flows WHERE source_id = 2`).get() as Record<string, unknown>;
    expect(f).toMatchObject({ schema: 'pcap', proto: 6, src_ip: '10.0.0.1', src_port: 41000, dst_port: 80, packets_fwd: 6, packets_bwd: 4 });
    expect(String(f.community_id)).toMatch(/^1:/);
    expect((f.features as Buffer).length % 4).toBe(0);
    expect((f.sequence as Buffer).length).toBe(96 * 4);
  });

  it('carves a flow back into a pcap with the same packets', async () => {
    const id = (ws.db.prepare(`SELECT id FROM flows WHERE source_id = 2`).get() as { id: number }).id;
    const out = path.join(dir, 'flow.pcap');
    const r = await carveFlow(ws.db, id, out);
    expect(r.packets).toBe(10);
    const back = parse(fs.readFileSync(out));
    expect(back.flows).toHaveLength(1);
    expect(back.flows[0]).toMatchObject({ srcPort: 41000, packetsFwd: 6, packetsBwd: 4 });
    // Nanosecond timestamps survive the round trip.
    const orig = parse(zlib.gunzipSync(fs.readFileSync(files.ngz)));
    expect(back.flows[0]!.ts).toBe(orig.flows[0]!.ts);
    await expect(carveFlow(ws.db, 999_999, out)).rejects.toThrow(/Flow 999999 does not exist/);
  });

  it('cancel: stops, keeps the flows written and marks the source partial', async () => {
    const big = path.join(dir, 'big.pcap');
    synthesizeFile(big, { packets: 300_000, seed: 3 });
    const ac = new AbortController();
    const ctx = context(ws, ac.signal, (done) => {
      if (done > 0) ac.abort();
    });
    await expect(ingestJob({ paths: [big] }, ctx)).rejects.toThrow(/cancelled/);
    const src = ws.db.prepare(`SELECT status, errors, flow_count FROM sources WHERE name = 'big.pcap'`).get() as { status: string; errors: string; flow_count: number };
    expect(src.status).toBe('partial');
    expect(JSON.parse(src.errors)[0].message).toMatch(/Cancelled after \d+ bytes/);
    expect(src.flow_count).toBeGreaterThan(0);
    expect(ws.db.prepare(`SELECT count(*) FROM flows f JOIN sources s ON s.id = f.source_id WHERE s.name = 'big.pcap'`).pluck().get()).toBe(src.flow_count);
  });
});

/** Offset of the ARP record (16 + 42 bytes) that the 30-byte cut truncates. */
function whole58(): number {
  return writeCapture(standardPackets()).length - 58;
}

describe('nstd ingest and carve on the command line', () => {
  const root = projectRoot();
  const cli = path.join(root, 'bin', 'nstd.js');
  beforeAll(() => {
    if (!fs.existsSync(path.join(root, 'dist', 'cli.js'))) spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs'), '--core'], { cwd: root });
  });

  it('prints the JSON summary and exits 3 when an input has errors', () => {
    const dir = tmpDir();
    const good = path.join(dir, 'good.pcap.gz');
    const bad = path.join(dir, 'bad.pcap');
    fs.writeFileSync(good, zlib.gzipSync(writeCapture(standardPackets())));
    const whole = writeCapture(standardPackets());
    fs.writeFileSync(bad, whole.subarray(0, whole.length - 30));
    const wsFile = path.join(dir, 'cli.nstd');
    const ok = spawnSync(process.execPath, [cli, 'ingest', good, '--workspace', wsFile, '--json'], { encoding: 'utf8' });
    expect(ok.status, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ packets: 15, flows: 3, errors: [], bytes: whole.length });
    const partial = spawnSync(process.execPath, [cli, 'ingest', bad, '--workspace', wsFile, '--json'], { encoding: 'utf8' });
    expect(partial.status).toBe(3);
    const out = JSON.parse(partial.stdout) as IngestJobResult;
    expect(out.errors[0]).toMatchObject({ file: bad, offset: whole.length - 58 });
    const carved = path.join(dir, 'one.pcap');
    const c = spawnSync(process.execPath, [cli, 'carve', '--workspace', wsFile, '--flow', '1', '--out', carved, '--json'], { encoding: 'utf8' });
    expect(c.status, c.stderr).toBe(0);
    expect(JSON.parse(c.stdout)).toMatchObject({ packets: 10 });
  });
});
