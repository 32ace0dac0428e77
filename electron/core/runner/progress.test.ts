import { describe, expect, it } from 'vitest';
import { PullAggregator, streamError } from './progress.js';

describe('PullAggregator', () => {
  it('sums per-layer bytes and counts finished layers', () => {
    const a = new PullAggregator();
    const evs = [
      { status: 'Pulling from acme/app', id: '1' },
      { status: 'Pulling fs layer', id: 'l1' },
      { status: 'Pulling fs layer', id: 'l2' },
      { status: 'Already exists', id: 'l0' },
      { status: 'Downloading', id: 'l1', progressDetail: { current: 100, total: 1000 } },
      { status: 'Downloading', id: 'l2', progressDetail: { current: 50, total: 500 } },
    ];
    for (const e of evs) a.add(e);
    let s = a.snapshot();
    expect(s).toMatchObject({ layersTotal: 3, layersDone: 1, bytesCurrent: 150, bytesTotal: 1500 });
    a.add({ status: 'Download complete', id: 'l1' });
    a.add({ status: 'Extracting', id: 'l1', progressDetail: { current: 10, total: 4000 } });
    a.add({ status: 'Pull complete', id: 'l1' });
    a.add({ status: 'Digest: sha256:abc' });
    s = a.snapshot();
    expect(s.bytesCurrent).toBe(1050);
    expect(s.layersDone).toBe(2);
    expect(s.digest).toBe('sha256:abc');
    expect(a.completed.map((l) => l.id)).toEqual(['l0', 'l1']);
    expect(s.layers.find((l) => l.id === 'l1')).toMatchObject({ done: true, current: 1000, total: 1000 });
  });
  it('finds the in-band error of a failed pull', () => {
    expect(
      streamError([
        { status: 'x' },
        { error: 'unauthorized', errorDetail: { message: 'unauthorized: authentication required' } },
      ]),
    ).toBe('unauthorized: authentication required');
    expect(streamError([{ status: 'ok' }])).toBeUndefined();
  });
});
