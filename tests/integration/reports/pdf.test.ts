/** The headless-Chromium PdfPrinter: prints, fetches nothing, runs no script, stops on cancel. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { tmpDir } from '../../helpers/tmp';
import { requireTool } from '../../helpers/data';
import { ChromiumPdfPrinter } from '../../../electron/core/reports/pdf';

let dir: string;
let server: http.Server;
let port = 0;
const hits: string[] = [];

beforeAll(async () => {
  dir = tmpDir('nstd-pdf-');
  server = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    res.end('x');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  fs.rmSync(dir, { recursive: true, force: true });
  await new Promise<void>((r) => server.close(() => r()));
});

describe('ChromiumPdfPrinter', () => {
  it('prints the page text, with scripts off and no request leaving the page', async () => {
    const exe = requireTool('chromium');
    if (!exe || !requireTool('pdftotext')) return;
    const html = path.join(dir, 'page.html');
    // No CSP here on purpose: the printer itself must refuse the network and not run scripts.
    fs.writeFileSync(
      html,
      `<!DOCTYPE html><html><head><meta charset="utf-8"><link rel="stylesheet" href="http://127.0.0.1:${port}/css"></head><body>
       <h1>Printed by Chromium</h1><p id="p">static text</p>
       <img src="http://127.0.0.1:${port}/img"><iframe src="http://127.0.0.1:${port}/frame"></iframe>
       <script>document.getElementById('p').textContent = 'SCRIPT RAN'; fetch('http://127.0.0.1:${port}/fetch');</script>
       </body></html>`,
    );
    const out = path.join(dir, 'page.pdf');
    const { bytes } = await new ChromiumPdfPrinter(exe).print(html, out);
    expect(fs.statSync(out).size).toBe(bytes);
    const text = execFileSync('pdftotext', [out, '-'], { encoding: 'utf8' });
    expect(text).toContain('Printed by Chromium');
    expect(text).toContain('static text');
    expect(text).not.toContain('SCRIPT RAN');
    expect(hits).toEqual([]);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('a cancelled print stops and writes nothing', async () => {
    const exe = requireTool('chromium');
    if (!exe) return;
    const html = path.join(dir, 'big.html');
    fs.writeFileSync(html, `<!DOCTYPE html><html><body>${'<p>row</p>'.repeat(5000)}</body></html>`);
    const out = path.join(dir, 'cancelled.pdf');
    const ac = new AbortController();
    ac.abort();
    await expect(new ChromiumPdfPrinter(exe).print(html, out, { signal: ac.signal })).rejects.toMatchObject({ code: 'E_CANCELLED' });
    expect(fs.existsSync(out)).toBe(false);
  });

  it('says what went wrong when the browser does not start', async () => {
    const notBrowser = path.join(dir, 'not-a-browser');
    fs.writeFileSync(notBrowser, '#!/bin/sh\nexit 3\n', { mode: 0o755 });
    await expect(new ChromiumPdfPrinter(notBrowser).print(path.join(dir, 'x.html'), path.join(dir, 'x.pdf'))).rejects.toThrow(
      /Cannot make a PDF: Chromium \(.*not-a-browser\) did not start/,
    );
  });
});
