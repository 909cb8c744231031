import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { PdfPrinter } from '../../../electron/core/reports/pdf';
import { tmpDir } from '../../helpers/tmp';
import { BrowserWindow, createdSessions } from './fake-electron';

vi.mock('electron', () => import('./fake-electron'));

const { ElectronPdfPrinter, REPORT_CSP, REPORT_URL } = await import('../../../electron/main/pdf');

describe('ElectronPdfPrinter (webContents.printToPDF)', () => {
  const dir = tmpDir('nstd-pdf-');
  const html = path.join(dir, 'report.html');
  fs.writeFileSync(html, '<!doctype html><title>Case 42</title><svg><rect/></svg>');

  it('prints the report in a hidden, script-less window of a throw-away session', async () => {
    const out = path.join(dir, 'report.pdf');
    const r = await new ElectronPdfPrinter().print(html, out);
    const ses = createdSessions.at(-1)!;
    expect(ses.partition).toMatch(/^nstd-pdf-/);
    expect(ses.protocol.history.map(([scheme]) => scheme)).toEqual(['app']);
    const handler = ses.protocol.history[0]![1];
    const served = await Promise.all(
      [REPORT_URL, 'app://report/other.html', 'app://nstd/index.html'].map(async (url) => {
        const res = await handler(new Request(url));
        return { url, status: res.status, type: res.headers.get('content-type'), csp: res.headers.get('content-security-policy'), body: await res.text() };
      }),
    );

    expect(served[0]).toMatchObject({ status: 200, type: 'text/html; charset=utf-8', csp: REPORT_CSP, body: fs.readFileSync(html, 'utf8') });
    expect(served.slice(1).map((s) => s.status)).toEqual([404, 404]);
    expect(REPORT_CSP).toMatch(/default-src 'none'/);
    expect(REPORT_CSP).not.toMatch(/script-src/);

    expect(BrowserWindow.instances).toHaveLength(1);
    const win = BrowserWindow.instances[0]!;
    expect(win.options).toMatchObject({ show: false, webPreferences: { javascript: false, sandbox: true, contextIsolation: true, nodeIntegration: false } });
    expect(win.loadedUrl).toBe(REPORT_URL);
    expect(win.webContents.printToPDFOptions).toMatchObject({ printBackground: true, pageSize: 'A4' });
    expect(fs.readFileSync(out, 'utf8')).toBe('%PDF-1.7 fake\n');
    expect(r.bytes).toBe(14);
    // Cleaned up: window gone, the session's handler removed, permissions denied there too.
    expect(win.destroyed).toBe(true);
    expect(ses.protocol.handlers.size).toBe(0);
    expect(ses.permissionCheck).not.toBeNull();
  });

  it('leaves no file and no window behind when printing fails', async () => {
    const out = path.join(dir, 'failed.pdf');
    const printer = new ElectronPdfPrinter();
    const origPrint = BrowserWindow.prototype.loadURL;
    BrowserWindow.prototype.loadURL = async function (this: BrowserWindow, url: string) {
      this.webContents.printToPDFImpl = async () => {
        throw new Error('Printing failed');
      };
      return origPrint.call(this, url);
    };
    try {
      await expect(printer.print(html, out)).rejects.toThrow('Printing failed');
    } finally {
      BrowserWindow.prototype.loadURL = origPrint;
    }
    expect(fs.existsSync(out)).toBe(false);
    expect(BrowserWindow.instances.at(-1)!.destroyed).toBe(true);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('is the PdfPrinter the report service prints with, and stops when cancelled', async () => {
    const printer: PdfPrinter = new ElectronPdfPrinter();
    expect(printer.name).toMatch(/^Electron printToPDF/);
    const out = path.join(dir, 'cancelled.pdf');
    const before = BrowserWindow.instances.length;
    await expect(printer.print(html, out, { signal: AbortSignal.abort() })).rejects.toThrow(/abort/i);
    expect(BrowserWindow.instances.length).toBe(before);
    // Cancelled while printing: the window is closed and nothing is written.
    const controller = new AbortController();
    const origPrint = BrowserWindow.prototype.loadURL;
    BrowserWindow.prototype.loadURL = async function (this: BrowserWindow, url: string) {
      this.webContents.printToPDFImpl = async () => {
        controller.abort();
        return Buffer.from('%PDF-1.7 late\n');
      };
      return origPrint.call(this, url);
    };
    try {
      await expect(printer.print(html, out, { signal: controller.signal })).rejects.toThrow(/abort/i);
    } finally {
      BrowserWindow.prototype.loadURL = origPrint;
    }
    expect(BrowserWindow.instances.at(-1)!.destroyed).toBe(true);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('says which file is missing', async () => {
    await expect(new ElectronPdfPrinter().print(path.join(dir, 'nope.html'), path.join(dir, 'x.pdf'))).rejects.toThrow(/nope\.html/);
  });
});
