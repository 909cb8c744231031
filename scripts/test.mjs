// `npm test`: build, lint, typecheck, unit + integration tests, then the end-to-end suite in
// Chromium. Every step runs; the exit code is non-zero when any failed.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const steps = [
  ['build', process.execPath, ['scripts/build.mjs']],
  ['lint', bin('eslint'), ['electron', 'shared', 'renderer/src', 'tests']],
  ['typecheck (tsc)', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']],
  ['typecheck (svelte-check)', bin('svelte-check'), ['--tsconfig', 'renderer/tsconfig.json', '--threshold', 'error']],
  ['electronegativity', process.execPath, ['scripts/electronegativity.mjs']],
  ['unit + integration', bin('vitest'), ['run']],
  ['end-to-end (Chromium)', bin('vitest'), ['run', '--config', 'vitest.e2e.config.ts']],
];
const only = process.argv.slice(2);
const results = [];
for (const [name, cmd, args] of steps) {
  if (only.length && !only.some((o) => name.startsWith(o))) continue;
  console.log(`\n=== ${name}`);
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  const ok = r.status === 0;
  results.push({ name, ok, seconds: (Date.now() - t0) / 1000 });
  console.log(`=== ${name}: ${ok ? 'ok' : `FAILED (exit ${r.status ?? r.signal})`} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
console.log('\nSummary');
for (const r of results) console.log(`  ${r.ok ? 'ok    ' : 'FAILED'} ${r.name} (${r.seconds.toFixed(1)} s)`);
const failed = results.filter((r) => !r.ok).length;
console.log(`steps: ${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
