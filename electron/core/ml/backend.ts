import path from 'node:path';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

export interface BackendChoice {
  name: BackendName;
  /** Why this one: what was tried and failed before it. */
  notes: string[];
  simd: boolean | null;
}

let chosen: Promise<BackendChoice> | null = null;

const requireFromHere = createRequire(import.meta.url);

/** The folder holding tfjs-backend-wasm's .wasm files, resolved on disk (never fetched). */
export function wasmDir(): string {
  const override = process.env.NSTD_WASM_DIR;
  if (override) return path.resolve(override) + path.sep;
  const pkg = requireFromHere.resolve('@tensorflow/tfjs-backend-wasm/package.json');
  return path.join(path.dirname(pkg), 'dist') + path.sep;
}

/**
 * Picks the TensorFlow.js backend once per process: tfjs-node when it loads, else wasm (SIMD when
 * the runtime has it), else cpu. `TF_BACKEND=tensorflow|wasm|cpu` forces one.
 */
export function pickBackend(): Promise<BackendChoice> {
  chosen ??= choose();
  return chosen;
}

async function choose(): Promise<BackendChoice> {
  const forced = process.env.TF_BACKEND as BackendName | undefined;
  if (forced && !['tensorflow', 'wasm', 'cpu'].includes(forced)) {
    throw new Error(`TF_BACKEND=${forced} is not one of tensorflow, wasm, cpu.`);
  }
  const notes: string[] = [];
  const order: BackendName[] = forced ? [forced] : ['tensorflow', 'wasm', 'cpu'];
  for (const name of order) {
    try {
      if (name === 'tensorflow') {
        // Optional dependency: absent on machines that cannot download libtensorflow.
        const modName = '@tensorflow/tfjs-node';
        await import(/* @vite-ignore */ modName);
      } else if (name === 'wasm') {
        const wasm = await import('@tensorflow/tfjs-backend-wasm');
        wasm.setWasmPaths(wasmDir());
        // Threads are not forced: the threaded build needs cross-origin isolation and workers.
        wasm.setThreadsCount?.(1);
      }
      if (await tf.setBackend(name)) {
        await tf.ready();
        let simd: boolean | null = null;
        if (name === 'wasm') simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
        return { name, notes, simd };
      }
      notes.push(`${name}: setBackend returned false`);
    } catch (err) {
      const missing = (err as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND';
      notes.push(missing ? `${name}: @tensorflow/tfjs-node is not installed (optional)` : `${name}: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  throw new Error(`No TensorFlow.js backend could start: ${notes.join('; ')}`);
}

export { tf };
