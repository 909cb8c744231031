#!/usr/bin/env node
// The `nstd` command: runs the bundle that `npm run build` (or `npm ci`, via prepare) writes.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  console.error(`nstd needs Node 22.12 or newer (Node 24 LTS recommended); this is ${process.versions.node}.`);
  process.exit(1);
}
const entry = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli.js');
if (!existsSync(entry)) {
  console.error(`nstd is not built (${entry} missing). Run "npm run build" in ${path.dirname(path.dirname(entry))}.`);
  process.exit(1);
}
await import(pathToFileURL(entry).href);
