import { execFileSync } from 'node:child_process';
import path from 'node:path';

/** Jobs run in the built worker (dist/worker.js), as in the app: build the core bundles first. */
export default function setup(): void {
  const root = path.resolve(import.meta.dirname, '..');
  execFileSync(process.execPath, [path.join(root, 'scripts', 'build.mjs'), '--core'], { stdio: 'inherit', cwd: root });
}
