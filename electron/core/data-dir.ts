import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function isOurPackage(dir: string): boolean {
  try {
    return (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string }).name === 'nstd-workbench';
  } catch {
    return false;
  }
}

/**
 * The project root: the folder holding our package.json, found from this file whether it runs
 * from source (electron/core), from the bundle (dist/) or from the packaged app (app.asar).
 */
export function projectRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (isOurPackage(dir)) return dir;
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return process.cwd();
}

/** The public datasets folder: NSTD_DATA, else ../shared/data beside the project root. */
export function dataDir(): string {
  const env = process.env.NSTD_DATA;
  return env ? path.resolve(env) : path.resolve(projectRoot(), '..', 'shared', 'data');
}

/** Where NSTD keeps per-user state (recent workspaces): NSTD_HOME, else ~/.config/nstd. */
export function userStateDir(): string {
  const env = process.env.NSTD_HOME;
  if (env) return path.resolve(env);
  const base = process.env.XDG_CONFIG_HOME ?? path.join(process.env.HOME ?? process.cwd(), '.config');
  return path.join(base, 'nstd');
}
