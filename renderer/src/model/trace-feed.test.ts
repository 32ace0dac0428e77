import { describe, expect, it } from 'vitest';
import { ColumnWriter, columnInputOf } from '../../../shared/trace-columns.js';
import type { SpanRecord } from '../../../shared/models.js';
import { TraceFeed } from './trace-feed.js';
import { span } from '../../test/spans.js';

const encode = (spans: SpanRecord[], phase: 'stored' | 'live', done = false) => {
  const w = new ColumnWriter('a'.repeat(32), phase);
  for (const s of spans) w.add(columnInputOf(s));
  return w.finish(done ? { storedDone: true, storedTotal: 0 } : {});
};
const spansFrom = (from: number, n: number) =>
  Array.from({ length: n }, (_, k) => span(`s${from + k}`, from + k ? 's0' : undefined, from + k, from + k + 1));

describe('TraceFeed', () => {
  it('builds at once for the first batch, then only when pending spans reach the model size', () => {
    const feed = new TraceFeed();
    const sizes: number[] = [];
    let received = 0;
    for (let b = 0; b < 64; b++) {
      feed.add(encode(spansFrom(received, 100), 'stored', b === 63), 0);
      received += 100;
      if (feed.due(0) === 0) sizes.push(feed.build(() => 0).size);
    }
    // Doubling sizes: the work of all builds stays within twice the last one.
    expect(sizes).toEqual([100, 200, 400, 800, 1600, 3200, 6400]);
    expect(sizes.reduce((a, b) => a + b, 0)).toBeLessThan(2 * 6400);
    expect(feed.status).toEqual({ received: 6400, storedDone: true, storedTotal: 0 });
    expect(feed.due(0)).toBe(Infinity);
  });

  it('waits a little before a small stored append, but appends a live one at once', () => {
    const feed = new TraceFeed();
    feed.add(encode(spansFrom(0, 1000), 'stored'), 0);
    let t = 0;
    // While the store's spans stream in, a build that takes 50 ms makes the next small one wait three times that.
    feed.build(() => (t += 50));
    feed.add(encode(spansFrom(1000, 1), 'stored'), 1000);
    expect(feed.due(1000)).toBe(150);
    expect(feed.due(1150)).toBe(0);
    expect(feed.build(() => 0).size).toBe(1001);
    expect(feed.lastBuild).toBe('whole');
    const quick = new TraceFeed();
    quick.add(encode(spansFrom(0, 10), 'stored'), 0);
    quick.build(() => 0);
    quick.add(encode(spansFrom(10, 1), 'stored'), 5);
    // Within the 250 ms a live span may take to show.
    expect(quick.due(5)).toBe(120);
    // Once the stored spans are in, a live span is appended to the model and due at once.
    quick.add(encode([], 'stored', true), 6);
    quick.build(() => 0);
    expect(quick.add(encode(spansFrom(11, 1), 'live'), 10)).toBe(true);
    expect(quick.due(10)).toBe(0);
    expect(quick.build(() => 0).size).toBe(12);
    expect(quick.lastBuild).toBe('append');
    // An update that cost the page 40 ms: the next append waits as long from its arrival.
    quick.spent(40);
    quick.add(encode(spansFrom(12, 1), 'live'), 100);
    expect(quick.due(100)).toBe(40);
    expect(quick.due(150)).toBe(0);
  });

  it('builds an empty model once the store says it holds nothing', () => {
    const feed = new TraceFeed();
    expect(feed.due(0)).toBe(Infinity);
    feed.add(encode([], 'stored', true), 0);
    expect(feed.due(0)).toBe(0);
    expect(feed.build().size).toBe(0);
    expect(feed.status.storedDone).toBe(true);
  });
});
