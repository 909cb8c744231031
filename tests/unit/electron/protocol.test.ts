import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { APP_CSP, APP_SCHEME_PRIVILEGES, createAppProtocolHandler, resolveAppPath } from '../../../electron/main/protocol';
import { tmpDir } from '../../helpers/tmp';

const SECRET = 'secret-outside-the-renderer';

describe('app:// protocol', () => {
  let root: string;
  let handler: (r: Request) => Promise<Response>;

  beforeAll(() => {
    const base = tmpDir('nstd-protocol-');
    root = path.join(base, 'renderer');
    fs.mkdirSync(path.join(root, 'assets'), { recursive: true });
    fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>NSTD</title>');
    fs.writeFileSync(path.join(root, 'assets', 'index-abc.js'), 'console.log(1)');
    fs.writeFileSync(path.join(root, 'assets', 'style.css'), 'body{}');
    fs.writeFileSync(path.join(root, 'assets', 'tfjs-backend-wasm-simd.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d]));
    fs.writeFileSync(path.join(root, 'assets', 'logo.svg'), '<svg/>');
    fs.writeFileSync(path.join(root, 'assets', 'blob.xyz'), 'x');
    // Beside the renderer folder, and one named like it: neither may ever be served.
    fs.writeFileSync(path.join(base, 'secret.txt'), SECRET);
    fs.mkdirSync(path.join(base, 'renderer-evil'));
    fs.writeFileSync(path.join(base, 'renderer-evil', 'secret.txt'), SECRET);
    handler = createAppProtocolHandler(root);
  });

  const get = (url: string, method = 'GET') => handler(new Request(url, { method }));

  it('registers app as a standard, secure scheme that never bypasses CSP', () => {
    expect(APP_SCHEME_PRIVILEGES.scheme).toBe('app');
    expect(APP_SCHEME_PRIVILEGES.privileges).toMatchObject({ standard: true, secure: true });
    expect(APP_SCHEME_PRIVILEGES.privileges).not.toHaveProperty('bypassCSP');
  });

  it('serves the renderer with its MIME type, the CSP and nosniff', async () => {
    const cases: [string, string][] = [
      ['app://nstd/index.html', 'text/html; charset=utf-8'],
      ['app://nstd/', 'text/html; charset=utf-8'],
      ['app://nstd/assets/index-abc.js', 'text/javascript; charset=utf-8'],
      ['app://nstd/assets/style.css', 'text/css; charset=utf-8'],
      ['app://nstd/assets/tfjs-backend-wasm-simd.wasm', 'application/wasm'],
      ['app://nstd/assets/logo.svg', 'image/svg+xml'],
      ['app://nstd/assets/blob.xyz', 'application/octet-stream'],
    ];
    for (const [url, type] of cases) {
      const r = await get(url);
      expect(r.status, url).toBe(200);
      expect(r.headers.get('content-type'), url).toBe(type);
      expect(r.headers.get('content-security-policy'), url).toBe(APP_CSP);
      expect(r.headers.get('x-content-type-options'), url).toBe('nosniff');
    }
    expect(await (await get('app://nstd/assets/index-abc.js')).text()).toBe('console.log(1)');
  });

  it('has a CSP that allows only the app itself', () => {
    const directives = new Map(APP_CSP.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('connect-src')).toEqual(["'self'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(APP_CSP).not.toMatch(/unsafe-eval|https?:|\*/);
  });

  it("falls back to index.html for the renderer's routes, 404 for a missing asset", async () => {
    const route = await get('app://nstd/flows');
    expect(route.status).toBe(200);
    expect(await route.text()).toContain('<title>NSTD</title>');
    expect((await get('app://nstd/assets/missing.js')).status).toBe(404);
  });

  it('refuses path traversal in every spelling', async () => {
    for (const url of [
      'app://nstd/..%2fsecret.txt',
      'app://nstd/%2e%2e/secret.txt',
      'app://nstd/%2e%2e%2fsecret.txt',
      'app://nstd/assets/..%2f..%2fsecret.txt',
      'app://nstd/..%5csecret.txt',
      'app://nstd/assets%5c..%5c..%5csecret.txt',
      'app://nstd/..%2f..%2f..%2f..%2fetc%2fpasswd',
      'app://nstd/..%2frenderer-evil%2fsecret.txt',
      'app://nstd/index.html%00.js',
      'app://nstd/%E0%A4%A',
    ]) {
      const r = await get(url);
      expect(r.status, url).toBeGreaterThanOrEqual(400);
      expect(await r.text(), url).not.toContain(SECRET);
    }
    expect(resolveAppPath(root, 'app://nstd/..%2fsecret.txt')).toBeNull();
  });

  it('never serves a byte from outside the renderer folder, whatever the path', async () => {
    const segment = fc.oneof(
      fc.constantFrom('..', '.', '%2e%2e', '%2E%2e', '..%2f', '..%5c', '%2f', '%5c', '%00', 'secret.txt', 'renderer-evil', 'assets', '', '%'),
      fc.string({ maxLength: 6 }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(segment, { maxLength: 8 }), async (segs) => {
        let url: string;
        try {
          url = new URL(`app://nstd/${segs.join('/')}`).href;
        } catch {
          return;
        }
        const r = await get(url);
        const body = await r.text();
        expect(body).not.toContain(SECRET);
        const file = resolveAppPath(root, url);
        if (file !== null) expect(file === root || file.startsWith(root + path.sep)).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it('answers only its own host, only GET and HEAD', async () => {
    expect((await get('app://evil/index.html')).status).toBe(404);
    expect((await get('app://nstd/index.html', 'POST')).status).toBe(405);
    const head = await get('app://nstd/index.html', 'HEAD');
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    expect((await get('app://evil/index.html')).headers.get('content-security-policy')).toBe(APP_CSP);
  });

  it('says the renderer is not built when index.html is missing', async () => {
    const empty = tmpDir('nstd-protocol-empty-');
    const r = await createAppProtocolHandler(empty)(new Request('app://nstd/'));
    expect(r.status).toBe(500);
    expect(await r.text()).toMatch(/npm run build/);
  });
});
