import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A fresh temporary folder removed after the test file (call in a test or beforeAll). */
export function tmpDir(prefix = 'nstd-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}
