import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { tmpDir } from '../../helpers/tmp';
import { writeCicCsv } from '../../../electron/core/store/bench';
import { allFixtures } from '../../fixtures/flow-logs';

const root = path.resolve(import.meta.dirname, '..', '..', '..');
const nstd = path.join(root, 'bin', 'nstd.js');
const env = { ...process.env, NSTD_HOME: tmpDir('nstd-home-') };
const run = (...args: string[]) => spawnSync(process.execPath, [nstd, ...args], { encoding: 'utf8', env });

describe('nstd flows / label / classes on an ingested workspace', () => {
  it('ingests every flow-log format, lists, filters, exports, labels and undoes', () => {
    const dir = tmpDir();
    const ws = path.join(dir, 'case.nstd');
    const files = allFixtures().map((fx) => {
      const f = path.join(dir, fx.name);
      fs.writeFileSync(f, fx.text);
      return f;
    });
    const ing = run('ingest', ...files, '--workspace', ws, '--json');
    expect(ing.status, ing.stderr).toBe(0);
    const res = JSON.parse(ing.stdout) as { flows: number; sources: { format: string; status: string }[] };
    expect(res.sources.map((s) => s.format).sort()).toEqual(allFixtures().map((f) => f.format).sort());
    expect(res.flows).toBe(allFixtures().reduce((a, f) => a + f.rows, 0));

    const classes = JSON.parse(run('classes', '--workspace', ws, '--json').stdout) as { name: string; kind: string; flows: number }[];
    expect(classes.find((c) => c.name === 'Benign')).toMatchObject({ kind: 'benign', flows: 3 + 1 + 2 + 1 + 2 });

    const csv = run('flows', '--workspace', ws, '--filter', 'proto == udp && ip.addr == 192.168.37.1', '--format', 'csv');
    expect(csv.status, csv.stderr).toBe(0);
    const lines = csv.stdout.trim().split('\n');
    expect(lines[0]).toBe('id,community_id,source,row,ts,end,duration,ip.src,ip.dst,src.port,dst.port,proto,vlan,app,packets,bytes,packets.fwd,packets.bwd,bytes.fwd,bytes.bwd,label,truth,prediction,score,novelty,verdict');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('192.168.37.130,192.168.37.1,55551,53,17');

    const jsonl = run('flows', '--workspace', ws, '--format', 'jsonl', '--limit', '4');
    expect(jsonl.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { id: number }).id)).toEqual([1, 2, 3, 4]);

    const bad = run('flows', '--workspace', ws, '--filter', 'bytes >> 3', '--json');
    expect(bad.status).toBe(1);
    expect(JSON.parse(bad.stdout).error.message).toMatch(/column 8/);

    const lab = run('label', '--workspace', ws, '--filter', 'truth == "DoS Hulk" || truth == neptune', '--class', 'DoS-Hulk', '--note', 'seen', '--json');
    expect(lab.status, lab.stderr).toBe(0);
    const { batch, count } = JSON.parse(lab.stdout) as { batch: number; count: number };
    expect(count).toBe(2);
    expect(run('flows', '--workspace', ws, '--filter', 'label == "dos hulk"', '--format', 'jsonl').stdout.trim().split('\n')).toHaveLength(2);
    const undo = run('label', '--workspace', ws, '--undo', String(batch), '--json');
    expect(JSON.parse(undo.stdout)).toMatchObject({ count: 2 });
    // the CIC row goes back to its dataset label, the NSL-KDD one too
    expect(run('flows', '--workspace', ws, '--filter', 'label == "DoS Hulk"', '--format', 'jsonl').stdout.trim().split('\n')).toHaveLength(1);

    const exported = path.join(dir, 'labels.json');
    expect(run('label', '--workspace', ws, '--export', exported).status).toBe(0);
    const ws2 = path.join(dir, 'copy.nstd');
    run('ingest', ...files, '--workspace', ws2);
    const imp = run('label', '--workspace', ws2, '--import', exported, '--json');
    expect(JSON.parse(imp.stdout)).toMatchObject({ unmatched: 0 });
  }, 240_000);
});

