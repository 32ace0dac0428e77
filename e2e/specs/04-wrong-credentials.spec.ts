/** Journey 4: wrong credentials → an error naming the registry and where the credential came from. */
import fs from 'node:fs';
import { expect, skipWhereHostMissing, test } from '../fixtures/app.js';
import {
  homeWithDockerLogins,
  pushImage,
  readTree,
  requireEngine,
  startRegistry,
  type TestRegistry,
} from '../fixtures/stack.js';
import { boxName, boxRow, go, launch, tid, TEST_ID, watchCrashes } from '../fixtures/ui.js';

skipWhereHostMissing();

const USER = 'qa-user';
const SECRET = `right-${Date.now().toString(36)}`;
const WRONG = `wrong-${Date.now().toString(36)}-pw`;
let registry: TestRegistry;
let image: string;

test.beforeAll(async () => {
  await requireEngine();
  registry = await startRegistry({ users: [{ username: USER, password: SECRET }] });
  image = (await pushImage(registry, 'acme/private-box:1')).ref;
});
test.afterAll(async () => {
  await registry?.stop();
});

test('a launch with a wrong docker login fails with a 401 naming the registry and ~/.docker/config.json', async ({
  openApp,
}) => {
  const userHome = homeWithDockerLogins({ [registry.host]: { username: USER, password: WRONG } });
  try {
    const app = await openApp({ userHome, env: { NODE_EXTRA_CA_CERTS: registry.caCert } });
    const page = app.page;
    const crashes = watchCrashes(page);

    const name = boxName('wrong-creds');
    await launch(page, image, { name });
    const banner = page.locator(tid(TEST_ID.errorBanner));
    await expect(banner).toBeVisible({ timeout: 60_000 });
    await expect(banner).toContainText(registry.host);
    await expect(banner).toContainText(/401|unauthori[sz]ed|rejected/i);
    await expect(banner).toContainText('config.json');
    await expect(banner).toContainText(USER);

    // The failed box says the same in its row; the password appears nowhere.
    await go(page, '/boxes');
    const row = boxRow(page, name);
    if (await row.count()) await expect(row).toHaveAttribute('data-state', 'failed');
    expect(await page.content()).not.toContain(WRONG);
    expect(app.logs()).not.toContain(WRONG);
    expect(readTree(app.home)).not.toContain(WRONG);
    expect(crashes).toEqual([]);
  } finally {
    fs.rmSync(userHome, { recursive: true, force: true });
  }
});
