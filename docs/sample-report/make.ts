/**
 * Makes the sample report in this folder from a capture the project generates: the analyst's
 * loop on the command line (ingest, classes, label, train, adapt, detect, report) with the two
 * steps that have no subcommand (the case's name and notes, the review verdicts) done through
 * the same contract the app calls.
 *
 *   npm run build && npx esbuild docs/sample-report/make.ts --bundle --platform=node --format=esm \
 *     --packages=external --outfile=dist/make-sample.mjs && node dist/make-sample.mjs
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { synthesizeFile } from '../../electron/core/capture/synth';
import { Workbench } from '../../electron/core/workbench';
import { NodeWorkerHost } from '../../electron/core/jobs/host';
import { workerEntry } from '../../electron/core/worker-entry';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const here = path.join(root, 'docs', 'sample-report');
const cli = path.join(root, 'bin', 'nstd.js');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'nstd-sample-'));
const ws = path.join(work, 'lab-case.nstd');

function nstd(...args: string[]): unknown {
  process.stderr.write(`$ nstd ${args.map((a) => (/[\s|&=<>]/.test(a) ? `'${a}'` : a)).join(' ')}\n`);
  const r = spawnSync(process.execPath, [cli, ...args, '--json'], { encoding: 'utf8', maxBuffer: 256 << 20 });
  if (r.status !== 0) throw new Error(`nstd ${args[0]} failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as unknown;
}

const capture = path.join(work, 'lab.pcap');
const truth = synthesizeFile(capture, { packets: 5000, seed: 11, start: 1_714_557_600 });
process.stderr.write(`generated ${capture}: ${JSON.stringify(truth.byKind)}\n`);

nstd('ingest', capture, '--workspace', ws);
nstd('classes', '--workspace', ws, '--create', 'Benign', '--kind', 'benign', '--colour', '#2e86c1');
nstd('classes', '--workspace', ws, '--create', 'PortScan', '--kind', 'attack', '--attack', 'T1046', '--colour', '#d35400');
nstd('classes', '--workspace', ws, '--create', 'SYNFlood', '--kind', 'attack', '--attack', 'T1498.001', '--colour', '#c0392b');
nstd('label', '--workspace', ws, '--filter', 'dst.port in {443 53} || udp.port == 53', '--class', 'Benign');
nstd('label', '--workspace', ws, '--filter', 'proto == tcp && packets in {2 3} && dst.port != 80 && dst.port != 443', '--class', 'PortScan');
const model = nstd('train', '--workspace', ws, '--classes', 'Benign,PortScan', '--ways', '2', '--episodes', '200', '--seed', '1') as { modelId: number };
// Five flows of the SYN flood teach the model the new class (few-shot, K = 5).
const flows = spawnSync(process.execPath, [cli, 'flows', '--workspace', ws, '--filter', 'dst.port == 80 && proto == tcp && packets == 1', '--format', 'jsonl', '--limit', '5'], { encoding: 'utf8' });
const support = flows.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { id: number }).id);
const adapted = nstd('adapt', '--workspace', ws, '--model', String(model.modelId), '--class', 'SYNFlood', '--flows', support.join(',')) as { modelId: number };
nstd('detect', '--workspace', ws, '--model', String(adapted.modelId));

// The case record and the analyst's review, through the contract (no subcommand for these).
const wb = new Workbench({ host: 'cli', workerHost: new NodeWorkerHost(workerEntry()) });
wb.openWorkspace(ws);
try {
  await wb.invoke('workspace.update', {
    name: 'Lab case 11: SYN flood on 192.168.1.80',
    analyst: 'Ada Analyst',
    notes: 'Sample case made by docs/sample-report/make.ts from a capture the project generates (seed 11).\nBase classes Benign and PortScan labelled by filter; SYNFlood taught from 5 flows.',
  });
  const [run] = await wb.invoke('detections.runs', { limit: 1 });
  // The analyst reviews the top of each flagged class: confirms the flood and most of the scan,
  // dismisses two novel flows as known-good, relabels one.
  const top = async (predicted: string, n: number) =>
    (await wb.invoke('detections.page', { runId: run!.id, predicted, sort: 'attack', unknownFirst: true, limit: n })).rows;
  const review = (id: number, verdict: 'confirmed' | 'dismissed' | 'relabelled', note: string, className?: string) =>
    wb.invoke('detections.review', { id, verdict, reviewer: 'Ada Analyst', note, ...(className ? { className } : {}) });
  for (const d of await top('SYNFlood', 6)) await review(d.id, 'confirmed', 'SYN-only flow to 192.168.1.80:80, part of the flood seen from 10:00:00; no handshake completes.');
  for (const [i, d] of (await top('PortScan', 4)).entries()) {
    await review(d.id, i < 3 ? 'confirmed' : 'dismissed', i < 3 ? 'Probe of the 192.168.9.0/29 sweep (SYN answered by RST).' : 'Health check from the load balancer, not the scanner.');
  }
  const novel = await top('unknown', 3);
  for (const d of novel.slice(0, 2)) await review(d.id, 'dismissed', 'Novel but benign: backup job to the file server.');
  if (novel[2]) await review(novel[2].id, 'relabelled', 'UDP burst to 192.168.1.99:9999: the UDP flood, not yet a class of the model.', 'UDPFlood');
} finally {
  await wb.close();
}

fs.mkdirSync(here, { recursive: true });
for (const [format, name] of [
  ['html', 'report.html'],
  ['pdf', 'report.pdf'],
  ['csv', 'detections.csv'],
  ['json', 'detections.json'],
  ['stix', 'bundle.stix.json'],
] as const) {
  nstd('report', '--workspace', ws, '--format', format, '--out', path.join(here, name));
}
fs.rmSync(work, { recursive: true, force: true });
process.stderr.write(`sample report written to ${here}\n`);
