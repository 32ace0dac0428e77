/**
 * A stand-in for the `electron` module in unit tests of the host files (the
 * real binary cannot run here). It records what the host asked Electron to do.
 */
import { EventEmitter } from 'node:events';
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
export const rendererListeners = new Map<string, Set<Handler>>();
export const exposed: Record<string, unknown> = {};
export const state = {
  encryptionAvailable: true,
  storageBackend: 'gnome_libsecret' as string,
  permissionHandler: undefined as undefined | ((wc: unknown, perm: string, cb: (ok: boolean) => void) => void),
  permissionCheck: undefined as undefined | (() => boolean),
  privileged: [] as unknown[],
  protocolHandlers: new Map<string, (req: { url: string }) => unknown>(),
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
  },
  ipcRenderer: {
    invoke: (channel: string, arg: unknown) => state.ipcInvoke(channel, arg),
    on: (channel: string, h: Handler) => {
      if (!rendererListeners.has(channel)) rendererListeners.set(channel, new Set());
      rendererListeners.get(channel)!.add(h);
    },
    removeListener: (channel: string, h: Handler) => rendererListeners.get(channel)?.delete(h),
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
