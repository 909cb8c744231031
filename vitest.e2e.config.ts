import { defineConfig } from 'vitest/config';

// End-to-end: real `nstd serve` + Debian Chromium through playwright-core. One file at a time:
// each launches a browser and a server, and the machine has two cores.
export default defineConfig({
  test: {
    include: ['tests/e2e/**/*.test.ts'],
    environment: 'node',
    testTimeout: 180_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    globalSetup: ['tests/e2e/global-setup.ts'],
  },
});
