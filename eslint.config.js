import tseslint from 'typescript-eslint';

// Boundaries of the design: shared/ runs everywhere (no Node or DOM), electron/core never
// imports electron, the renderer reaches only shared/ and itself.
const nodeBuiltinNames = ['fs', 'path', 'os', 'child_process', 'crypto', 'http', 'net', 'stream', 'util', 'zlib', 'worker_threads', 'events', 'url', 'module', 'readline'];
const builtinPaths = (message) => nodeBuiltinNames.map((name) => ({ name, message }));

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'artifacts/**', 'renderer/**/*.svelte', 'resources/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: builtinPaths('shared/ runs in every host: no Node-only imports.'),
        patterns: [{ group: ['node:*', 'better-sqlite3', 'electron', '@tensorflow/*', '**/electron/**', '**/renderer/**'], message: 'shared/ runs in every host: no Node-only, DOM-only or host imports.' }],
      }],
      'no-restricted-globals': ['error', 'window', 'document', 'process', 'Buffer', 'require'],
    },
  },
  {
    files: ['electron/core/**/*.ts', 'electron/cli/**/*.ts', 'electron/web/**/*.ts', 'electron/worker.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'The core is plain Node: only electron/main and electron/preload import electron.' }] }],
    },
  },
  {
    files: ['renderer/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: builtinPaths('The renderer imports only shared/ and itself.'),
        patterns: [{ group: ['node:*', 'electron', 'better-sqlite3', '**/electron/**'], message: 'The renderer imports only shared/ and itself.' }],
      }],
    },
  },
  {
    files: ['tests/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
