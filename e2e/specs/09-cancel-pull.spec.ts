/** Journey 9: cancel a pull in progress (a large multi-layer image behind a throttled link). */
import fs from 'node:fs';
import { expect, skipWhereHostMissing, test } from '../fixtures/app.js';
import {
  docker,
  homeWithDockerLogins,
  pushImage,
  requireEngine,
  startRegistry,
  throttle,
  type TestRegistry,
  type ThrottledRegistry,
} from '../fixtures/stack.js';
import { boxName, boxRow, go, launch, tid, TEST_ID, watchCrashes } from '../fixtures/ui.js';

skipWhereHostMissing();

const USER = 'qa-user';
const SECRET = `pull-${Date.now().toString(36)}`;
let registry: TestRegistry;
let slow: ThrottledRegistry;
let image: string;

test.beforeAll(async () => {
  await requireEngine();
  registry = await startRegistry({ users: [{ username: USER, password: SECRET }] });
  // 4 × 6 MiB of random bytes at 1 MiB/s: about half a minute of pulling unless cancelled.
  const pushed = await pushImage(registry, 'acme/large-box:1', { layers: 4, layerBytes: 6 * 1024 * 1024 });
  slow = await throttle(registry, 1024 * 1024);
  image = pushed.ref.replace(registry.host, slow.host);
});
test.afterAll(async () => {
  await slow?.stop();
  await registry?.stop();
});

test('a pull in progress can be cancelled and leaves no box running', async ({ openApp }) => {
  const userHome = homeWithDockerLogins({ [slow.host]: { username: USER, password: SECRET } });
  try {
    const app = await openApp({ userHome, env: { NODE_EXTRA_CA_CERTS: registry.caCert } });
    const page = app.page;
    const crashes = watchCrashes(page);
    const name = boxName('cancel');
    await launch(page, image, { name });
    await go(page, '/boxes');
    const row = boxRow(page, name);
    await expect(row).toHaveAttribute('data-state', 'pulling', { timeout: 30_000 });
    const progress = row.locator(tid(TEST_ID.pullProgress));
    await expect(progress).toBeVisible();
    // Wait for real bytes, so the cancel interrupts a transfer rather than the start of one.
    await expect
      .poll(async () => Number(await progress.getAttribute('aria-valuenow')), { timeout: 30_000 })
      .toBeGreaterThan(0);
    await progress.getByRole('button', { name: 'Cancel' }).click();

    const banner = page.locator(tid(TEST_ID.errorBanner));
    await expect(banner).toContainText(/cancel/i, { timeout: 30_000 });
    if (await row.count()) await expect(row).toHaveAttribute('data-state', /^(failed|removed)$/);
    const running = await docker.listContainers({ filters: { label: [`boxlite.box.name=${name}`] } });
    expect(running).toEqual([]);
    expect(crashes).toEqual([]);
  } finally {
    fs.rmSync(userHome, { recursive: true, force: true });
  }
});
