/**
 * PDF = the HTML report printed by Chromium, the one way to make a PDF. The CLI and browser
 * mode print with headless Chromium (playwright-core driving /usr/bin/chromium or CHROME_PATH);
 * the Electron app prints with its own Chromium (webContents.printToPDF) by registering its
 * PdfPrinter with setHostPdfPrinter() in electron/main.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { WorkbenchError } from '../errors';

export interface PdfOptions {
  signal?: AbortSignal;
}

/**
 * Prints one self-contained HTML file to a PDF file (A4, backgrounds, the page's print styles),
 * with scripts and network off: the report needs neither. Implementations write `pdfPath`
 * whole or not at all. electron/main's ElectronPdfPrinter (webContents.printToPDF) has this
 * shape; register it with setHostPdfPrinter() when the app starts.
 */
export interface PdfPrinter {
  /** Shown in logs and errors, e.g. "headless Chromium /usr/bin/chromium". */
  readonly name?: string;
  print(htmlPath: string, pdfPath: string, opts?: PdfOptions): Promise<{ bytes: number }>;
}

let hostPrinter: PdfPrinter | null = null;

/** The Electron shell registers its printToPDF printer here; the report service then prints with it. */
export function setHostPdfPrinter(p: PdfPrinter | null): void {
  hostPrinter = p;
}

export function hostPdfPrinter(): PdfPrinter | null {
  return hostPrinter;
}

/** The flags every headless Chromium we start gets (no network side channels, no profile reuse). */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
] as const;

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

/** CHROME_PATH when set (and it must exist), else the first Chromium found in the usual places. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.CHROME_PATH) return fs.existsSync(env.CHROME_PATH) ? env.CHROME_PATH : null;
  return CANDIDATES.find((p) => fs.existsSync(p)) ?? null;
}

export function noChromiumError(env: NodeJS.ProcessEnv = process.env): WorkbenchError {
  const where = env.CHROME_PATH ? `CHROME_PATH=${env.CHROME_PATH} does not exist` : `none of ${CANDIDATES.join(', ')} exists`;
  return new WorkbenchError(
    'E_UNAVAILABLE',
    `Cannot make a PDF: no Chromium browser found (${where}). Install one (Debian: apt-get install chromium) or set CHROME_PATH to its executable — or export HTML and print it from any browser.`,
  );
}

/** Headless Chromium through playwright-core: a fresh profile per print, JavaScript and network off. */
export class ChromiumPdfPrinter implements PdfPrinter {
  readonly name: string;
  constructor(private readonly executable: string) {
    this.name = `headless Chromium ${executable}`;
  }

  static find(env: NodeJS.ProcessEnv = process.env): ChromiumPdfPrinter {
    const exe = findChromium(env);
    if (!exe) throw noChromiumError(env);
    return new ChromiumPdfPrinter(exe);
  }

  async print(htmlPath: string, pdfPath: string, opts: PdfOptions = {}): Promise<{ bytes: number }> {
    if (opts.signal?.aborted) throw new WorkbenchError('E_CANCELLED', 'Report cancelled.');
    let chromium: typeof import('playwright-core').chromium;
    try {
      ({ chromium } = await import('playwright-core'));
    } catch (err) {
      throw new WorkbenchError('E_UNAVAILABLE', `Cannot make a PDF: the playwright-core package is missing (${(err as Error).message}). Reinstall NSTD Workbench (npm ci).`);
    }
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'nstd-pdf-profile-'));
    const fileUrl = pathToFileURL(path.resolve(htmlPath)).href;
    let context: Awaited<ReturnType<typeof chromium.launchPersistentContext>> | null = null;
    const onAbort = (): void => void context?.close().catch(() => undefined);
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      try {
        context = await chromium.launchPersistentContext(profile, {
          executablePath: this.executable,
          headless: true,
          args: [...CHROMIUM_FLAGS],
          javaScriptEnabled: false,
          offline: true,
          timeout: 60_000,
        });
      } catch (err) {
        throw new WorkbenchError('E_UNAVAILABLE', `Cannot make a PDF: Chromium (${this.executable}) did not start: ${(err as Error).message.split('\n')[0]}`);
      }
      // The report is one file; anything else it might name is refused.
      await context.route((u) => u.href !== fileUrl, (route) => route.abort());
      const page = context.pages()[0] ?? (await context.newPage());
      await page.goto(fileUrl, { waitUntil: 'load', timeout: 120_000 });
      if (opts.signal?.aborted) throw new WorkbenchError('E_CANCELLED', 'Report cancelled.');
      const pdf = await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true, outline: true, tagged: true });
      const tmp = `${pdfPath}.${process.pid}.tmp`;
      try {
        fs.writeFileSync(tmp, pdf);
        fs.renameSync(tmp, pdfPath);
      } catch (err) {
        fs.rmSync(tmp, { force: true });
        throw err;
      }
      return { bytes: pdf.byteLength };
    } catch (err) {
      if (opts.signal?.aborted) throw new WorkbenchError('E_CANCELLED', 'Report cancelled.');
      throw err;
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
      await context?.close().catch(() => undefined);
      fs.rmSync(profile, { recursive: true, force: true });
    }
  }
}
