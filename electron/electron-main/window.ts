/** The one hardened window: no Node, no remote content, no navigation away, no new windows, no permissions. */
import { app, BrowserWindow, nativeTheme, session, type WebContents, type WebPreferences } from 'electron';
import { APP_ORIGIN, isAppUrl } from './protocol.js';

export function webPreferences(preload: string): WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    spellcheck: false,
    navigateOnDragDrop: false,
  };
}

export function denyAllPermissions(): void {
  session.defaultSession.setPermissionRequestHandler((_wc, _perm, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
}

/** New windows denied and navigation kept inside app:// for every web contents, including ones the app did not create itself. */
export function lockDown(wc: WebContents): void {
  wc.setWindowOpenHandler(() => ({ action: 'deny' }));
  wc.on('will-navigate', (event, url) => {
    // In-app routes change only the hash; anything else would leave the app.
    if (!isAppUrl(url)) event.preventDefault();
  });
  wc.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  wc.on('will-attach-webview', (event) => event.preventDefault());
}

export function lockDownAllWebContents(): void {
  app.on('web-contents-created', (_e, wc) => lockDown(wc));
}

export function createMainWindow(opts: { preload: string; hash?: string }): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 800,
    minHeight: 500,
    show: false,
    backgroundColor: nativeTheme.shouldUseDarkColors ? '#16181d' : '#ffffff',
    title: 'Boxscope',
    webPreferences: webPreferences(opts.preload),
  });
  win.once('ready-to-show', () => win.show());
  lockDown(win.webContents);
  void win.loadURL(appUrl(opts.hash));
  return win;
}

export function appUrl(hash?: string): string {
  return `${APP_ORIGIN}/index.html${hash ? `#${hash.replace(/^#/, '')}` : ''}`;
}
