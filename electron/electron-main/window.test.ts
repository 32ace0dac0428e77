import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', async () => (await import('../test/fake-electron.js')).fakeElectron);

const { FakeBrowserWindow, state } = await import('../test/fake-electron.js');
const { createMainWindow, denyAllPermissions, appUrl } = await import('./window.js');

describe('main window', () => {
  beforeEach(() => void (FakeBrowserWindow.created.length = 0));

  it('is hardened: isolated, sandboxed, no Node, web security on', () => {
    createMainWindow({ preload: '/x/preload.cjs' });
    const w = FakeBrowserWindow.created[0]!;
    const prefs = w.options.webPreferences as Record<string, unknown>;
    expect(prefs).toMatchObject({
      preload: '/x/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });

  it('stays hidden until ready, on a background matching the OS theme', () => {
    createMainWindow({ preload: 'p' });
    const w = FakeBrowserWindow.created[0]!;
    expect(w.options.show).toBe(false);
    expect(w.options.backgroundColor).toBe('#16181d');
    expect(w.shown).toBe(false);
    w.emit('ready-to-show');
    expect(w.shown).toBe(true);
  });

  it('loads the app protocol, never file://, honouring a deep-link route', () => {
    createMainWindow({ preload: 'p', hash: '/traces/' + 'a'.repeat(32) });
    const w = FakeBrowserWindow.created[0]!;
    expect(w.loaded).toEqual([`app://boxscope/index.html#/traces/${'a'.repeat(32)}`]);
    expect(appUrl()).toBe('app://boxscope/index.html');
  });

  it('blocks new windows and navigation away from the app', () => {
    createMainWindow({ preload: 'p' });
    const wc = FakeBrowserWindow.created[0]!.webContents;
    expect(wc.windowOpenHandler!({ url: 'https://example.com' })).toEqual({ action: 'deny' });
    for (const [event, url, blocked] of [
      ['will-navigate', 'https://evil.example/', true],
      ['will-navigate', 'file:///etc/passwd', true],
      ['will-redirect', 'http://127.0.0.1:1/', true],
      ['will-navigate', 'app://boxscope/index.html#/boxes/b1', false],
    ] as const) {
      const e = { preventDefault: vi.fn() };
      wc.emit(event, e, url);
      expect(e.preventDefault.mock.calls.length, `${event} ${url}`).toBe(blocked ? 1 : 0);
    }
    const attach = { preventDefault: vi.fn() };
    wc.emit('will-attach-webview', attach);
    expect(attach.preventDefault).toHaveBeenCalled();
  });

  it('denies every permission request and check', () => {
    denyAllPermissions();
    const cb = vi.fn();
    state.permissionHandler!({}, 'media', cb);
    state.permissionHandler!({}, 'notifications', cb);
    expect(cb.mock.calls).toEqual([[false], [false]]);
    expect(state.permissionCheck!()).toBe(false);
  });
});
