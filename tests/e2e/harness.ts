import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { requireTool } from '../helpers/data';
import { CHROMIUM_FLAGS, findChromium } from '../../electron/core/reports/pdf';
import { tmpDir } from '../helpers/tmp';

export const root = path.resolve(import.meta.dirname, '..', '..');
export const screenshotsDir = path.join(root, 'artifacts', 'screenshots');

export { CHROMIUM_FLAGS };

/** The browser the app itself would print with (CHROME_PATH or Debian's); null (a loud skip) off CI when missing. */
export function chromiumPath(): string | null {
  return findChromium() ?? requireTool('chromium');
}

export interface Served {
  url: string;
  token: string;
  port: number;
  origin: string;
  proc: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `nstd serve --json` (optionally on a workspace) and waits for its URL. */
export async function startServe(opts: { workspace?: string; env?: NodeJS.ProcessEnv; command?: 'serve' | 'demo' } = {}): Promise<Served> {
  const args = [path.join(root, 'bin', 'nstd.js'), opts.command ?? 'serve', '--json'];
  if (opts.workspace) args.push('--workspace', opts.workspace);
  const proc = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, NSTD_HOME: tmpDir('nstd-home-'), ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const rl = readline.createInterface({ input: proc.stdout! });
  const first = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`nstd ${opts.command ?? 'serve'} did not start in 120 s: ${stderr}`)), 120_000);
    rl.once('line', (l) => {
      clearTimeout(timer);
      resolve(l);
    });
    proc.once('exit', (code) => reject(new Error(`nstd serve exited (${code}): ${stderr}`)));
  });
  const info = JSON.parse(first) as { url: string; port: number; token: string };
  return {
    ...info,
    origin: `http://127.0.0.1:${info.port}`,
    proc,
    async stop() {
      if (proc.exitCode !== null) return;
      const gone = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(t);
    },
  };
}

export interface Session {
  served: Served;
  context: BrowserContext;
  page: Page;
  stop(): Promise<void>;
  screenshot(name: string): Promise<string>;
}

/** A server plus Chromium on its token URL, logged in. Null when Chromium is missing (off CI). */
export async function openApp(opts: { workspace?: string; colorScheme?: 'light' | 'dark'; command?: 'serve' | 'demo' } = {}): Promise<Session | null> {
  const exe = chromiumPath();
  if (!exe) return null;
  const served = await startServe({ ...(opts.workspace ? { workspace: opts.workspace } : {}), ...(opts.command ? { command: opts.command } : {}) });
  const userDataDir = tmpDir('nstd-chromium-');
  // A fresh user-data-dir per session: no state leaks between tests.
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: exe,
    args: [...CHROMIUM_FLAGS],
    headless: true,
    viewport: { width: 1400, height: 900 },
    colorScheme: opts.colorScheme ?? 'light',
  });
  console.log(`e2e: running in Chromium ${context.browser()?.version() ?? ''} (${exe})`);
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (err) => console.error(`page error: ${err.message}`));
  await page.goto(served.url);
  fs.mkdirSync(screenshotsDir, { recursive: true });
  return {
    served,
    context,
    page,
    async screenshot(name) {
      const file = path.join(screenshotsDir, `${name}.png`);
      await page.screenshot({ path: file, fullPage: false });
      return file;
    },
    async stop() {
      await context.close();
      await served.stop();
    },
  };
}
