import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { ExecEvent } from '../../../shared/models.js';
import { MAX_CHUNK, MAX_PENDING, pumpOutput } from './exec.js';

const outputs = (ev: ExecEvent[]) => ev.filter((e) => e.kind === 'output').map((e) => (e as { data: string }).data);

describe('terminal output', () => {
  it('keeps a character whole when its bytes are split across reads', async () => {
    const s = new PassThrough();
    const got: ExecEvent[] = [];
    const done = pumpOutput(s, (e) => got.push(e), new AbortController().signal);
    const bytes = Buffer.from('a\u00e9\u4e16\u{1F600}z');
    for (const b of bytes) s.write(Buffer.from([b]));
    s.end();
    await done;
    expect(outputs(got).join('')).toBe('a\u00e9\u4e16\u{1F600}z');
  });

  it('sends a flood in items of at most 64 KiB, at most one per tick, and pauses the box past the bound', async () => {
    const s = new PassThrough({ highWaterMark: 16 * 1024 });
    let pauses = 0;
    const pause = s.pause.bind(s);
    s.pause = () => (pauses++, pause());
    const got: Array<{ at: number; n: number }> = [];
    const all: string[] = [];
    const done = pumpOutput(
      s,
      (e) => {
        if (e.kind !== 'output') return;
        got.push({ at: Date.now(), n: e.data.length });
        all.push(e.data);
      },
      new AbortController().signal,
    );
    const total = 3 * MAX_PENDING;
    let written = 0;
    let sawBackpressure = false;
    // The writer fills until the stream says stop, as the engine's socket would.
    while (written < total) {
      const chunk = Buffer.alloc(32 * 1024, 0x79);
      written += chunk.length;
      if (!s.write(chunk)) {
        sawBackpressure = true;
        await new Promise((r) => s.once('drain', r));
      }
    }
    s.end();
    const t0 = got[0]?.at ?? Date.now();
    await done;
    expect(all.join('').length).toBe(written);
    expect(Math.max(...got.map((g) => g.n))).toBeLessThanOrEqual(MAX_CHUNK);
    // 3 MiB at 64 KiB a tick: 48 items over at least ~47 ticks.
    expect(got.length).toBeGreaterThanOrEqual(written / MAX_CHUNK);
    expect(got.at(-1)!.at - t0).toBeGreaterThanOrEqual(((written / MAX_CHUNK - 1) * 16) / 2);
    expect(sawBackpressure).toBe(true);
    expect(pauses).toBeGreaterThan(0);
  });

  it('never splits a surrogate pair between items and stops at once when disposed', async () => {
    const s = new PassThrough();
    const got: ExecEvent[] = [];
    const ac = new AbortController();
    const done = pumpOutput(s, (e) => got.push(e), ac.signal);
    s.write('x'.repeat(MAX_CHUNK - 1) + '\u{1F600}' + 'tail');
    await new Promise((r) => setTimeout(r, 80));
    const parts = outputs(got);
    expect(parts[0]!.length).toBe(MAX_CHUNK - 1);
    expect(parts[1]!.startsWith('\u{1F600}')).toBe(true);
    ac.abort();
    await done;
    const n = got.length;
    s.write('more');
    await new Promise((r) => setTimeout(r, 50));
    expect(got.length).toBe(n);
  });
});
