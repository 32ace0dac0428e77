/**
 * Every channel of shared/api.ts as an ipcMain handler: the sender must be
 * the main window's top frame on app://, the argument must pass its schema,
 * and the reply is an envelope so error codes survive the bridge.
 */
import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import { CHANNELS, EVENTS } from '../../shared/api.js';
import { BoxscopeError, type Envelope } from '../../shared/errors.js';
import { dispatch, type ApiCore } from '../server/dispatch.js';
import { isAppUrl } from './protocol.js';

export function isTrustedSender(event: IpcMainInvokeEvent, win: BrowserWindow | undefined): boolean {
  if (!win || win.isDestroyed()) return false;
  const frame = event.senderFrame;
  return event.sender === win.webContents && !!frame && frame === win.webContents.mainFrame && isAppUrl(frame.url);
}

export function registerIpc(core: ApiCore, getWindow: () => BrowserWindow | undefined): () => void {
  for (const channel of CHANNELS) {
    ipcMain.handle(channel, async (event, arg: unknown): Promise<Envelope<unknown>> => {
      if (!isTrustedSender(event, getWindow())) {
        return { ok: false, error: new BoxscopeError('INVALID_INPUT', 'Request from an untrusted frame').toInfo() };
      }
      return dispatch(core, channel, arg);
    });
  }
  const unsubscribe = EVENTS.map((name) =>
    core.on(name, (payload) => {
      const win = getWindow();
      if (win && !win.isDestroyed()) win.webContents.send(name, payload);
    }),
  );
  return () => {
    for (const channel of CHANNELS) ipcMain.removeHandler(channel);
    unsubscribe.forEach((u) => u());
  };
}
