/**
 * The renderer's only door to the core: exactly the BoxscopeApi of shared/,
 * limited to the known channels and events. No ipcRenderer, no Node.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { CHANNELS, EVENTS, type BoxscopeApi } from '../../shared/api.js';
import type { Envelope, ErrorInfo } from '../../shared/errors.js';

/**
 * contextBridge copies an Error's message only, so a rejection crosses as a
 * plain ErrorInfo-shaped object; shared/errors.ts toErrorInfo reads it as is.
 */
function rejection(info: ErrorInfo): ErrorInfo & { name: string } {
  return { name: 'BoxscopeError', ...info };
}

const channels: ReadonlySet<string> = new Set(CHANNELS);
const events: ReadonlySet<string> = new Set(EVENTS);

export const api: BoxscopeApi = {
  async invoke(channel: string, ...rest: unknown[]) {
    if (!channels.has(channel)) throw rejection({ code: 'INVALID_INPUT', message: `Unknown channel ${channel}` });
    const env = (await ipcRenderer.invoke(channel, rest[0])) as Envelope<unknown>;
    if (env.ok) return env.result;
    throw rejection(env.error);
  },
  on(event: string, listener: (payload: never) => void) {
    if (!events.has(event)) throw rejection({ code: 'INVALID_INPUT', message: `Unknown event ${event}` });
    // The IPC event object is not passed on: it would hand the page ipcRenderer.
    const wrapped = (_e: IpcRendererEvent, payload: unknown) => listener(payload as never);
    ipcRenderer.on(event, wrapped);
    return () => void ipcRenderer.removeListener(event, wrapped);
  },
} as BoxscopeApi;

contextBridge.exposeInMainWorld('boxscope', api);
