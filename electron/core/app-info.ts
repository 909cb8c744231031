import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from './data-dir';

export function appVersion(): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(projectRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

let backend: Promise<string | null> | null = null;

/** The TensorFlow.js backend this process would use (picked once, lazily: loading tfjs costs). */
export function backendName(): Promise<string | null> {
  backend ??= import('./ml/backend')
    .then((m) => m.pickBackend())
    .then((c) => `${c.name}${c.name === 'wasm' ? (c.simd ? ' (SIMD)' : ' (no SIMD)') : ''}`)
    .catch(() => null);
  return backend;
}
