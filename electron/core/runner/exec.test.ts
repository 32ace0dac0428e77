import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { ExecEvent } from '../../../shared/models.js';
import { MAX_CHUNK, MAX_PENDING, PidLine, pidWrapped, pumpOutput } from './exec.js';

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

describe("the pid wrapper's first line", () => {
  const M = 'bxs0123456789abcdef:';
  async function pump(chunks: Array<string | Buffer>) {
    const s = new PassThrough();
    const head = new PidLine(M);
    const got: ExecEvent[] = [];
    const done = pumpOutput(s, (e) => got.push(e), new AbortController().signal, head);
    for (const c of chunks) s.write(typeof c === 'string' ? Buffer.from(c) : c);
    s.end();
    await done;
    return { out: outputs(got).join(''), pid: head.pid };
  }

  it('wraps the command so that it keeps its arguments as given', () => {
    expect(pidWrapped(M, ['sh', '-c', 'echo "$1"', 'x y'])).toEqual([
      '/bin/sh',
      '-c',
      `echo ${M}$$; exec "$@"`,
      'sh',
      'sh',
      '-c',
      'echo "$1"',
      'x y',
    ]);
  });

  it('reads the pid and strips its line, however the reads split it', async () => {
    const text = `${M}4242\r\n$ h\u00e9llo\r\n`;
    const bytes = Buffer.from(text);
    expect(await pump([text])).toEqual({ out: '$ h\u00e9llo\r\n', pid: 4242 });
    expect(await pump([...bytes].map((b) => Buffer.from([b])))).toEqual({ out: '$ h\u00e9llo\r\n', pid: 4242 });
    expect(await pump([`${M}42`, `42\r`, `\n$ `])).toEqual({ out: '$ ', pid: 4242 });
  });

  it('counts only the very first line: a marker printed later is shown and never read', async () => {
    expect(await pump([`${M}7\r\n`, `${M}99\r\n`])).toEqual({ out: `${M}99\r\n`, pid: 7 });
    // Output that does not open with the marker passes at once, marker lines after it included.
    expect(await pump([`hello\r\n${M}99\r\n`])).toEqual({ out: `hello\r\n${M}99\r\n`, pid: undefined });
    expect(await pump([`bxs`, `-other\r\n`])).toEqual({ out: 'bxs-other\r\n', pid: undefined });
    // A marker with no pid, pid 1, or a line too long to be the wrapper's: shown as it is.
    expect(await pump([`${M}abc\r\n`])).toEqual({ out: `${M}abc\r\n`, pid: undefined });
    expect(await pump([`${M}1\r\n`])).toEqual({ out: `${M}1\r\n`, pid: undefined });
    const long = `${M}${'9'.repeat(80)}`;
    expect(await pump([long, '\r\n'])).toEqual({ out: `${long}\r\n`, pid: undefined });
    // A stream that ends inside the held-back line shows what it held.
    expect(await pump([`${M}12`])).toEqual({ out: `${M}12`, pid: undefined });
  });
});
