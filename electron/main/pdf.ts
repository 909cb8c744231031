import fs from 'node:fs/promises';
import path from 'node:path';
import crypto from 'node:crypto';
import { BrowserWindow, session } from 'electron';
import type { PdfOptions, PdfPrinter } from '../core/reports/pdf';
import { installSessionGuards } from './guards';
import { APP_SCHEME } from './channels';

/** The report is self-contained HTML: inline styles and SVG, no script, nothing fetched. */
export const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; base-uri 'none'; form-action 'none'";
export const REPORT_URL = `${APP_SCHEME}://report/report.html`;

/**
 * Prints a report's HTML to PDF with the app's own Chromium (webContents.printToPDF), the one way
 * the desktop app makes a PDF. The page is shown in a hidden window with JavaScript off, in a
 * throw-away session whose app:// serves that one file and nothing else. main.ts registers it
 * with the report service (setHostPdfPrinter).
 */
export class ElectronPdfPrinter implements PdfPrinter {
  readonly name = `Electron printToPDF (Chromium ${process.versions.chrome ?? 'unknown'})`;

  async print(htmlPath: string, pdfPath: string, opts: PdfOptions = {}): Promise<{ bytes: number }> {
    const { signal } = opts;
    signal?.throwIfAborted();
    const html = await fs.readFile(htmlPath);
    // A partition without `persist:` lives in memory and is dropped with the window.
    const ses = session.fromPartition(`nstd-pdf-${crypto.randomUUID()}`, { cache: false });
    installSessionGuards(ses);
    ses.protocol.handle(APP_SCHEME, (request) =>
      request.url === REPORT_URL
        ? new Response(new Uint8Array(html), { headers: { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': REPORT_CSP } })
        : new Response('Not found.', { status: 404 }),
    );
    const win = new BrowserWindow({
      show: false,
      webPreferences: {
        session: ses,
        javascript: false,
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        webviewTag: false,
        spellcheck: false,
        // Middle-click would open links in new windows; the open handler denies them, this stops the click.
        disableBlinkFeatures: 'Auxclick',
      },
    });
    // Cancelling closes the window, which ends a load or print in progress.
    const onAbort = (): void => win.destroy();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await win.loadURL(REPORT_URL);
      signal?.throwIfAborted();
      const pdf = await win.webContents.printToPDF({
        printBackground: true,
        pageSize: 'A4',
        preferCSSPageSize: true,
        generateDocumentOutline: true,
        generateTaggedPDF: true,
      });
      signal?.throwIfAborted();
      // Written beside the target then renamed: a crash never leaves half a PDF under its name.
      const tmp = path.join(path.dirname(pdfPath), `.${path.basename(pdfPath)}.${process.pid}.tmp`);
      try {
        await fs.writeFile(tmp, pdf);
        await fs.rename(tmp, pdfPath);
      } catch (err) {
        await fs.rm(tmp, { force: true });
        throw err;
      }
      return { bytes: pdf.length };
    } finally {
      signal?.removeEventListener('abort', onAbort);
      if (!win.isDestroyed()) win.destroy();
      ses.protocol.unhandle(APP_SCHEME);
    }
  }
}
