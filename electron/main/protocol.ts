import fs from 'node:fs/promises';
import path from 'node:path';
import { APP_HOST, APP_SCHEME } from './channels';
import { APP_CSP } from '../../shared/csp';

/**
 * The app:// protocol: serves the built renderer (dist/renderer) to the window, so the app never
 * loads file:// pages. Plain Node (request in, Response out): electron only registers it.
 */

export { APP_CSP };

/**
 * Privileges for `protocol.registerSchemesAsPrivileged` (before app ready). `standard` gives the
 * scheme an origin and relative URLs, `secure` a secure context, and `corsEnabled` lets Vite's
 * `<script type="module" crossorigin>` load; CSP is never bypassed.
 */
export const APP_SCHEME_PRIVILEGES = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, codeCache: true },
} as const;

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
};

export function mimeType(file: string): string {
  return MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

function plain(status: number, text: string): Response {
  return new Response(text, {
    status,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Security-Policy': APP_CSP, 'X-Content-Type-Options': 'nosniff' },
  });
}

/**
 * Maps an app:// URL to a file under `root`, or null when the URL is not ours or would leave
 * `root` (`..`, encoded `%2e%2e` or `%2f`, backslashes, NUL). Extension-less paths are the
 * renderer's own routes and fall back to index.html in the handler.
 */
export function resolveAppPath(root: string, url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST) return null;
  let rel: string;
  try {
    rel = decodeURIComponent(u.pathname);
  } catch {
    return null;
  }
  if (rel.includes('\0') || rel.includes('\\')) return null;
  if (rel.split('/').some((seg) => seg === '..')) return null;
  const base = path.resolve(root);
  const file = path.resolve(base, '.' + (rel === '/' || rel === '' ? '/index.html' : rel));
  if (file !== base && !file.startsWith(base + path.sep)) return null;
  return file;
}

async function isFile(p: string): Promise<boolean> {
  try {
    return (await fs.stat(p)).isFile();
  } catch {
    return false;
  }
}

/** The handler `protocol.handle('app', …)` runs for every request of the window. */
export function createAppProtocolHandler(root: string): (request: Request) => Promise<Response> {
  const base = path.resolve(root);
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return plain(405, 'Method not allowed.');
    let file = resolveAppPath(base, request.url);
    if (!file) return plain(404, 'Not found.');
    if (!(await isFile(file))) {
      // The renderer's client-side routes (no extension) load the app; a missing asset is a 404.
      const index = path.join(base, 'index.html');
      if (path.extname(file) !== '' && file !== index) return plain(404, 'Not found.');
      file = index;
      if (!(await isFile(file))) return plain(500, `The renderer is not built (${file} is missing). Run "npm run build".`);
    }
    const body = request.method === 'HEAD' ? null : new Uint8Array(await fs.readFile(file));
    return new Response(body, {
      status: 200,
      headers: {
        'Content-Type': mimeType(file),
        'Content-Security-Policy': APP_CSP,
        'X-Content-Type-Options': 'nosniff',
        'Referrer-Policy': 'no-referrer',
        'Cross-Origin-Opener-Policy': 'same-origin',
        'Cross-Origin-Resource-Policy': 'same-origin',
        'Cache-Control': 'no-cache',
      },
    });
  };
}
