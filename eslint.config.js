import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      '.tmp/',
      'e2e/.artifacts/',
      'renderer/dist/',
      'daemon/',
      'playwright-report/',
      'test-results/',
      '.bench/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', window: 'readonly', document: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Layer rule: core code runs in plain Node and the CLI; only the Electron host may import electron.
    files: ['electron/**/*.ts', 'shared/**/*.ts'],
    ignores: ['electron/electron-main/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'electron', message: 'Only electron/electron-main/ may import electron.' }] },
      ],
    },
  },
  {
    // shared/ is contracts only: no Node built-ins, no DOM.
    files: ['shared/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['node:*', 'fs', 'path', 'os', 'electron', 'react'] }] },
  },
);
