/** Journey 1: first run with no Docker engine reachable → guidance, no crash. */
import fs from 'node:fs';
import path from 'node:path';
import { expect, skipWhereHostMissing, test } from '../fixtures/app.js';
import { go, tid, TEST_ID, watchCrashes } from '../fixtures/ui.js';

skipWhereHostMissing();

test('without an engine the app explains what to do and keeps working', async ({ openApp }) => {
  const dir = fs.mkdtempSync(path.join('/tmp', 'boxscope-dead-'));
  const dead = `unix://${dir}/docker.sock`;
  try {
    const app = await openApp({ env: { DOCKER_HOST: dead } });
    const page = app.page;
    const crashes = watchCrashes(page);

    await expect(page.getByText('No Docker engine found').first()).toBeVisible();
    await expect(page.getByText(`${dir}/docker.sock`).first()).toBeVisible();
    await expect(page.getByText(/DOCKER_HOST/).first()).toBeVisible();

    // The rest of the app still works: boxes explains, settings and traces open.
    await go(page, '/boxes');
    await expect(page.getByRole('alert').filter({ hasText: 'No Docker engine found' })).toBeVisible();
    await go(page, '/settings');
    await expect(page.locator(tid(TEST_ID.registrySettings))).toBeVisible();
    await go(page, '/traces');
    await expect(page.getByText(/no traces yet/i).first()).toBeVisible();
    await go(page, '/launch');
    await expect(page.locator(tid(TEST_ID.launchImage))).toBeVisible();

    expect(crashes).toEqual([]);
    expect(app.logs()).not.toMatch(/\n\s+at .+\.(js|ts|mjs):\d+/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
