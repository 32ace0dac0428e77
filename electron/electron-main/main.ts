/**
 * Electron host: one hardened window, the app:// protocol, deep links and
 * safeStorage. The core runs in a utility process (core-bridge.ts) so heavy
 * work never freezes the window.
 */
import path from 'node:path';
import { app, BrowserWindow, dialog } from 'electron';
import { toErrorInfo } from '../../shared/errors.js';
import { resolveHome } from '../core/config.js';
import { startCoreBridge, type CoreBridge } from './core-bridge.js';
import { DEEP_LINK_SCHEME, deepLinkHash, findDeepLink } from './deep-link.js';
import { handleAppProtocol, registerAppScheme } from './protocol.js';
import { safeStorageBackend } from './secret-backend.js';
import { appUrl, createMainWindow, denyAllPermissions, lockDownAllWebContents } from './window.js';

// Packaged: resources/renderer/dist (extraResources); from the repo: dist/electron/ → ../../renderer/dist.
const rendererDir = app.isPackaged
  ? path.join(process.resourcesPath, 'renderer', 'dist')
  : path.join(__dirname, '..', '..', 'renderer', 'dist');
const preload = path.join(__dirname, 'preload.cjs');
const coreModule = path.join(__dirname, 'core-process.cjs');

let win: BrowserWindow | undefined;
let core: CoreBridge | undefined;

function openRoute(hash: string | undefined): void {
  if (!hash) return;
  if (!win || win.isDestroyed()) {
    win = createMainWindow({ preload, hash });
    return;
  }
  void win.loadURL(appUrl(hash));
  if (win.isMinimized()) win.restore();
  win.focus();
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let pendingHash = findDeepLink(process.argv);
  registerAppScheme();
  lockDownAllWebContents();
  app.setAsDefaultProtocolClient(DEEP_LINK_SCHEME);
  app.on('second-instance', (_e, argv) => openRoute(findDeepLink(argv)));
  app.on('open-url', (e, url) => {
    e.preventDefault();
    const hash = deepLinkHash(url);
    if (app.isReady()) openRoute(hash);
    else pendingHash = hash;
  });

  app.whenReady().then(() => {
    denyAllPermissions();
    handleAppProtocol(rendererDir);
    try {
      const secretBackend = safeStorageBackend(resolveHome());
      core = startCoreBridge({
        modulePath: coreModule,
        secretBackend,
        getWindow: () => win,
        onCannotStart(message) {
          dialog.showErrorBox('Boxscope cannot start', message);
          core = undefined;
          app.exit(1);
        },
      });
    } catch (err) {
      dialog.showErrorBox('Boxscope cannot start', toErrorInfo(err).message);
      app.exit(1);
      return;
    }
    win = createMainWindow({ preload, hash: pendingHash });
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) win = createMainWindow({ preload });
    });
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('will-quit', (e) => {
    if (!core) return;
    e.preventDefault();
    const c = core;
    core = undefined;
    void c.stop().finally(() => app.quit());
  });
}
