import { describe, expect, it } from 'vitest';
import { overviewPixels, hexRgb } from './overview.js';
import { IdIndex, idToHex, parseIdHex } from './id-index.js';
import { modelOf, span } from '../../test/spans.js';

describe('overview picture', () => {
  it('lights the pixels each band of rows covers in time, errors in red', () => {
    const m = modelOf([
      span('root', undefined, 0, 100, { serviceName: 'svc-a' }),
      span('left', 'root', 0, 50, { serviceName: 'svc-b' }),
      span('bad', 'root', 75, 100, { serviceName: 'svc-b', status: { code: 2 } }),
    ]);
    const colors = [hexRgb('#010203'), hexRgb('#0a0b0c')];
    const red = hexRgb('#ff0000');
    const px = overviewPixels(m, m.start, m.finish, { min: 0, max: 100 }, 4, 3, colors, red);
    const at = (x: number, y: number) => Array.from(px.subarray((y * 4 + x) * 4, (y * 4 + x) * 4 + 4));
    // Band 0 is the root: all four columns, its service's colour.
    for (let x = 0; x < 4; x++) expect(at(x, 0).slice(0, 3)).toEqual([1, 2, 3]);
    // Band 1 "left" covers the first half; band 2 "bad" the last quarter, in red.
    expect(at(0, 1)[3]).toBeGreaterThan(0);
    expect(at(3, 1)[3]).toBe(0);
    expect(at(3, 2).slice(0, 3)).toEqual([255, 0, 0]);
    expect(at(0, 2)[3]).toBe(0);
  });

  it('summarises a large trace in time linear in the spans', () => {
    const n = 100_000;
    const m = modelOf(Array.from({ length: n }, (_, i) => span(`s${i}`, i ? 's0' : undefined, i * 0.01, i * 0.01 + 5)));
    const t0 = performance.now();
    const px = overviewPixels(m, m.start, m.finish, { min: 0, max: n * 0.01 + 5 }, 800, 56, [[1, 2, 3]], [255, 0, 0]);
    expect(performance.now() - t0).toBeLessThan(500);
    expect(px.length).toBe(800 * 56 * 4);
  });
});

describe('IdIndex', () => {
  it('finds every id among many, colliding halves included, and nothing else', () => {
    const idx = new IdIndex(20_000);
    for (let k = 0; k < 10_000; k++) {
      expect(idx.add(k, 7)).toBe(2 * k);
      expect(idx.add(7, k + 1_000_000)).toBe(2 * k + 1);
    }
    expect(idx.add(5, 7)).toBe(10);
    expect(idx.size).toBe(20_000);
    expect(idx.find(9999, 7)).toBe(19_998);
    expect(idx.find(10_001, 7)).toBe(-1);
    const moved = idx.permuted(
      Int32Array.from({ length: 20_000 }, (_, r) => 19_999 - r),
      idx.hi.slice().reverse(),
      idx.lo.slice().reverse(),
    );
    expect(moved.find(9999, 7)).toBe(1);
    expect(idToHex(0xdeadbeef, 1)).toBe('deadbeef00000001');
    expect(parseIdHex('deadbeef00000001')).toEqual([0xdeadbeef, 1]);
    expect(parseIdHex('xyz')).toBeUndefined();
  });
});
