import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const made: string[] = [];
// Each test file runs in its own process: remove its folders when that process ends.
process.on('exit', () => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary folder, removed when the test file's process exits. */
export function tmpDir(prefix = 'nstd-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}
