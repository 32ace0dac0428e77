import { describe, expect, it } from 'vitest';
import { demuxLogs, lastLines, LogDemuxer, splitStamped } from './logs.js';

function frame(type: number, text: string): Buffer {
  const body = Buffer.from(text);
  const h = Buffer.alloc(8);
  h[0] = type;
  h.writeUInt32BE(body.length, 4);
  return Buffer.concat([h, body]);
}

describe('log demuxing', () => {
  it('splits stdout and stderr frames', () => {
    const f = demuxLogs(Buffer.concat([frame(1, 'out\n'), frame(2, 'err\n')]));
    expect(f).toEqual([
      { stream: 'stdout', text: 'out\n' },
      { stream: 'stderr', text: 'err\n' },
    ]);
  });
  it('reassembles frames split across chunks', () => {
    const all = Buffer.concat([frame(1, 'hello '), frame(2, 'world\n')]);
    const d = new LogDemuxer();
    const a = d.push(all.subarray(0, 5));
    const b = d.push(all.subarray(5, 17));
    const c = d.push(all.subarray(17));
    expect([...a, ...b, ...c].map((x) => x.text).join('')).toBe('hello world\n');
  });
  it('keeps the last non-empty lines', () => {
    expect(lastLines('a\nb\n\nc\n', 2)).toEqual(['b', 'c']);
  });
});

describe('timestamped output', () => {
  it('gives each line its engine time and keeps the text whole', () => {
    const parts = splitStamped('2026-12-02T06:00:01.123456789Z hello\n2026-12-02T06:00:02Z world\n');
    expect(parts).toEqual([
      { text: 'hello\n', time: '2026-12-02T06:00:01.123456789Z' },
      { text: 'world\n', time: '2026-12-02T06:00:02Z' },
    ]);
  });
  it('passes text without a stamp unchanged, and does not take a stamp-like word mid-line', () => {
    expect(splitStamped('plain\n')).toEqual([{ text: 'plain\n' }]);
    expect(splitStamped('x 2026-12-02T06:00:02Z y')).toEqual([{ text: 'x 2026-12-02T06:00:02Z y' }]);
  });
});
