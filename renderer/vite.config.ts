import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import path from 'node:path';

// The renderer is served by the app:// protocol (Electron) and by `nstd serve`: relative
// asset paths, everything bundled, nothing fetched from the network.
export default defineConfig({
  root: import.meta.dirname,
  base: './',
  plugins: [svelte()],
  resolve: { alias: { $shared: path.resolve(import.meta.dirname, '..', 'shared') } },
  build: {
    outDir: path.resolve(import.meta.dirname, '..', 'dist', 'renderer'),
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 2000,
  },
});
