/** Journey 2: add registry credentials in settings and test them: good, bad, and a token without the pull scope. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, skipWhereHostMissing, test } from '../fixtures/app.js';
import {
  caBundle,
  startRegistry,
  startScopeRegistry,
  type ScopeRegistry,
  type TestRegistry,
} from '../fixtures/stack.js';
import { go, tid, TEST_ID, watchCrashes } from '../fixtures/ui.js';

skipWhereHostMissing();

const USER = 'qa-user';
const SECRET = `e2e-secret-${Date.now().toString(36)}-Zq9`;
let registry: TestRegistry;
let scoped: ScopeRegistry;
let dir: string;

test.beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'boxscope-e2e-reg-'));
  registry = await startRegistry({ users: [{ username: USER, password: SECRET }] });
  scoped = await startScopeRegistry({ username: USER, password: SECRET });
});
test.afterAll(async () => {
  await registry?.stop();
  await scoped?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('credentials are saved, tested (ok, 401, 403) and removed without the secret ever showing', async ({
  openApp,
}) => {
  const app = await openApp({ env: { NODE_EXTRA_CA_CERTS: caBundle(dir, [registry.caCert, scoped.caCert]) } });
  const page = app.page;
  const crashes = watchCrashes(page);
  await go(page, '/settings');
  const settings = page.locator(tid(TEST_ID.registrySettings));
  await expect(settings).toBeVisible();
  await expect(settings.getByText('No credentials')).toBeVisible();

  const form = settings.locator('form');
  const fill = async (key: string, user: string, secret: string) => {
    await form.getByLabel('Registry').fill(key);
    await form.getByLabel('Username').fill(user);
    await form.getByLabel('Password or token').fill(secret);
  };
  const formResult = form.getByRole('status');

  // Good credentials, tested before saving.
  await fill(registry.host, USER, SECRET);
  await form.getByRole('button', { name: 'Test' }).click();
  await expect(formResult).toContainText('OK');
  await expect(formResult).toContainText(registry.host);

  // Wrong password: a 401 that names the registry.
  await form.getByLabel('Password or token').fill('not-the-password');
  await form.getByRole('button', { name: 'Test' }).click();
  await expect(formResult).toContainText('unauthorized');
  await expect(formResult).toContainText(`401 Unauthorized from ${registry.host}`);

  // Right user and password, but the token lacks the pull scope: a 403 that says so.
  await fill(scoped.host, USER, SECRET);
  await form.getByRole('button', { name: 'Test' }).click();
  await expect(formResult).toContainText('forbidden');
  await expect(formResult).toContainText(`403 Forbidden from ${scoped.host}`);
  await expect(formResult).toContainText(/scope/);

  // Save the good one (this clean HOME has no keychain: the app asks before using the plaintext store).
  await fill(registry.host, USER, SECRET);
  const accept = form.getByLabel('Save anyway in the insecure store');
  if (await accept.isVisible()) await accept.check();
  await form.getByRole('button', { name: 'Save' }).click();
  const row = settings.locator(`tr[data-cred-key="${registry.host}"]`);
  await expect(row).toBeVisible();
  await expect(row).toHaveAttribute('data-source', 'app');
  await expect(row).toContainText(USER);
  await expect(form.getByLabel('Password or token')).toHaveValue('');

  // Testing the saved credential uses what the core stored.
  await row.getByRole('button', { name: 'Test' }).click();
  await expect(row.getByRole('status')).toContainText('OK');

  // The secret is nowhere in the page, the app's log or its data dir's readable files.
  expect(await page.content()).not.toContain(SECRET);
  expect(app.logs()).not.toContain(SECRET);

  await row.getByRole('button', { name: 'Remove' }).click();
  await expect(row).toHaveCount(0);
  await expect(settings.getByText('No credentials')).toBeVisible();
  expect(crashes).toEqual([]);
});
