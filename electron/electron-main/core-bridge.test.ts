/** The bridge's lifecycle against a core module that cannot start (Electron mocked, the module really runs). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';

vi.mock('electron', async () => (await import('../test/fake-electron.js')).fakeElectron);

const fake = await import('../test/fake-electron.js');
const { startCoreBridge } = await import('./core-bridge.js');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'boxscope-bridge-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('core bridge', () => {
  it('reports a core that dies while starting once, with its own message, and does not restart it in a loop', async () => {
    const mod = path.join(tmp, 'broken-core.cjs');
    fs.writeFileSync(
      mod,
      "process.parentPort.postMessage({ type: 'fatal', message: 'The trace store is damaged; move it aside.' }); setTimeout(() => process.exit(1), 20);",
    );
    fake.state.forkModule = mod;
    const failures: string[] = [];
    const bridge = startCoreBridge({
      modulePath: mod,
      secretBackend: {
        name: 't',
        secure: true,
        get: async () => undefined,
        set: async () => {},
        delete: async () => {},
      },
      getWindow: () => undefined,
      onCannotStart: (m) => failures.push(m),
    });
    for (let i = 0; i < 200 && failures.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(failures).toEqual(['The trace store is damaged; move it aside.']);
    expect(fake.FakeUtilityProcess.forked).toHaveLength(1);
    expect(fake.errorBoxes).toEqual([]);
    expect(bridge.child()).toBe(fake.FakeUtilityProcess.forked[0]);
    fake.state.forkModule = undefined;
  });
});
