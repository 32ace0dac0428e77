/**
 * A box sending several gzip bombs at once (issue 10's soak found the core at
 * 563 MB, over its 512 MB bound): each sender may have one full body being
 * read at a time, the others get OTLP's retryable 429 with Retry-After at
 * once instead of inflating to the cap; another box is answered meanwhile.
 */
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BodyBudget, MAX_BODY_BYTES } from '../../electron/core/telemetry/receiver.js';
import { hexId, jsonSpan, otlpJson, rawPost, startTelemetry, tempHome } from './helpers.js';

describe('BodyBudget', () => {
  it('holds one sender to its share and everyone to the total', () => {
    const b = new BodyBudget(100, 150);
    expect(b.take('a', 100)).toBe(true);
    expect(b.take('a', 1)).toBe(false);
    expect(b.take('b', 60)).toBe(false);
    expect(b.take('b', 50)).toBe(true);
    b.give('a', 100);
    expect(b.take('a', 90)).toBe(true);
  });
});

describe('gzip bombs sent at once by one box', () => {
  const env = tempHome();
  let tel: Awaited<ReturnType<typeof startTelemetry>>;
  let url: string;
  const bombTrace = hexId(16);
  const quietTrace = hexId(16);

  beforeAll(async () => {
    tel = await startTelemetry(env.paths, { otlpPort: 0 });
    url = tel.otlpEndpoint()!;
    tel.store.registerBoxToken('box-bomber', 'token-of-bomber-01', bombTrace);
    tel.store.registerBoxToken('box-quiet2', 'token-of-quiet2-01', quietTrace);
  });
  afterAll(async () => {
    await tel.close();
    env.cleanup();
  });

  it('reads one at a time: the rest get 429 with Retry-After, and the other box is stored', async () => {
    const bomb = zlib.gzipSync(Buffer.alloc(MAX_BODY_BYTES + (8 << 20), 0x41), { level: 9 });
    const headers = {
      'content-type': 'application/json',
      'content-encoding': 'gzip',
      'box-auth-token': 'token-of-bomber-01',
    };
    const bombs = Array.from({ length: 6 }, () => rawPost({ url }, bomb, headers));
    const quiet = rawPost({ url }, otlpJson([jsonSpan(quietTrace, 'quiet.op')]), {
      'content-type': 'application/json',
      'box-auth-token': 'token-of-quiet2-01',
    });
    const answers = await Promise.all(bombs);
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses.every((s) => s === 413 || s === 429)).toBe(true);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(3);
    for (const a of answers.filter((x) => x.status === 429)) {
      expect(Number(a.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(JSON.parse(a.body.toString()).message).toMatch(/box box-bomber has too many bytes/);
    }
    expect((await quiet).status).toBe(200);
    expect(tel.store.getTrace(quietTrace).map((s) => s.name)).toEqual(['quiet.op']);
    // Once the bombs are answered the box's share is free again.
    const after = await rawPost({ url }, otlpJson([jsonSpan(bombTrace, 'after.op')]), {
      'content-type': 'application/json',
      'box-auth-token': 'token-of-bomber-01',
    });
    expect(after.status).toBe(200);
  }, 60_000);
});
