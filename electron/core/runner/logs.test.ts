import { describe, expect, it } from 'vitest';
import { demuxLogs, lastLines, LogDemuxer } from './logs.js';

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
