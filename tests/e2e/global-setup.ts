import { execFileSync } from 'node:child_process';
import path from 'node:path';

/** The e2e suite drives the built app: build everything (core bundles and the renderer). */
export default function setup(): void {
  const root = path.resolve(import.meta.dirname, '..', '..');
  execFileSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { stdio: 'inherit', cwd: root });
}
