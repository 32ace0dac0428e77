/**
 * The Electron entry wired end to end (Electron mocked; a real core, bundled
 * and running in a worker thread as its utility process): scheme, protocol,
 * the window bridged to the core over a MessagePort, deep links, quit.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { build } from 'esbuild';
import type { MessagePort } from 'node:worker_threads';
import { toErrorInfo } from '../../shared/errors.js';
import { createWireClient, type WireMessage } from '../../shared/wire.js';

vi.mock('electron', async () => (await import('../test/fake-electron.js')).fakeElectron);

const T1 = '4bf92f3577b34da6a3ce929d0e0e4736';
const T2 = '0af7651916cd43dd8448eb211c80319c';
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'boxscope-main-'));
const saved = { argv: process.argv, home: process.env.BOXSCOPE_HOME, port: process.env.BOXSCOPE_OTLP_PORT };
process.env.BOXSCOPE_HOME = home;
process.env.BOXSCOPE_OTLP_PORT = '0';
process.argv = [...process.argv, `boxscope://traces/${T1}`];

const root = path.resolve(import.meta.dirname, '..', '..');
// Inside the repo, so the bundle finds better-sqlite3 in node_modules.
const coreBundle = path.join(root, 'node_modules', '.cache', 'boxscope-test', `core-process-${process.pid}.cjs`);
await build({
  entryPoints: [path.join(root, 'electron', 'electron-utility', 'entry.ts')],
  outfile: coreBundle,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  logLevel: 'warning',
  external: ['better-sqlite3', 'cpu-features', 'ssh2'],
});

const fake = await import('../test/fake-electron.js');
fake.state.forkModule = coreBundle;
await import('./main.js');

afterAll(() => {
  process.argv = saved.argv;
  if (saved.home === undefined) delete process.env.BOXSCOPE_HOME;
  else process.env.BOXSCOPE_HOME = saved.home;
  if (saved.port === undefined) delete process.env.BOXSCOPE_OTLP_PORT;
  else process.env.BOXSCOPE_OTLP_PORT = saved.port;
  fs.rmSync(home, { recursive: true, force: true });
  fs.rmSync(coreBundle, { force: true });
});

const connect = (sender: unknown, senderFrame: unknown) => {
  for (const l of fake.ipcMainListeners.get('boxscope:connect') ?? []) l({ sender, senderFrame });
};

/** The page's side: the port main posted to the window, with every message the core sent on it. */
function pagePort() {
  const win = fake.FakeBrowserWindow.created[0]!;
  const posted = win.webContents.posted.at(-1)!;
  expect(posted.channel).toBe('boxscope:port');
  const port = posted.ports[0]!.raw as MessagePort;
  const seen: WireMessage[] = [];
  const sent: WireMessage[] = [];
  const client = createWireClient();
  port.on('message', (m: WireMessage) => (seen.push(m), client.receive(m)));
  client.connected((m) => (sent.push(m), port.postMessage(m)));
  return { api: client.api, seen, sent, port };
}

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

  it('once ready: denies permissions, serves app://, forks the core, opens the deep link it was started with', async () => {
    fake.fakeApp.becomeReady();
    await until(() => fake.FakeBrowserWindow.created.length === 1);
    expect(fake.errorBoxes).toEqual([]);
    expect(fake.state.permissionHandler).toBeTypeOf('function');
    expect(fake.state.protocolHandlers.has('app')).toBe(true);
    // No per-channel handlers in main any more: one connect request, one utility process.
    expect(fake.ipcMainHandlers.size).toBe(0);
    expect([...fake.ipcMainListeners.keys()]).toEqual(['boxscope:connect']);
    expect(fake.FakeUtilityProcess.forked).toHaveLength(1);
    expect(fake.FakeUtilityProcess.forked[0]!.modulePath).toMatch(/core-process\.cjs$/);
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

  it('bridges the main window to the core in its utility process', async () => {
    const win = fake.FakeBrowserWindow.created[0]!;
    win.webContents.mainFrame.url = 'app://boxscope/index.html';
    connect(win.webContents, win.webContents.mainFrame);
    const { api } = pagePort();
    await expect(api.call('app:info')).resolves.toMatchObject({ host: 'electron' });
    const boxes = await api.call('boxes:list').catch((e: unknown) => toErrorInfo(e));
    // Without a Docker engine the core answers with one clear error; either way the answer came from the core.
    expect(Array.isArray(boxes) || typeof (boxes as { code?: unknown }).code === 'string').toBe(true);
    await expect(api.call('boxes:launch', { image: 42 } as never)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  }, 30_000);

  it('never gives a port to a sender that is not the main window top frame on app://', () => {
    const win = fake.FakeBrowserWindow.created[0]!;
    const before = win.webContents.posted.length;
    const other = new fake.FakeBrowserWindow({});
    connect(other.webContents, other.webContents.mainFrame);
    connect(win.webContents, { url: 'app://boxscope/index.html' });
    connect(win.webContents, null);
    win.webContents.mainFrame.url = 'https://evil.example/';
    connect(win.webContents, win.webContents.mainFrame);
    win.webContents.mainFrame.url = 'app://boxscope/index.html';
    expect(win.webContents.posted).toHaveLength(before);
    expect(other.webContents.posted).toHaveLength(0);
    fake.FakeBrowserWindow.created.pop();
  });

  it('keeps secrets in main: saved through safeStorage, never echoed to the page', async () => {
    const win = fake.FakeBrowserWindow.created[0]!;
    connect(win.webContents, win.webContents.mainFrame);
    const { api, seen } = pagePort();
    const secret = 'ghp_utility-secret-0123456789';
    await api.call('registries:save', { key: 'ghcr.io', username: 'me', secret });
    const file = fs.readFileSync(path.join(home, 'secrets.safestorage.json'), 'utf8');
    expect(file).not.toContain(secret);
    const child = fake.FakeUtilityProcess.forked[0]!;
    expect(child.received.some((m) => JSON.stringify(m).includes(secret))).toBe(true); // the set request
    await api.call('registries:list');
    expect(JSON.stringify(seen)).not.toContain(secret);
  }, 30_000);

  it('cancels over the port: an aborted call rejects with CANCELLED, a disposed stream sends cancel', async () => {
    const win = fake.FakeBrowserWindow.created[0]!;
    connect(win.webContents, win.webContents.mainFrame);
    const { api, sent } = pagePort();
    const ac = new AbortController();
    const p = api.call('boxes:logs', { boxId: 'bx-none' }, { signal: ac.signal });
    ac.abort();
    await expect(p).rejects.toMatchObject({ code: 'CANCELLED' });
    const dispose = api.listen('boxes:changed', undefined, () => {});
    dispose();
    const listen = sent.find((m) => m.t === 'listen')!;
    expect(sent.at(-1)).toEqual({ t: 'cancel', id: listen.id });
    // The session is still good after both.
    await expect(api.call('app:info')).resolves.toMatchObject({ host: 'electron' });
  }, 30_000);

  it('shows one clear error and restarts the core when it dies, reloading the window for a fresh port', async () => {
    const win = fake.FakeBrowserWindow.created[0]!;
    const first = fake.FakeUtilityProcess.forked[0]!;
    await first.worker.terminate();
    await until(() => fake.FakeUtilityProcess.forked.length === 2);
    expect(fake.errorBoxes).toHaveLength(1);
    expect(fake.errorBoxes[0]![1]).not.toMatch(/\n\s+at /);
    expect(win.webContents.reloads).toBe(1);
    connect(win.webContents, win.webContents.mainFrame);
    const { api } = pagePort();
    await expect(api.call('app:info')).resolves.toMatchObject({ host: 'electron' });
    fake.errorBoxes.length = 0;
  }, 30_000);

  it('closes the core before quitting', async () => {
    const e = { preventDefault: vi.fn() };
    fake.fakeApp.emit('will-quit', e);
    expect(e.preventDefault).toHaveBeenCalled();
    await until(() => fake.fakeApp.quitCalls === 1);
    expect(fake.errorBoxes).toEqual([]);
    fake.fakeApp.emit('will-quit', { preventDefault: vi.fn() });
    expect(fake.fakeApp.quitCalls).toBe(1);
  });
});
