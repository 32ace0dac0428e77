import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';

vi.mock('electron', async () => (await import('../test/fake-electron.js')).fakeElectron);

const { state } = await import('../test/fake-electron.js');
const { handleAppProtocol, registerAppScheme, isAppUrl } = await import('./protocol.js');
const { CSP } = await import('../host-common/security.js');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'boxscope-proto-'));
fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>Boxscope</title>');
fs.mkdirSync(path.join(dir, 'assets'));
fs.writeFileSync(path.join(dir, 'assets', 'app.js'), 'console.log(1)');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('app:// protocol', () => {
  it('is registered as a standard, secure scheme', () => {
    registerAppScheme();
    expect(state.privileged).toContainEqual({
      scheme: 'app',
      privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true },
    });
  });

  it('serves the renderer build with the strict CSP as a response header', async () => {
    handleAppProtocol(dir);
    const handler = state.protocolHandlers.get('app')!;
    const page = (await handler({ url: 'app://boxscope/index.html' })) as Response;
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toBe(CSP);
    expect(CSP).toContain("default-src 'self'");
    expect(CSP).toContain("frame-ancestors 'none'");
    expect(CSP).toContain("form-action 'none'");
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toContain('Boxscope');
    const js = (await handler({ url: 'app://boxscope/assets/app.js' })) as Response;
    expect(js.headers.get('content-type')).toMatch(/javascript/);
  });

  it('never serves outside the build or for another host', async () => {
    const handler = state.protocolHandlers.get('app')!;
    for (const url of [
      'app://boxscope/../../../etc/passwd',
      'app://boxscope/%2e%2e/%2e%2e/etc/passwd',
      'app://other/index.html',
    ]) {
      const r = (await handler({ url })) as Response;
      const text = await r.text();
      expect(text, url).not.toContain('root:');
      if (url.includes('other')) expect(r.status).toBe(404);
    }
  });

  it('recognises only its own origin', () => {
    expect(isAppUrl('app://boxscope/index.html#/x')).toBe(true);
    expect(isAppUrl('app://evil/index.html')).toBe(false);
    expect(isAppUrl('https://boxscope/')).toBe(false);
    expect(isAppUrl(undefined)).toBe(false);
  });
});
