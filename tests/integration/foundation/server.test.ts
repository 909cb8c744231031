import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { Workbench } from '../../../electron/core/workbench';
import { NodeWorkerHost } from '../../../electron/core/jobs/host';
import { workerEntry } from '../../../electron/core/worker-entry';
import { startServer, type RunningServer } from '../../../electron/web/server';
import { methodNames } from '../../../shared/api';
import { tmpDir } from '../../helpers/tmp';

let server: RunningServer;
let wb: Workbench;
const staticDir = tmpDir('nstd-static-');

/** Raw HTTP so the Host header can be forged (fetch does not allow it). */
function request(opts: { path: string; method?: string; headers?: Record<string, string>; body?: string }): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, path: opts.path, method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

beforeAll(async () => {
  process.env.NSTD_HOME = tmpDir('nstd-home-');
  fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>app</title>');
  wb = new Workbench({ host: 'browser', workerHost: new NodeWorkerHost(workerEntry()) });
  wb.openWorkspace(path.join(tmpDir(), 's.nstd'), { name: 'server test' });
  server = await startServer({ workbench: wb, staticDir });
});
afterAll(async () => {
  await server.close();
  await wb.close();
});

describe('browser-mode server', () => {
  it('binds 127.0.0.1 on a random port and prints a token URL', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{48}$/);
  });

  it('answers 401 without the token and 200 with it', async () => {
    expect((await request({ path: '/' })).status).toBe(401);
    expect((await request({ path: '/', headers: { Authorization: 'Bearer wrong' } })).status).toBe(401);
    const ok = await request({ path: '/', headers: { Authorization: `Bearer ${server.token}` } });
    expect(ok.status).toBe(200);
    expect(ok.headers['content-security-policy']).toContain("script-src 'self'");
  });

  it('exchanges the launch token for an HttpOnly SameSite=Strict cookie', async () => {
    const r = await request({ path: `/?token=${server.token}` });
    expect(r.status).toBe(303);
    expect(r.headers.location).toBe('/');
    const cookie = r.headers['set-cookie']![0]!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const again = await request({ path: '/', headers: { Cookie: cookie.split(';')[0]! } });
    expect(again.status).toBe(200);
  });

  it('refuses a foreign Host header even with the token (DNS rebinding)', async () => {
    const auth = { Authorization: `Bearer ${server.token}` };
    expect((await request({ path: '/', headers: { ...auth, Host: 'evil.example' } })).status).toBe(403);
    expect((await request({ path: '/', headers: { ...auth, Host: `evil.example:${server.port}` } })).status).toBe(403);
    for (const host of [`localhost:${server.port}`, `[::1]:${server.port}`, '127.0.0.1:9999']) {
      expect((await request({ path: '/', headers: { ...auth, Host: host } })).status).toBe(200);
    }
  });

  it('refuses a cross-site Origin', async () => {
    const auth = { Authorization: `Bearer ${server.token}` };
    const bad = await request({ path: '/api/call/app.info', method: 'POST', headers: { ...auth, Origin: 'http://evil.example' }, body: '{}' });
    expect(bad.status).toBe(403);
    const good = await request({ path: '/api/call/app.info', method: 'POST', headers: { ...auth, Origin: `http://127.0.0.1:${server.port}` }, body: '{}' });
    expect(good.status).toBe(200);
  });

  it('serves every contract method, validates params, and reports unknown methods', async () => {
    const auth = { Authorization: `Bearer ${server.token}` };
    const call = async (name: string, body: string) => JSON.parse((await request({ path: `/api/call/${name}`, method: 'POST', headers: auth, body })).body) as { ok: boolean; error?: { code: string; message: string } };
    expect(methodNames.length).toBeGreaterThan(10);
    const info = await call('app.info', '{}');
    expect(info.ok).toBe(true);
    const invalid = await call('jobs.get', '{"id":"seven"}');
    expect(invalid).toMatchObject({ ok: false, error: { code: 'E_INVALID' } });
    expect(invalid.error!.message).toMatch(/id/);
    expect(await call('nope.nothing', '{}')).toMatchObject({ ok: false, error: { code: 'E_NOT_FOUND' } });
    const badJson = await request({ path: '/api/call/app.info', method: 'POST', headers: auth, body: '{' });
    expect(badJson.status).toBe(400);
  });

  it('does not serve files outside the renderer folder', async () => {
    const auth = { Authorization: `Bearer ${server.token}` };
    const r = await request({ path: '/..%2f..%2fetc%2fpasswd', headers: auth });
    expect(r.status).toBe(404);
    expect(r.body).not.toContain('root:');
  });
});