describe('nstd flows into a pipe that closes early', () => {
  it('stops quietly, exit 0 (nstd flows | head)', async () => {
    const dir = tmpDir();
    const ws = path.join(dir, 'w.nstd');
    const csv = path.join(dir, 'g.csv');
    writeCicCsv(csv, 5000, 3);
    expect(run('ingest', csv, '--workspace', ws).status).toBe(0);
    const proc = spawn(process.execPath, [nstd, 'flows', '--workspace', ws], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const first = await new Promise<string>((res) => proc.stdout!.once('data', (d: Buffer) => res(d.toString())));
    expect(first).toMatch(/^id,community_id,/);
    proc.stdout!.destroy();
    const code = await new Promise<number | null>((res) => proc.once('exit', (c) => res(c)));
    expect(code).toBe(0);
    expect(err).not.toMatch(/EPIPE|Unhandled/);
  });
});

describe('kill -9 in the middle of an import', () => {
  it('leaves a workspace that opens, is intact, shows the import interrupted with whole batches, and keeps earlier labels', async () => {
    const dir = tmpDir();
    const ws = path.join(dir, 'crash.nstd');
    const csv = path.join(dir, 'big.csv');
    writeCicCsv(csv, 150_000, 7);
    // an analyst label committed before the import starts
    const first = path.join(dir, 'small.csv');
    fs.writeFileSync(first, allFixtures()[0]!.text);
    expect(run('ingest', first, '--workspace', ws).status).toBe(0);
    expect(run('label', '--workspace', ws, '--ids', '1,2', '--class', 'Exfil', '--kind', 'attack').status).toBe(0);

    const proc = spawn(process.execPath, [nstd, 'ingest', csv, '--workspace', ws], { env, detached: true, stdio: 'ignore' });
    const db = new Database(ws, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    let seen = 0;
    try {
      const deadline = Date.now() + 120_000;
      while (Date.now() < deadline) {
        const r = db.prepare("SELECT flow_count FROM sources WHERE name = 'big.csv'").get() as { flow_count: number } | undefined;
        if (r && r.flow_count > 0) {
          seen = r.flow_count;
          break;
        }
        await new Promise((res) => setTimeout(res, 20));
      }
    } finally {
      db.close();
    }
    expect(seen).toBeGreaterThan(0);
    process.kill(-proc.pid!, 'SIGKILL');
    await new Promise((res) => proc.once('exit', res));

    // Opening through the app marks the dead job and its source interrupted.
    const counts = run('flows', '--workspace', ws, '--counts', '--json');
    expect(counts.status, counts.stderr).toBe(0);
    const check = new Database(ws, { fileMustExist: true });
    try {
      expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
      const src = check.prepare("SELECT id, status, flow_count FROM sources WHERE name = 'big.csv'").get() as { id: number; status: string; flow_count: number };
      const flows = check.prepare('SELECT count(*) FROM flows WHERE source_id = ?').pluck().get(src.id) as number;
      const job = check.prepare("SELECT state FROM jobs WHERE kind = 'ingest' ORDER BY id DESC LIMIT 1").pluck().get();
      expect(flows).toBeLessThan(150_000);
      expect(src.status).toBe('interrupted');
      expect(job).toBe('interrupted');
      // whole batches: the counter moves with the rows in one transaction, labels with them
      expect(src.flow_count).toBe(flows);
      expect(flows % 20_000 === 0 || flows === 150_000).toBe(true);
      expect(check.prepare("SELECT count(*) FROM labels l JOIN flows f ON f.id = l.flow_id WHERE f.source_id = ? AND l.origin = 'dataset'").pluck().get(src.id)).toBe(flows);
      const analyst = check.prepare("SELECT f.id, c.name FROM flows f JOIN label_classes c ON c.id = f.label_id WHERE f.id IN (1, 2)").all();
      expect(analyst).toEqual([{ id: 1, name: 'Exfil' }, { id: 2, name: 'Exfil' }]);
    } finally {
      check.close();
    }
  }, 240_000);
});

describe('the worker killed alone while the app lives', () => {
  it.runIf(process.platform === 'linux')('fails the import with a reason and keeps whole batches', async () => {
    const dir = tmpDir();
    const ws = path.join(dir, 'w.nstd');
    const csv = path.join(dir, 'big.csv');
    writeCicCsv(csv, 150_000, 9);
    const proc = spawn(process.execPath, [nstd, 'ingest', csv, '--workspace', ws, '--json'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((res) => proc.once('exit', (code) => res(code)));
    // wait for the first committed batch, then kill the worker (the CLI's child) only
    const deadline = Date.now() + 120_000;
    let worker: number | null = null;
    while (Date.now() < deadline && worker === null) {
      await new Promise((res) => setTimeout(res, 20));
      if (!fs.existsSync(ws)) continue;
      let committed = 0;
      try {
        const db = new Database(ws, { readonly: true, fileMustExist: true });
        committed = (db.prepare("SELECT flow_count FROM sources WHERE name = 'big.csv'").pluck().get() as number | undefined) ?? 0;
        db.close();
      } catch {
        continue;
      }
      if (committed === 0) continue;
      const children = fs.readFileSync(`/proc/${proc.pid}/task/${proc.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
      worker = children[0] ?? null;
    }
    expect(worker).not.toBeNull();
    process.kill(worker!, 'SIGKILL');
    const code = await exited;
    expect(code).toBe(1);
    expect(out).toMatch(/failed|killed|SIGKILL|exit/i);
    const db = new Database(ws, { readonly: true, fileMustExist: true });
    try {
      const src = db.prepare("SELECT id, status, flow_count FROM sources WHERE name = 'big.csv'").get() as { id: number; status: string; flow_count: number };
      expect(src.status).toBe('failed');
      expect(db.prepare('SELECT count(*) FROM flows WHERE source_id = ?').pluck().get(src.id)).toBe(src.flow_count);
      const job = db.prepare("SELECT state, error FROM jobs WHERE kind = 'ingest'").get() as { state: string; error: string };
      expect(job.state).toBe('failed');
      expect(job.error).toBeTruthy();
    } finally {
      db.close();
    }
  }, 240_000);
});
