import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import http from 'node:http';
import { tmpDir } from '../../helpers/tmp';

const root = path.resolve(import.meta.dirname, '..', '..', '..');
const nstd = path.join(root, 'bin', 'nstd.js');
const run = (...args: string[]) => spawnSync(process.execPath, [nstd, ...args], { encoding: 'utf8', env: { ...process.env, NSTD_HOME: tmpDir('nstd-home-') } });

describe('nstd CLI', () => {
  it('lists its commands and exits 2 on an unknown one', () => {
    const help = run('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/serve/);
    expect(help.stdout).toMatch(/doctor/);
    const bad = run('frobnicate');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/unknown command "frobnicate"/);
  });

  it('every command has --help', () => {
    const names = [...run('--help').stdout.matchAll(/^ {2}(\S+) {2,}/gm)].map((m) => m[1]!);
    expect(names.length).toBeGreaterThanOrEqual(2);
    for (const name of names) {
      const r = run(name, '--help');
      expect(r.status, name).toBe(0);
      expect(r.stdout, name).toMatch(new RegExp(`^Usage: nstd ${name}`));
    }
  });

  it('doctor --json names the TensorFlow.js backend it chose', () => {
    const r = run('doctor', '--json');
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as { backend: { name: string }; node: string; sqlite: string };
    expect(['wasm', 'tensorflow', 'cpu']).toContain(report.backend.name);
    expect(Number(report.node.split('.')[0])).toBeGreaterThanOrEqual(22);
    expect(report.sqlite).toMatch(/^3\./);
  });

  it('a bad option is a usage error with a JSON error object under --json', () => {
    const r = run('doctor', '--json', '--nope');
    expect(r.status).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: 'E_USAGE' } });
  });

  it('serve answers 401 without the token, 200 with it, 403 for Host evil.example', async () => {
    const ws = path.join(tmpDir(), 'w.nstd');
    const proc = spawn(process.execPath, [nstd, 'serve', '--port', '0', '--workspace', ws, '--json'], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NSTD_HOME: tmpDir('nstd-home-') } });
    try {
      const line = await new Promise<string>((r) => proc.stdout!.once('data', (d: Buffer) => r(d.toString())));
      const { port, token } = JSON.parse(line) as { port: number; token: string };
      const status = (headers: Record<string, string>) =>
        new Promise<number>((resolve, reject) => {
          http.get({ host: '127.0.0.1', port, path: '/', headers }, (res) => {
            res.resume();
            resolve(res.statusCode!);
          }).on('error', reject);
        });
      expect(await status({})).toBe(401);
      expect(await status({ Authorization: `Bearer ${token}` })).toBe(200);
      expect(await status({ Authorization: `Bearer ${token}`, Host: 'evil.example' })).toBe(403);
    } finally {
      proc.kill('SIGTERM');
    }
  });
});
