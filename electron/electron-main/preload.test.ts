import { describe, expect, it, vi } from 'vitest';

vi.mock('electron', async () => (await import('../test/fake-electron.js')).fakeElectron);

const posted: Array<[unknown, string, unknown[]]> = [];
vi.stubGlobal('window', {
  location: { origin: 'app://boxscope' },
  postMessage: (msg: unknown, origin: string, transfer: unknown[]) => posted.push([msg, origin, transfer]),
});

const { exposed, rendererListeners, rendererSent } = await import('../test/fake-electron.js');
await import('./preload.js');

describe('preload', () => {
  it('exposes only a host flag and a File-to-path lookup, no API object, ipcRenderer or Node', () => {
    expect(Object.keys(exposed)).toEqual(['boxscopeHost']);
    const host = exposed.boxscopeHost as { kind: string; pathForFile(f: unknown): string };
    expect(Object.keys(host)).toEqual(['kind', 'pathForFile']);
    expect(host.kind).toBe('electron');
    expect(host.pathForFile({ path: '/home/u/trace.json' })).toBe('/home/u/trace.json');
  });

  it('asks main for a port once per page load', () => {
    expect(rendererSent).toEqual([['boxscope:connect', []]]);
  });

  it('hands the port to the page on its own origin, without the IPC event', () => {
    const [listener] = [...rendererListeners.get('boxscope:port')!];
    const port = { fake: 'port' };
    listener!({ ports: [port], sender: 'ipcRenderer' });
    expect(posted).toEqual([['boxscope:port', 'app://boxscope', [port]]]);
    listener!({ ports: [] });
    expect(posted).toHaveLength(1);
  });
});
