/** The Electron entry wired end to end (Electron mocked, a real core): scheme, protocol, IPC, window, deep links, quit. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { CHANNELS } from '../../shared/api.js';

vi.mock('electron', async () => (await import('../test/fake-electron.js')).fakeElectron);

const T1 = '4bf92f3577b34da6a3ce929d0e0e4736';
const T2 = '0af7651916cd43dd8448eb211c80319c';
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'boxscope-main-'));
const saved = { argv: process.argv, home: process.env.BOXSCOPE_HOME, port: process.env.BOXSCOPE_OTLP_PORT };
process.env.BOXSCOPE_HOME = home;
process.env.BOXSCOPE_OTLP_PORT = '0';
process.argv = [...process.argv, `boxscope://traces/${T1}`];

const fake = await import('../test/fake-electron.js');
await import('./main.js');

afterAll(() => {
  process.argv = saved.argv;
  if (saved.home === undefined) delete process.env.BOXSCOPE_HOME;
  else process.env.BOXSCOPE_HOME = saved.home;
  if (saved.port === undefined) delete process.env.BOXSCOPE_OTLP_PORT;
  else process.env.BOXSCOPE_OTLP_PORT = saved.port;
  fs.rmSync(home, { recursive: true, force: true });
});

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 25));
  expect(cond()).toBe(true);
}

describe('Electron main', () => {
  it('registers app:// and the boxscope:// handler before the app is ready', () => {
    expect(fake.state.privileged).toHaveLength(1);
    expect(fake.fakeApp.protocolClients).toEqual(['boxscope']);
    expect(fake.FakeBrowserWindow.created).toHaveLength(0);
  });

  it('once ready: denies permissions, serves app://, handles every channel, opens the deep link it was started with', async () => {
    fake.fakeApp.becomeReady();
    await until(() => fake.FakeBrowserWindow.created.length === 1);
    expect(fake.errorBoxes).toEqual([]);
    expect(fake.state.permissionHandler).toBeTypeOf('function');
    expect(fake.state.protocolHandlers.has('app')).toBe(true);
    expect([...fake.ipcMainHandlers.keys()].sort()).toEqual([...CHANNELS].sort());
    const win = fake.FakeBrowserWindow.created[0]!;
    expect(win.loaded).toEqual([`app://boxscope/index.html#/traces/${T1}`]);
    expect(String((win.options.webPreferences as { preload: string }).preload)).toMatch(/preload\.cjs$/);
  });

  it('locks down web contents it did not create itself', () => {
    const wc = new fake.FakeWebContents();
    fake.fakeApp.emit('web-contents-created', {}, wc);
    expect(wc.windowOpenHandler!({ url: 'https://example.com' })).toEqual({ action: 'deny' });
    const e = { preventDefault: vi.fn() };
    wc.emit('will-navigate', e, 'https://example.com/');
    expect(e.preventDefault).toHaveBeenCalled();
  });

  it('routes links from a second instance and from open-url into the same window', () => {
    const win = fake.FakeBrowserWindow.created[0]!;
    fake.fakeApp.emit('second-instance', {}, ['/opt/Boxscope/boxscope', `boxscope://traces/${T2}`]);
    expect(win.loaded.at(-1)).toBe(`app://boxscope/index.html#/traces/${T2}`);
    expect(win.focused).toBe(true);
    const e = { preventDefault: vi.fn() };
    fake.fakeApp.emit('open-url', e, 'boxscope://boxes/bx-1234');
    expect(e.preventDefault).toHaveBeenCalled();
    expect(win.loaded.at(-1)).toBe('app://boxscope/index.html#/boxes/bx-1234');
    fake.fakeApp.emit('open-url', { preventDefault() {} }, 'boxscope://evil/../../x');
    expect(win.loaded.at(-1)).toBe('app://boxscope/index.html#/boxes/bx-1234');
    expect(fake.FakeBrowserWindow.created).toHaveLength(1);
  });

  it('closes the core before quitting', async () => {
    const e = { preventDefault: vi.fn() };
    fake.fakeApp.emit('will-quit', e);
    expect(e.preventDefault).toHaveBeenCalled();
    await until(() => fake.fakeApp.quitCalls === 1);
    fake.fakeApp.emit('will-quit', { preventDefault: vi.fn() });
    expect(fake.fakeApp.quitCalls).toBe(1);
  });
});
