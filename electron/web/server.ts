import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import type { AddressInfo } from 'node:net';
import type { Workbench } from '../core/workbench';
import { userStateDir } from '../core/data-dir';
import { APP_CSP } from '../../shared/csp';

const COOKIE = 'nstd_token';
const MAX_BODY = 16 * 1024 * 1024;
const ALLOWED_HOSTNAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
};

export interface ServeOptions {
  workbench: Workbench;
  /** Folder of the built renderer (dist/renderer). */
  staticDir: string;
  host?: string;
  port?: number;
  token?: string;
}

export interface RunningServer {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/** The host name part of a Host header or an origin's authority, IPv6 kept in brackets. */
export function hostName(authority: string): string {
  const a = authority.trim().toLowerCase();
  if (a.startsWith('[')) return a.slice(0, a.indexOf(']') + 1);
  const colon = a.lastIndexOf(':');
  return colon >= 0 ? a.slice(0, colon) : a;
}

function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return out;
}

function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && crypto.timingSafeEqual(ab, bb);
}

function send(res: http.ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
  res.end(body);
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new Error(`Request body larger than ${MAX_BODY} bytes.`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Browser mode: the built renderer plus the contract over HTTP (POST /api/call/<method>) and
 * events over server-sent events (GET /api/events). Every request needs the per-launch token
 * (query once, then an HttpOnly SameSite=Strict cookie, or a Bearer header); Host must name
 * this machine and a foreign Origin is refused (DNS rebinding, cross-site requests).
 */
export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const token = opts.token ?? crypto.randomBytes(24).toString('hex');
  const host = opts.host ?? '127.0.0.1';
  const wb = opts.workbench;
  const staticRoot = path.resolve(opts.staticDir);
  const sse = new Set<http.ServerResponse>();

  const offEvents = wb.onAny((event, payload) => {
    const frame = `event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`;
    for (const res of sse) res.write(frame);
  });

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, `Internal error: ${(err as Error).message}`);
      else res.end();
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const hostHeader = req.headers.host ?? '';
    if (!ALLOWED_HOSTNAMES.has(hostName(hostHeader)) && !(host !== '127.0.0.1' && hostName(hostHeader) === host.toLowerCase())) {
      send(res, 403, `Refused: Host "${hostHeader.slice(0, 100)}" is not this machine (use 127.0.0.1, localhost or [::1]).`);
      return;
    }
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== 'null') {
      let ok = false;
      try {
        const o = new URL(origin);
        ok = (o.protocol === 'http:' || o.protocol === 'https:') && o.host.toLowerCase() === hostHeader.toLowerCase();
      } catch {
        ok = false;
      }
      if (!ok) {
        send(res, 403, `Refused: cross-origin request from ${origin.slice(0, 100)}.`);
        return;
      }
    } else if (origin === 'null') {
      send(res, 403, 'Refused: opaque origin.');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const queryToken = url.searchParams.get('token');
    if (queryToken !== null && req.method === 'GET' && safeEqual(queryToken, token)) {
      // Exchange the launch token for a cookie and drop it from the address bar.
      url.searchParams.delete('token');
      res.writeHead(303, {
        'Set-Cookie': `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`,
        Location: url.pathname + (url.search || ''),
        'Cache-Control': 'no-store',
      });
      res.end();
      return;
    }
    const auth = req.headers.authorization;
    const bearer = auth?.startsWith('Bearer ') ? auth.slice(7) : undefined;
    const cookie = parseCookies(req.headers.cookie)[COOKIE];
    if (!((bearer && safeEqual(bearer, token)) || (cookie && safeEqual(cookie, token)))) {
      send(res, 401, 'Unauthorised: open the URL that `nstd serve` printed (it carries the launch token).');
      return;
    }

    if (url.pathname.startsWith('/api/call/') && req.method === 'POST') {
      const name = decodeURIComponent(url.pathname.slice('/api/call/'.length));
      let params: unknown;
      try {
        const body = await readBody(req);
        params = body === '' ? {} : (JSON.parse(body) as unknown);
      } catch (err) {
        send(res, 400, JSON.stringify({ ok: false, error: { code: 'E_INVALID', message: `Bad request body: ${(err as Error).message}` } }), 'application/json');
        return;
      }
      const envelope = await wb.call(name, params);
      send(res, 200, JSON.stringify(envelope), 'application/json');
      return;
    }
    if (url.pathname === '/api/events' && req.method === 'GET') {
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
      res.write(': connected\n\n');
      sse.add(res);
      const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
      req.on('close', () => {
        clearInterval(ping);
        sse.delete(res);
      });
      return;
    }
    if (url.pathname === '/api/upload' && req.method === 'POST') {
      // A file dropped on the page is streamed up here first; the contract then takes its path.
      const raw = url.searchParams.get('name') ?? 'upload';
      const safe = path.basename(raw).replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 120) || 'upload';
      const ws = wb.current;
      const dir = ws ? path.join(path.dirname(ws.path), `${path.basename(ws.path, '.nstd')}-uploads`) : path.join(userStateDir(), 'uploads');
      // One folder per upload keeps the original file name (the source's name in the workspace).
      fs.mkdirSync(dir, { recursive: true });
      const slot = fs.mkdtempSync(path.join(dir, `${Date.now()}-`));
      const dest = path.join(slot, safe);
      await pipeline(req, fs.createWriteStream(dest));
      send(res, 200, JSON.stringify({ ok: true, result: { path: dest } }), 'application/json');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, 'Method not allowed.');
      return;
    }
    serveStatic(url.pathname, res);
  }

  function serveStatic(pathname: string, res: http.ServerResponse): void {
    let rel: string;
    try {
      rel = decodeURIComponent(pathname);
    } catch {
      send(res, 400, 'Bad path.');
      return;
    }
    let file = path.resolve(staticRoot, '.' + (rel === '/' ? '/index.html' : rel));
    if (!file.startsWith(staticRoot + path.sep)) {
      send(res, 404, 'Not found.');
      return;
    }
    if (!fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      // Client-side routes fall back to the app.
      if (path.extname(rel) !== '') {
        send(res, 404, 'Not found.');
        return;
      }
      file = path.join(staticRoot, 'index.html');
      if (!fs.existsSync(file)) {
        send(res, 500, `The renderer is not built (${file} missing). Run "npm run build".`);
        return;
      }
    }
    res.writeHead(200, {
      'Content-Type': MIME[path.extname(file)] ?? 'application/octet-stream',
      'Content-Security-Policy': APP_CSP,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
    });
    fs.createReadStream(file).pipe(res);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}/?token=${token}`,
    port,
    token,
    async close() {
      offEvents();
      for (const res of sse) res.end();
      sse.clear();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
