/**
 * A stand-in for the `electron` module in unit tests of the host files (the
 * real binary cannot run here). It records what the host asked Electron to do.
 */
import { EventEmitter } from 'node:events';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { vi } from 'vitest';

export class FakeWebContents extends EventEmitter {
  mainFrame = { url: 'app://boxscope/index.html' };
  sent: Array<[string, unknown]> = [];
  windowOpenHandler?: (d: { url: string }) => { action: string };
  setWindowOpenHandler(h: (d: { url: string }) => { action: string }) {
    this.windowOpenHandler = h;
  }
  send(channel: string, payload: unknown) {
    this.sent.push([channel, payload]);
  }
  /** What `webContents.postMessage` handed the page (ports are FakeMessagePortMain). */
  posted: Array<{ channel: string; message: unknown; ports: FakeMessagePortMain[] }> = [];
  postMessage(channel: string, message: unknown, ports: FakeMessagePortMain[] = []) {
    this.posted.push({ channel, message, ports });
  }
  reloads = 0;
  reload() {
    this.reloads++;
  }
}

/** Electron's MessagePortMain over a worker_threads MessagePort (which can cross into a Worker). */
export class FakeMessagePortMain {
  constructor(public raw: MessagePort) {}
  on(event: string, listener: (e: unknown) => void) {
    if (event === 'message') this.raw.on('message', (data: unknown) => listener({ data, ports: [] }));
    else this.raw.on(event, listener);
    return this;
  }
  postMessage(msg: unknown) {
    this.raw.postMessage(msg);
  }
  start() {
    this.raw.start();
  }
  close() {
    this.raw.close();
  }
}

export class FakeMessageChannelMain {
  port1: FakeMessagePortMain;
  port2: FakeMessagePortMain;
  constructor() {
    const { port1, port2 } = new MessageChannel();
    this.port1 = new FakeMessagePortMain(port1);
    this.port2 = new FakeMessagePortMain(port2);
  }
}

// Runs the forked module in a Worker behind Electron's process.parentPort shape.
const WORKER_SHIM = `
const { parentPort, workerData } = require('node:worker_threads');
const wrap = (p) => ({
  on: (ev, l) => { ev === 'message' ? p.on('message', (v) => l({ data: v, ports: [] })) : p.on(ev, l); },
  postMessage: (m) => p.postMessage(m),
  start: () => p.start(),
  close: () => p.close(),
});
process.parentPort = {
  on: (ev, l) => { if (ev === 'message') parentPort.on('message', (m) => l({ data: m.data, ports: (m.ports || []).map(wrap) })); },
  postMessage: (m) => parentPort.postMessage(m),
};
require(workerData.modulePath);
`;

/** Electron's UtilityProcess, really running the module (in a worker thread). */
export class FakeUtilityProcess extends EventEmitter {
  static forked: FakeUtilityProcess[] = [];
  worker: Worker;
  /** Every message the core sent to main. */
  received: unknown[] = [];
  constructor(
    public modulePath: string,
    public options: { env?: NodeJS.ProcessEnv; serviceName?: string },
  ) {
    super();
    FakeUtilityProcess.forked.push(this);
    const target = state.forkModule ?? modulePath;
    this.worker = new Worker(WORKER_SHIM, { eval: true, workerData: { modulePath: target }, env: options.env });
    this.worker.on('message', (m: unknown) => (this.received.push(m), this.emit('message', m)));
    this.worker.on('exit', (code: number) => this.emit('exit', code));
  }
  postMessage(data: unknown, ports: FakeMessagePortMain[] = []) {
    const raw = ports.map((p) => p.raw);
    this.worker.postMessage({ data, ports: raw }, raw);
  }
  kill() {
    void this.worker.terminate();
    return true;
  }
}

export class FakeBrowserWindow extends EventEmitter {
  static created: FakeBrowserWindow[] = [];
  webContents = new FakeWebContents();
  loaded: string[] = [];
  shown = false;
  constructor(public options: Record<string, unknown>) {
    super();
    FakeBrowserWindow.created.push(this);
  }
  loadURL(url: string) {
    this.loaded.push(url);
    return Promise.resolve();
  }
  show() {
    this.shown = true;
  }
  isDestroyed() {
    return false;
  }
  isMinimized() {
    return false;
  }
  restore() {}
  focus() {
    this.focused = true;
  }
  focused = false;
  static getAllWindows() {
    return FakeBrowserWindow.created;
  }
}

type Handler = (event: unknown, ...args: unknown[]) => unknown;

