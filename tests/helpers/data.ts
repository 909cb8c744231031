import fs from 'node:fs';
import path from 'node:path';
import { dataDir } from '../../electron/core/data-dir';

/**
 * Tests over ../shared/data (or NSTD_DATA). On a laptop without it they skip with a loud
 * notice; with CI=true a missing folder fails the run.
 */
export function sharedData(...parts: string[]): string | null {
  const p = path.join(dataDir(), ...parts);
  if (fs.existsSync(p)) return p;
  const msg = `shared data not found: ${p} (set NSTD_DATA)`;
  if (process.env.CI === 'true') throw new Error(`${msg} — required when CI=true`);
  console.warn(`\n!!! SKIPPING: ${msg}\n`);
  return null;
}

/** A Debian tool a test needs (suricata, tcpdump, chromium...): skip loudly, fail on CI. */
export function requireTool(cmd: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const p = path.join(dir, cmd);
    if (fs.existsSync(p)) return p;
  }
  const msg = `tool not installed: ${cmd}`;
  if (process.env.CI === 'true') throw new Error(`${msg} — required when CI=true (.ci/run installs it)`);
  console.warn(`\n!!! SKIPPING: ${msg}\n`);
  return null;
}
