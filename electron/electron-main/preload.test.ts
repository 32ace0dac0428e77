import { describe, expect, it, vi } from 'vitest';
import { toErrorInfo } from '../../shared/errors.js';

vi.mock('electron', async () => (await import('../test/fake-electron.js')).fakeElectron);

const { exposed, rendererListeners, state } = await import('../test/fake-electron.js');
await import('./preload.js');

type Api = {
  invoke(channel: string, arg?: unknown): Promise<unknown>;
  on(event: string, l: (p: unknown) => void): () => void;
};
const api = exposed.boxscope as Api;

describe('preload', () => {
  it('exposes the BoxscopeApi as window.boxscope and nothing else', () => {
    expect(Object.keys(exposed)).toEqual(['boxscope']);
    expect(Object.keys(api).sort()).toEqual(['invoke', 'on']);
  });

  it('unwraps envelopes: results resolve, errors keep their code', async () => {
    state.ipcInvoke.mockResolvedValueOnce({ ok: true, result: [{ boxId: 'b1' }] });
    await expect(api.invoke('boxes:list')).resolves.toEqual([{ boxId: 'b1' }]);
    expect(state.ipcInvoke).toHaveBeenLastCalledWith('boxes:list', undefined);

    state.ipcInvoke.mockResolvedValueOnce({
      ok: false,
      error: { code: 'REGISTRY_UNAUTHORIZED', message: 'ghcr.io refused' },
    });
    const err = await api.invoke('boxes:launch', { image: 'ghcr.io/a/b' }).catch((e: unknown) => e);
    expect(toErrorInfo(err)).toEqual({ code: 'REGISTRY_UNAUTHORIZED', message: 'ghcr.io refused' });
  });

  it('refuses unknown channels and events without touching IPC', async () => {
    state.ipcInvoke.mockClear();
    const err = await api.invoke('shell:exec', 'rm -rf /').catch((e: unknown) => e);
    expect(toErrorInfo(err).code).toBe('INVALID_INPUT');
    expect(state.ipcInvoke).not.toHaveBeenCalled();
    expect(() => api.on('ipc:raw', () => {})).toThrow();
  });

  it('subscribes to events without handing out the IPC event, and unsubscribes', () => {
    const seen: unknown[] = [];
    const off = api.on('boxes:changed', (p) => seen.push(p));
    const [listener] = [...rendererListeners.get('boxes:changed')!];
    listener!({ sender: 'ipcRenderer' }, { boxId: 'b1', state: 'running' });
    expect(seen).toEqual([{ boxId: 'b1', state: 'running' }]);
    off();
    expect(rendererListeners.get('boxes:changed')!.size).toBe(0);
  });
});
