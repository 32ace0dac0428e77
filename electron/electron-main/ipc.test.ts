import { describe, expect, it, vi } from 'vitest';
import { CHANNELS } from '../../shared/api.js';
import { createEvents } from '../core/events.js';

vi.mock('electron', async () => (await import('../test/fake-electron.js')).fakeElectron);

const { FakeBrowserWindow, ipcMainHandlers } = await import('../test/fake-electron.js');
const { registerIpc } = await import('./ipc.js');

function setup() {
  const events = createEvents();
  const calls: Array<[string, unknown]> = [];
  const core = {
    invoke: vi.fn(async (channel: string, arg: unknown) => {
      calls.push([channel, arg]);
      if (channel === 'boxes:stop')
        throw Object.assign(new Error('No box b9'), { code: 'BOX_NOT_FOUND', message: 'No box b9' });
      return channel === 'app:info' ? { host: 'electron' } : undefined;
    }),
    on: events.on,
  };
  const win = new FakeBrowserWindow({});
  const dispose = registerIpc(core as never, () => win as never);
  const trusted = { sender: win.webContents, senderFrame: win.webContents.mainFrame };
  return { core, calls, win, dispose, trusted, events };
}

describe('IPC wiring', () => {
  it('handles every channel of the API and nothing else', () => {
    const { dispose } = setup();
    expect([...ipcMainHandlers.keys()].sort()).toEqual([...CHANNELS].sort());
    dispose();
    expect(ipcMainHandlers.size).toBe(0);
  });

  it('answers the main frame of the app with an envelope', async () => {
    const { dispose, trusted } = setup();
    await expect(ipcMainHandlers.get('app:info')!(trusted, undefined)).resolves.toEqual({
      ok: true,
      result: { host: 'electron' },
    });
    await expect(ipcMainHandlers.get('boxes:stop')!(trusted, { boxId: 'b9' })).resolves.toEqual({
      ok: false,
      error: { code: 'BOX_NOT_FOUND', message: 'No box b9' },
    });
    dispose();
  });

  it('refuses senders that are not the main window on app://', async () => {
    const { dispose, win, calls } = setup();
    const other = new FakeBrowserWindow({});
    const senders = [
      { sender: other.webContents, senderFrame: other.webContents.mainFrame },
      { sender: win.webContents, senderFrame: { url: 'app://boxscope/index.html' } },
      { sender: win.webContents, senderFrame: null },
    ];
    win.webContents.mainFrame.url = 'app://boxscope/index.html';
    for (const s of senders) {
      const r = (await ipcMainHandlers.get('registries:list')!(s, undefined)) as {
        ok: boolean;
        error?: { code: string };
      };
      expect(r.ok).toBe(false);
      expect(r.error?.code).toBe('INVALID_INPUT');
    }
    win.webContents.mainFrame.url = 'https://evil.example/';
    const r = (await ipcMainHandlers.get('registries:list')!(
      { sender: win.webContents, senderFrame: win.webContents.mainFrame },
      undefined,
    )) as {
      ok: boolean;
    };
    expect(r.ok).toBe(false);
    expect(calls).toEqual([]);
    dispose();
  });

  it('validates input before the core sees it', async () => {
    const { dispose, trusted, calls } = setup();
    const r = (await ipcMainHandlers.get('boxes:launch')!(trusted, { image: 42 })) as {
      ok: boolean;
      error: { code: string; message: string };
    };
    expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(r.error.message).toContain('image');
    expect(calls).toEqual([]);
    dispose();
  });

  it('pushes core events to the window', () => {
    const { dispose, win, events } = setup();
    events.emit('logs:chunk', { boxId: 'b1', stream: 'stdout', text: 'hi' });
    expect(win.webContents.sent).toEqual([['logs:chunk', { boxId: 'b1', stream: 'stdout', text: 'hi' }]]);
    dispose();
    events.emit('logs:chunk', { boxId: 'b1', stream: 'stdout', text: 'again' });
    expect(win.webContents.sent).toHaveLength(1);
  });
});
