/** traces:importFile through the core's entry, on a real store: progress, the path checks, errors, cancel. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportProgress } from '../../../shared/models.js';
import type { ErrorInfo } from '../../../shared/errors.js';
import { createCore, type Core } from '../service.js';
import { importTraceStream } from './import.js';

let home: string;
let core: Core;
let file: string;
let traceId: string;

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'boxscope-import-'));
  core = await createCore({
    host: 'cli',
    home: path.join(home, 'data'),
    env: { ...process.env, BOXSCOPE_HOME: path.join(home, 'data'), DOCKER_HOST: `unix://${home}/none.sock` },
  });
  file = path.join(home, 'trace.json');
  traceId = execFileSync(process.execPath, [
    'bench/fixtures/make-trace.mjs',
    '--spans',
    '5000',
    '--seed',
    '5',
    '--out',
    file,
  ])
    .toString()
    .trim();
});

afterAll(async () => {
  await core?.close();
  fs.rmSync(home, { recursive: true, force: true });
});

function importFile(p: string): Promise<{ items: ImportProgress[]; error?: ErrorInfo }> {
  return new Promise((resolve) => {
    const items: ImportProgress[] = [];
    core.api.listen(
      'traces:importFile',
      { path: p },
      { data: (i) => items.push(i), end: (error) => resolve({ items, error }) },
    );
  });
}

describe('traces:importFile', () => {
  it('reads the file from disk in batches, the first item as soon as one is stored, the last done', async () => {
    const live: number[] = [];
    const off = core.ctx.events.on('spans:added', (e) => e.traceId === traceId && live.push(e.spans.length));
    const { items, error } = await importFile(file);
    off();
    expect(error).toBeUndefined();
    const size = fs.statSync(file).size;
    expect(items[0]).toMatchObject({ traceIds: [traceId], spans: 2000, totalBytes: size, done: false });
    expect(items.at(-1)).toEqual({ traceIds: [traceId], spans: 5000, bytes: size, totalBytes: size, done: true });
    expect(core.ctx.store.getTrace(traceId)).toHaveLength(5000);
    // Stored batch by batch: an open timeline sees them arrive.
    expect(live.length).toBeGreaterThanOrEqual(3);
  });

  it('refuses a relative path, a directory and a missing file in one line', async () => {
    expect((await importFile('trace.json')).error).toMatchObject({
      code: 'INVALID_INPUT',
      message: 'A trace file path must be absolute',
    });
    expect((await importFile(home)).error?.message).toMatch(/is not a regular file$/);
    expect((await importFile(path.join(home, 'nope.json'))).error?.message).toBe('Cannot read nope.json: no such file');
  });

  it('reports a bad file with its name and keeps the spans before the error', async () => {
    const bad = path.join(home, 'bad.json');
    const text = fs.readFileSync(file, 'utf8').replaceAll(traceId, 'e'.repeat(32));
    fs.writeFileSync(bad, text.slice(0, text.length - 5000));
    const { items, error } = await importFile(bad);
    expect(error).toMatchObject({ code: 'BAD_TRACE_FILE', details: { traceIds: ['e'.repeat(32)] } });
    expect(error!.message).toMatch(
      /^bad\.json: truncated: the file ends inside a span at byte \d+; the \d+ spans before it were stored$/,
    );
    const stored = Number(/the (\d+) spans/.exec(error!.message)![1]);
    expect(core.ctx.store.getTrace('e'.repeat(32))).toHaveLength(stored);
    expect(items.every((i) => !i.done)).toBe(true);
  });

  it('stops reading when its signal aborts', async () => {
    const ac = new AbortController();
    const buf = fs.readFileSync(file);
    let fed = 0;
    async function* slow() {
      for (let i = 0; i < buf.length; i += 64 * 1024) {
        fed++;
        if (fed === 20) ac.abort();
        yield buf.subarray(i, i + 64 * 1024);
        await new Promise((r) => setImmediate(r));
      }
    }
    await expect(importTraceStream(core.ctx, slow(), { signal: ac.signal })).rejects.toMatchObject({
      code: 'CANCELLED',
    });
    expect(fed).toBe(20);
  });
});

describe('a Jaeger file whose processes come last', () => {
  it('stores its spans batch by batch with turns of the event loop between, so the page is served meanwhile', async () => {
    const T = 'e1'.repeat(16);
    const spans = Array.from({ length: 6000 }, (_, i) => ({
      traceID: T,
      spanID: (i + 1).toString(16).padStart(16, '0'),
      operationName: `op-${i}`,
      startTime: 1_700_000_000_000_000 + i,
      duration: 5,
      processID: 'p1',
      tags: Array.from({ length: 10 }, (_, k) => ({ key: `k${k}`, type: 'string', value: `value-${i}-${k}` })),
    }));
    const text = JSON.stringify({ data: [{ traceID: T, spans, processes: { p1: { serviceName: 'jsvc' } } }] });
    let storedWhenServed: number | undefined;
    const last = await importTraceStream(core.ctx, [Buffer.from(text)], {
      fileName: 'j.json',
      batchSpans: 500,
      onProgress: (p) => {
        // What a request arriving now (the page asking for the first columns) would find when it runs.
        if (p.spans && storedWhenServed === undefined)
          setImmediate(() => (storedWhenServed = core.ctx.store.getTrace(T).length));
      },
    });
    expect(last.spans).toBe(6000);
    expect(storedWhenServed).toBeGreaterThan(0);
    expect(storedWhenServed).toBeLessThan(6000);
    expect(core.ctx.store.getTrace(T)[0]!.serviceName).toBe('jsvc');
  });
});
