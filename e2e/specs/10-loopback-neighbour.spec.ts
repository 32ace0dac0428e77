/**
 * Journey 10: another server on loopback, visited in the same browser, learns
 * nothing that opens the app: browser mode sets no cookie (a cookie for
 * 127.0.0.1 goes to every port), so the token stays in the URL the user opened.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, skipWhereHostMissing, test } from '../fixtures/app.js';

skipWhereHostMissing();

test('a page on another loopback port never receives the access token', async ({ openApp }, testInfo) => {
  test.skip(testInfo.project.name !== 'browser', 'browser mode only: the desktop app has no token');
  const app = await openApp();
  const page = app.page;
  await page.waitForSelector('#root *');
  const token = new URL(app.url()).searchParams.get('token');
  expect(token).toMatch(/^[0-9a-f]{64}$/);

  // The neighbour records everything the browser sends it.
  const seen: string[] = [];
  const neighbour = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}\n${JSON.stringify(req.headers)}`);
    res
      .writeHead(200, { 'Content-Type': 'text/html' })
      .end('<!doctype html><title>neighbour</title><img src="/x.png">');
  });
  await new Promise<void>((r) => neighbour.listen(0, '127.0.0.1', () => r()));
  try {
    const port = (neighbour.address() as AddressInfo).port;
    const other = await page.context().newPage();
    await other.goto(`http://127.0.0.1:${port}/`);
    await expect(other).toHaveTitle('neighbour');
    await other.close();
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.join('\n')).not.toContain(token!);
    expect((await page.context().cookies()).map((c) => c.value).join(' ')).not.toContain(token!);
  } finally {
    neighbour.close();
  }
});
