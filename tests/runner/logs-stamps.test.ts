/**
 * A box's output as the Logs pane reads it: the recent lines then the new
 * ones, each with its stream and the engine's time, on the real engine.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogChunk } from '../../shared/models.js';
import { createCore, type Core } from '../../electron/core/service.js';
import { buildImage, tempHome, waitFor, type TempHome, endCore } from '../fixtures/index.js';

const IMAGE = 'boxscope-test/stamped:1';
let h: TempHome;
let core: Core;

beforeAll(async () => {
  await buildImage(IMAGE, {
    cmd: ['sh', '-c', 'echo out one; echo err one >&2; trap "exit 0" TERM; while true; do echo later; sleep 0.3; done'],
  });
  h = tempHome();
  core = await createCore({ host: 'cli', env: h.env });
});

afterAll(() => endCore(core, h));

describe('timestamped logs', () => {
  it('gives each line its stream and engine time, and strips the stamp from the text', async () => {
    const before = Date.now() - 5000;
    const r = await core.api.call('boxes:launch', { image: IMAGE, daemon: false });
    const chunks: LogChunk[] = [];
    const off = core.api.listen('logs:follow', { boxId: r.boxId, tail: 100, timestamps: true }, (c) => chunks.push(c));
    try {
      await waitFor(async () => (chunks.some((c) => c.text === 'later\n') ? true : undefined), 'a later line');
      const err = chunks.find((c) => c.text === 'err one\n');
      const out = chunks.find((c) => c.text === 'out one\n');
      expect(err?.stream).toBe('stderr');
      expect(out?.stream).toBe('stdout');
      for (const c of chunks) {
        expect(c.time, c.text).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
        const t = Date.parse(c.time!);
        expect(t).toBeGreaterThan(before);
        expect(t).toBeLessThan(Date.now() + 5000);
        expect(c.text).not.toMatch(/^\d{4}-\d\d-\d\dT/);
      }
    } finally {
      off();
      await core.api.call('boxes:remove', { boxId: r.boxId });
    }
  });
});
