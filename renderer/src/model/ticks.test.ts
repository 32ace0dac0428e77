import { describe, expect, it } from 'vitest';
import { niceStep, roundTicks } from './ticks.js';

describe('round axis ticks', () => {
  it('steps by 1, 2 or 5 × 10^k', () => {
    expect(niceStep(1000, 5)).toBe(200);
    expect(niceStep(372, 5)).toBe(100);
    expect(niceStep(0.9, 5)).toBeCloseTo(0.2);
    expect(niceStep(7_300, 5)).toBe(2000);
    expect(niceStep(0, 5)).toBe(1);
    expect(niceStep(Number.NaN, 5)).toBe(1);
  });

  it('puts ticks at multiples of the step inside the window, with exact values', () => {
    const t = roundTicks(0, 372, 5);
    expect(t.map((x) => x.at)).toEqual([0, 100, 200, 300]);
    expect(t[1].frac).toBeCloseTo(100 / 372);
    const z = roundTicks(13.7, 14.6, 5);
    expect(z.map((x) => x.at)).toEqual([13.8, 14, 14.2, 14.4, 14.6]);
    expect(z.every((x) => x.frac >= 0 && x.frac <= 1 + 1e-9)).toBe(true);
    const tiny = roundTicks(0.1, 0.4, 3);
    expect(tiny.map((x) => x.at)).toEqual([0.1, 0.2, 0.3, 0.4]);
  });

  it('survives a zero-length window', () => {
    expect(roundTicks(5, 5)).toEqual([{ at: 5, frac: 0 }]);
  });
});

describe('tick labels', () => {
  it('drop trailing zeros', async () => {
    const { tickLabel } = await import('./ticks.js');
    expect(tickLabel('1.00 s')).toBe('1 s');
    expect(tickLabel('1.50 s')).toBe('1.5 s');
    expect(tickLabel('200 ms')).toBe('200 ms');
    expect(tickLabel('0.20 ms')).toBe('0.2 ms');
    expect(tickLabel('10.0 ms')).toBe('10 ms');
  });
});
