/**
 * The built Electron bundle (dist/electron/main.cjs), loaded by plain Node
 * with a stand-in `electron` module: proves the CommonJS bundle starts, forks
 * the bundled core (dist/electron/core-process.cjs) and opens its window on app://.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..', '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'boxscope-bundle-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

// CommonJS, because that is what the bundle requires `electron` from.
const STAND_IN = `
const Module = require('node:module');
const { EventEmitter } = require('node:events');
const report = { handlers: [], listeners: [], forked: [], windows: [], privileged: [], protocols: [] };
const app = new EventEmitter();
let ready;
const whenReady = new Promise((r) => (ready = r));
Object.assign(app, {
  isPackaged: false,
  requestSingleInstanceLock: () => true,
  setAsDefaultProtocolClient: () => true,
  whenReady: () => whenReady,
  isReady: () => true,
  quit: () => { process.stdout.write(JSON.stringify(report)); process.exit(0); },
  exit: (c) => process.exit(c),
});
class WebContents extends EventEmitter {
  constructor() { super(); this.mainFrame = { url: '' }; }
  setWindowOpenHandler() {}
  send() {}
}
class BrowserWindow extends EventEmitter {
  constructor(o) { super(); this.webContents = new WebContents(); report.windows.push({ options: o, urls: [] }); this.i = report.windows.length - 1; }
  loadURL(u) { report.windows[this.i].urls.push(u); setImmediate(() => app.emit('will-quit', { preventDefault() {} })); return Promise.resolve(); }
  once() {}
  isDestroyed() { return false; }
  static getAllWindows() { return []; }
}
const electron = {
  app, BrowserWindow,
  dialog: { showErrorBox: (t, b) => { process.stderr.write(t + ': ' + b + '\\n'); } },
  nativeTheme: { shouldUseDarkColors: false },
  session: { defaultSession: { setPermissionRequestHandler() {}, setPermissionCheckHandler() {} } },
  protocol: { registerSchemesAsPrivileged: (s) => report.privileged.push(...s.map((x) => x.scheme)), handle: (s) => report.protocols.push(s) },
  ipcMain: { handle: (c) => report.handlers.push(c), removeHandler() {}, on: (c) => report.listeners.push(c), removeListener() {} },
  utilityProcess: { fork: (m) => { report.forked.push(m); const c = new EventEmitter(); c.postMessage = (msg) => msg && msg.type === 'quit' && setImmediate(() => c.emit('exit', 0)); c.kill = () => true; return c; } },
  MessageChannelMain: class { constructor() { this.port1 = {}; this.port2 = {}; } },
  safeStorage: { isEncryptionAvailable: () => false, getSelectedStorageBackend: () => 'basic_text' },
};
const load = Module._load;
Module._load = function (request, ...rest) {
  return request === 'electron' ? electron : load.call(this, request, ...rest);
};
setImmediate(() => ready());
`;

let report: {
  handlers: string[];
  listeners: string[];
  forked: string[];
  windows: Array<{ options: { show: boolean }; urls: string[] }>;
  privileged: string[];
  protocols: string[];
};

beforeAll(async () => {
  const { buildElectron } = await import(path.join(root, 'scripts', 'build-electron.mjs'));
  await buildElectron();
  fs.writeFileSync(path.join(tmp, 'stand-in.cjs'), STAND_IN);
  const out = execFileSync(
    process.execPath,
    ['--require', path.join(tmp, 'stand-in.cjs'), path.join(root, 'dist', 'electron', 'main.cjs')],
    {
      cwd: root,
      env: {
        ...process.env,
        BOXSCOPE_HOME: path.join(tmp, 'home'),
        BOXSCOPE_OTLP_PORT: '0',
        DOCKER_HOST: `unix://${tmp}/none.sock`,
      },
      timeout: 30_000,
      encoding: 'utf8',
    },
  );
  report = JSON.parse(out);
}, 60_000);

describe('dist/electron/main.cjs', () => {
  it('starts under Node, forks the bundled core, listens for the port request and opens one hidden window on app://', () => {
    expect(report.privileged).toEqual(['app']);
    expect(report.protocols).toEqual(['app']);
    expect(report.handlers).toEqual([]);
    expect(report.listeners).toEqual(['boxscope:connect']);
    expect(report.forked).toEqual([path.join(root, 'dist', 'electron', 'core-process.cjs')]);
    expect(fs.existsSync(report.forked[0]!)).toBe(true);
    expect(report.windows).toHaveLength(1);
    expect(report.windows[0]!.options.show).toBe(false);
    expect(report.windows[0]!.urls).toEqual(['app://boxscope/index.html']);
  });

  it('ships a self-contained sandboxed preload that requires nothing but electron', () => {
    const preload = fs.readFileSync(path.join(root, 'dist', 'electron', 'preload.cjs'), 'utf8');
    const requires = [...preload.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
    expect([...new Set(requires)]).toEqual(['electron']);
  });

  it('ships a core-process bundle that never requires electron and keeps better-sqlite3 external', () => {
    const core = fs.readFileSync(path.join(root, 'dist', 'electron', 'core-process.cjs'), 'utf8');
    const requires = new Set([...core.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]));
    expect(requires.has('electron')).toBe(false);
    expect(requires.has('better-sqlite3')).toBe(true);
  });
});
