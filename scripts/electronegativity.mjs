#!/usr/bin/env node
// Runs Electronegativity (@doyensec/electronegativity) over the Electron code (electron/, the
// renderer's index.html for its CSP, package.json for the Electron version) and fails when it
// reports a finding of HIGH or CRITICAL severity, or cannot parse a file of the shell.
//
//   node scripts/electronegativity.mjs [--keep]     exit 0 pass, 1 high finding, 2 could not run
//
// Uses the installed package when there is one, else `npx --yes` of the pinned version (the npm
// registry is the only network it needs). The tool itself never goes online: its Electron
// releases check is skipped (the pinned Electron version is what we ship) and its translation
// download is answered "offline" by electronegativity-offline.cjs.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const VERSION = '1.10.3';
const FAIL_AT = new Set(['HIGH', 'CRITICAL']);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const keep = process.argv.includes('--keep');

const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const electronVersion = String(pkg.devDependencies?.electron ?? pkg.dependencies?.electron ?? '').replace(/^[^\d]*/, '');

// The input: what ships in the app's Electron processes, staged so paths read as in the repo.
const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'nstd-electronegativity-'));
const input = path.join(stage, 'input');
fs.cpSync(path.join(root, 'electron'), path.join(input, 'electron'), { recursive: true });
fs.mkdirSync(path.join(input, 'renderer'), { recursive: true });
fs.copyFileSync(path.join(root, 'renderer', 'index.html'), path.join(input, 'renderer', 'index.html'));
fs.copyFileSync(path.join(root, 'package.json'), path.join(input, 'package.json'));
const csv = path.join(stage, 'findings.csv');

const local = path.join(root, 'node_modules', '@doyensec', 'electronegativity', 'dist', 'index.js');
const toolArgs = ['-i', input, '-o', csv, '-r', '-v', 'false', '-x', 'AvailableSecurityFixesGlobalCheck', ...(electronVersion ? ['-e', electronVersion] : [])];
const [cmd, args] = fs.existsSync(local)
  ? [process.execPath, [local, ...toolArgs]]
  : [process.platform === 'win32' ? 'npx.cmd' : 'npx', ['--yes', `@doyensec/electronegativity@${VERSION}`, ...toolArgs]];
const offline = path.join(root, 'scripts', 'electronegativity-offline.cjs');
const run = spawnSync(cmd, args, {
  cwd: stage,
  encoding: 'utf8',
  env: { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${JSON.stringify(offline)}`.trim(), FORCE_COLOR: '0' },
  timeout: 10 * 60_000,
});
const output = `${run.stdout ?? ''}${run.stderr ?? ''}`;
process.stdout.write(output);

function finish(code, message) {
  console.log(message);
  if (keep) console.log(`input and findings kept in ${stage}`);
  else fs.rmSync(stage, { recursive: true, force: true });
  process.exit(code);
}

if (run.error || run.status !== 0 || !fs.existsSync(csv)) {
  finish(2, `electronegativity: could not run (${run.error?.message ?? `exit status ${run.status}`}).`);
}
// The shell's files must be parsed, or their findings would be missing without a word.
const unparsed = output.split('\n').filter((l) => /error parsing/i.test(l) && /electron[/\\](main|preload)[/\\]/.test(l));
if (unparsed.length > 0) finish(2, `electronegativity: could not parse the shell:\n${unparsed.join('\n')}`);

// Rows: ID,"SEVERITY","CONFIDENCE","file","line:col",sample,"description",url (quotes doubled).
const findings = [];
const text = fs.readFileSync(csv, 'utf8');
const row = /^([A-Z0-9_]+),"([A-Z]+)","([A-Z]+)",(?:"((?:[^"]|"")*)"|N\/A),(?:"(\d+:\d+)"|N\/A)/gm;
for (let m; (m = row.exec(text)); ) findings.push({ id: m[1], severity: m[2], confidence: m[3], file: (m[4] ?? 'N/A').replace(/""/g, '"'), location: m[5] ?? '' });

const counts = {};
for (const f of findings) counts[f.severity] = (counts[f.severity] ?? 0) + 1;
console.log(`\nelectronegativity ${VERSION} on electron/ (Electron ${electronVersion || 'unknown'}): ${findings.length} findings ${JSON.stringify(counts)}`);
for (const f of findings) console.log(`  ${f.severity.padEnd(13)} ${f.confidence.padEnd(9)} ${f.id.padEnd(34)} ${f.file}${f.location ? `:${f.location}` : ''}`);
const high = findings.filter((f) => FAIL_AT.has(f.severity));
if (high.length > 0) finish(1, `FAIL: ${high.length} finding(s) of HIGH or CRITICAL severity.`);
finish(0, 'OK: no finding of HIGH or CRITICAL severity.');
