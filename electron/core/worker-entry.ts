import path from 'node:path';
import fs from 'node:fs';
import { projectRoot } from './data-dir';
import { WorkbenchError } from './errors';

/** The built worker bundle (scripts/build.mjs writes dist/worker.js). */
export function workerEntry(): string {
  const p = process.env.NSTD_WORKER ?? path.join(projectRoot(), 'dist', 'worker.js');
  if (!fs.existsSync(p)) throw new WorkbenchError('E_UNAVAILABLE', `The worker bundle ${p} is missing. Run "npm run build".`);
  return p;
}
