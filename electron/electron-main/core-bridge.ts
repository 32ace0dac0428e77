/**
 * Main's half of the core in a utility process: forks it, answers its secret
 * requests with safeStorage, and gives each page load of the main window a
 * fresh MessagePort to it — only when the request comes from that window's
 * top frame on app://. Restarts the core once if it dies, with one dialog.
 */
import {
  dialog,
  ipcMain,
  MessageChannelMain,
  utilityProcess,
  type BrowserWindow,
  type IpcMainEvent,
  type UtilityProcess,
} from 'electron';
import type { SecretBackend } from '../core/contracts.js';
import { answerSecret } from '../host-common/secret-protocol.js';
import { isAppUrl } from './protocol.js';

export const CONNECT = 'boxscope:connect';
export const PORT = 'boxscope:port';

export function isTrustedSender(event: Pick<IpcMainEvent, 'sender' | 'senderFrame'>, win: BrowserWindow | undefined) {
  if (!win || win.isDestroyed()) return false;
  const frame = event.senderFrame;
  return event.sender === win.webContents && !!frame && frame === win.webContents.mainFrame && isAppUrl(frame.url);
}

export interface CoreBridgeOptions {
  modulePath: string;
  secretBackend: SecretBackend;
  getWindow(): BrowserWindow | undefined;
  env?: NodeJS.ProcessEnv;
  /** The core died before it was ever ready (e.g. its store cannot open): restarting would only loop. */
  onCannotStart(message: string): void;
}

export interface CoreBridge {
  child(): UtilityProcess;
  /** Asks the core to close its store and waits for it to exit. */
  stop(): Promise<void>;
}

export function startCoreBridge(opts: CoreBridgeOptions): CoreBridge {
  let stopping = false;
  let child!: UtilityProcess;

  const fork = () => {
    child = utilityProcess.fork(opts.modulePath, [], { serviceName: 'Boxscope core', env: opts.env ?? process.env });
    const me = child;
    let ready = false;
    let fatal: string | undefined;
    me.on('message', (msg: unknown) => {
      const m = msg as { type?: unknown; message?: unknown } | null;
      if (m?.type === 'ready') ready = true;
      else if (m?.type === 'fatal' && typeof m.message === 'string') fatal = m.message.slice(0, 500);
      void answerSecret(opts.secretBackend, msg).then((reply) => reply && me.postMessage(reply));
    });
    me.on('exit', (code: number) => {
      if (stopping || me !== child) return;
      if (!ready) return opts.onCannotStart(fatal ?? `The Boxscope core exited while starting (code ${code}).`);
      dialog.showErrorBox(
        'Boxscope core stopped',
        `The Boxscope core exited unexpectedly (code ${code}); it has been restarted and the window reloaded.`,
      );
      fork();
      const win = opts.getWindow();
      if (win && !win.isDestroyed()) win.webContents.reload();
    });
  };
  fork();

  const onConnect = (event: IpcMainEvent) => {
    if (!isTrustedSender(event, opts.getWindow())) return;
    const { port1, port2 } = new MessageChannelMain();
    child.postMessage({ type: 'connect' }, [port1]);
    event.sender.postMessage(PORT, null, [port2]);
  };
  ipcMain.on(CONNECT, onConnect);

  return {
    child: () => child,
    stop() {
      stopping = true;
      ipcMain.removeListener(CONNECT, onConnect);
      const c = child;
      return new Promise<void>((resolve) => {
        const timer = setTimeout(() => (c.kill(), resolve()), 5000);
        c.once('exit', () => (clearTimeout(timer), resolve()));
        c.postMessage({ type: 'quit' });
      });
    },
  };
}
