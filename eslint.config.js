import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import zones from './eslint.layers.js';

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
    // Layer rules (eslint.layers.js): which folder may import which; a resolver maps `x.js` imports to `x.ts`.
    files: ['shared/**/*.ts', 'renderer/src/**/*.{ts,tsx}', 'electron/**/*.ts'],
    // Tests may reach across layers (a server test drives the renderer's client against a real core).
    ignores: ['**/*.test.ts', '**/*.test.tsx', 'electron/test/**'],
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })] },
    rules: { 'import-x/no-restricted-paths': ['error', { zones }] },
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