export const ipcMainHandlers = new Map<string, Handler>();
export const ipcMainListeners = new Map<string, Set<Handler>>();
export const rendererSent: Array<[string, unknown[]]> = [];
export const rendererListeners = new Map<string, Set<Handler>>();
export const exposed: Record<string, unknown> = {};
export const state = {
  encryptionAvailable: true,
  storageBackend: 'gnome_libsecret' as string,
  permissionHandler: undefined as undefined | ((wc: unknown, perm: string, cb: (ok: boolean) => void) => void),
  permissionCheck: undefined as undefined | (() => boolean),
  privileged: [] as unknown[],
  protocolHandlers: new Map<string, (req: { url: string }) => unknown>(),
  /** The module a fake utilityProcess.fork really runs (tests point it at a fresh bundle). */
  forkModule: undefined as string | undefined,
  ipcInvoke: vi.fn(async (_channel: string, _arg: unknown): Promise<unknown> => ({ ok: true, result: undefined })),
};

class FakeApp extends EventEmitter {
  isPackaged = false;
  ready = false;
  quitCalls = 0;
  protocolClients: string[] = [];
  private readyResolve!: () => void;
  private readyPromise = new Promise<void>((r) => (this.readyResolve = r));
  requestSingleInstanceLock() {
    return true;
  }
  setAsDefaultProtocolClient(scheme: string) {
    this.protocolClients.push(scheme);
    return true;
  }
  whenReady() {
    return this.readyPromise;
  }
  isReady() {
    return this.ready;
  }
  /** Test side: what Electron does once it has started. */
  becomeReady() {
    this.ready = true;
    this.readyResolve();
  }
  quit() {
    this.quitCalls++;
  }
  exit() {}
}

export const fakeApp = new FakeApp();
export const errorBoxes: Array<[string, string]> = [];

export const fakeElectron = {
  app: fakeApp,
  dialog: { showErrorBox: (title: string, body: string) => errorBoxes.push([title, body]) },
  BrowserWindow: FakeBrowserWindow,
  nativeTheme: { shouldUseDarkColors: true },
  session: {
    defaultSession: {
      setPermissionRequestHandler: (h: typeof state.permissionHandler) => (state.permissionHandler = h),
      setPermissionCheckHandler: (h: typeof state.permissionCheck) => (state.permissionCheck = h),
    },
  },
  protocol: {
    registerSchemesAsPrivileged: (s: unknown[]) => state.privileged.push(...s),
    handle: (scheme: string, h: (req: { url: string }) => unknown) => state.protocolHandlers.set(scheme, h),
  },
  ipcMain: {
    handle: (channel: string, h: Handler) => ipcMainHandlers.set(channel, h),
    removeHandler: (channel: string) => ipcMainHandlers.delete(channel),
    on: (channel: string, h: Handler) => {
      if (!ipcMainListeners.has(channel)) ipcMainListeners.set(channel, new Set());
      ipcMainListeners.get(channel)!.add(h);
    },
    removeListener: (channel: string, h: Handler) => ipcMainListeners.get(channel)?.delete(h),
  },
  utilityProcess: {
    fork: (modulePath: string, _args: string[] = [], options: { env?: NodeJS.ProcessEnv } = {}) =>
      new FakeUtilityProcess(modulePath, options),
  },
  MessageChannelMain: FakeMessageChannelMain,
  ipcRenderer: {
    invoke: (channel: string, arg: unknown) => state.ipcInvoke(channel, arg),
    send: (channel: string, ...args: unknown[]) => rendererSent.push([channel, args]),
    on: (channel: string, h: Handler) => {
      if (!rendererListeners.has(channel)) rendererListeners.set(channel, new Set());
      rendererListeners.get(channel)!.add(h);
    },
    removeListener: (channel: string, h: Handler) => rendererListeners.get(channel)?.delete(h),
  },
  webUtils: {
    getPathForFile: (file: { path?: string }) => file.path ?? '',
  },
  contextBridge: {
    exposeInMainWorld: (key: string, value: unknown) => (exposed[key] = value),
  },
  safeStorage: {
    isEncryptionAvailable: () => state.encryptionAvailable,
    getSelectedStorageBackend: () => state.storageBackend,
    // A reversible stand-in for the keychain: enough to see that the file never holds the clear text.
    encryptString: (s: string) => Buffer.from([...Buffer.from(s)].map((b) => b ^ 0x5a)),
    decryptString: (b: Buffer) => Buffer.from([...b].map((x) => x ^ 0x5a)).toString(),
  },
};
