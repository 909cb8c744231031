import { defineConfig } from 'vitest/config';

// Unit and integration tests run in Node. The end-to-end suite (tests/e2e) is driven by
// tests/e2e/run.mjs against a real `nstd serve`, so vitest leaves it out.
export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts', 'tests/integration/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    globalSetup: ['tests/global-setup.ts'],
  },
});
