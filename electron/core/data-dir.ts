import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The project root: the folder holding package.json, found from this file whether it runs
 * from source (electron/core) or from the bundle (dist/).
 */
export function projectRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'electron'))) return dir;
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
