// Builds everything the hosts run: the CLI + worker bundles (esbuild), the Electron main and
// preload bundles (when their sources exist) and the renderer (Vite). `--core` skips the
// renderer (tests' global setup uses it: a second or two).
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const coreOnly = process.argv.includes('--core');
const dist = path.join(root, 'dist');
const external = ['better-sqlite3', '@tensorflow/*', 'electron', 'playwright-core', 'fsevents'];
// Bundled CommonJS dependencies call require(); give the ESM bundle one.
const banner = { js: "import { createRequire as __nstdCreateRequire } from 'node:module'; const require = __nstdCreateRequire(import.meta.url);" };

const t0 = Date.now();
const core = await build({
  absWorkingDir: root,
  entryPoints: { cli: 'electron/cli/main.ts', worker: 'electron/worker.ts' },
  outdir: dist,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  sourcemap: 'linked',
  external,
  banner,
  chunkNames: 'chunks/[name]-[hash]',
  metafile: true,
  logLevel: 'warning',
});
// Chunk names carry content hashes: drop the ones this build did not write, so packages carry no
// stale bundles (after writing, so a worker started meanwhile still finds its chunks).
const written = new Set(Object.keys(core.metafile.outputs).map((f) => path.resolve(root, f)));
const chunksDir = path.join(dist, 'chunks');
for (const f of fs.existsSync(chunksDir) ? fs.readdirSync(chunksDir) : []) {
  const full = path.join(chunksDir, f);
  if (!written.has(full)) fs.rmSync(full, { force: true });
}

if (fs.existsSync(path.join(root, 'electron/main/main.ts'))) {
  await build({
    absWorkingDir: root,
    entryPoints: { main: 'electron/main/main.ts' },
    outdir: path.join(dist, 'main'),
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    sourcemap: 'linked',
    external,
    banner,
    logLevel: 'warning',
  });
}
if (fs.existsSync(path.join(root, 'electron/preload/preload.ts'))) {
  // Sandboxed preloads cannot load modules: one CommonJS file with everything inlined.
  await build({
    absWorkingDir: root,
    entryPoints: ['electron/preload/preload.ts'],
    outfile: path.join(dist, 'preload', 'preload.cjs'),
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node22',
    external: ['electron'],
    // It inlines zod and every contract schema: minified, it loads faster in each window.
    minify: true,
    logLevel: 'warning',
  });
}
const tCore = Date.now();

if (!coreOnly) {
  const { build: viteBuild } = await import('vite');
  await viteBuild({ configFile: path.join(root, 'renderer', 'vite.config.ts'), logLevel: 'warn' });
}
console.log(`built dist/ in ${((Date.now() - t0) / 1000).toFixed(1)} s (core ${((tCore - t0) / 1000).toFixed(1)} s${coreOnly ? ', renderer skipped' : ''})`);
