/**
 * The QA journeys, one spec each under specs/, run twice: against browser
 * mode (`boxscope serve` + Debian's Chromium) and against the Electron app.
 * Where Electron's binary cannot run, the electron project's tests are
 * reported as skipped with the reason.
 */
import path from 'node:path';
import { defineConfig } from '@playwright/test';
import type { AppOptions } from './fixtures/app.js';

const here = import.meta.dirname;
const root = path.resolve(here, '..');

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export default defineConfig<AppOptions>({
  testDir: path.join(here, 'specs'),
  outputDir: path.join(here, '.artifacts', 'test-results'),
  globalSetup: path.join(here, 'global-setup.ts'),
  // One Docker engine, registries and /etc/hosts edits shared by every journey.
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  reporter: [
    ['list'],
    ['html', { open: 'never', outputFolder: path.join(root, 'playwright-report') }],
    ['json', { outputFile: path.join(here, '.artifacts', 'results.json') }],
  ],
  use: {
    actionTimeout: 15_000,
    // The app fixture records these itself so Electron windows get them too.
    trace: 'off',
    screenshot: 'off',
    launchOptions: { executablePath: process.env.BOXSCOPE_E2E_CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS },
  },
  projects: [
    { name: 'browser', use: { appKind: 'browser' } },
    { name: 'electron', use: { appKind: 'electron' } },
  ],
});
