/**
 * Trace store speed, with ratios against a baseline measured in the same run:
 * ingest against decoding the same bytes alone (the file parse, the OTLP JSON
 * decode of each 1000-span request), reads in ms. `--scale-to M` grows the
 * trace to M spans (copies of the file's spans under new ids) before the
 * reads, so columns, search and span lookups are measured at 1M spans too;
 * the columns are served by a child process whose peak RSS is reported.
 * Run: node --import tsx bench/trace-store.bench.ts [--spans N] [--scale-to M]
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SpanRecord } from '../shared/models.js';
import { decodeColumns } from '../shared/trace-columns.js';
import { decodeOtlpJson } from '../electron/core/otlp/decode.js';
import { parseTraceFile } from '../electron/core/otlp/trace-file.js';
import { createEvents } from '../electron/core/events.js';
import { serveColumns } from '../electron/core/handlers/trace-columns.js';
import { openTraceStore } from '../electron/core/store/trace-store.js';
import { createOtlpHandler, listenTcp } from '../electron/core/telemetry/receiver.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const log = { info() {}, warn() {}, error() {} };

function time(fn: () => void): number {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}
async function timeAsync(fn: () => Promise<void>): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

/** Child mode: serve one trace's columns from a store file as the core does; prints ms, batches, bytes, peak RSS. */
async function serveChild(db: string, traceId: string): Promise<void> {
  const store = openTraceStore(db);
  const ac = new AbortController();
  let spans = 0;
  let bytes = 0;
  let batches = 0;
  const ms = await timeAsync(() =>
    serveColumns(
      { store, events: createEvents() },
      traceId,
      (item) => {
        batches++;
        bytes += item.byteLength;
        const b = decodeColumns(item);
        spans += b.count;
        if (b.storedDone) ac.abort();
      },
      ac.signal,
    ),
  );
  store.close();
  const rssMb = process.resourceUsage().maxRSS / 1024;
  console.log(JSON.stringify({ ms, spans, batches, bytes, rssMb }));
}

/** The same spans under new ids (copy k of span i gets id k·2^40 + i), in the same trace. */
function copyOf(spans: SpanRecord[], k: number, index: Map<string, number>): SpanRecord[] {
  const id = (old: string | undefined) => {
    const i = old === undefined ? undefined : index.get(old);
    return i === undefined ? old : ((BigInt(k) << 40n) | BigInt(i)).toString(16).padStart(16, '0');
  };
  return spans.map((s) => ({ ...s, spanId: id(s.spanId)!, parentSpanId: id(s.parentSpanId) }));
}

async function main(): Promise<void> {
  const n = Number(arg('--spans') ?? 100_000);
  const scaleTo = Number(arg('--scale-to') ?? n);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bxs-bench-'));
  try {
    const file = path.join(dir, 'trace.json');
    const traceId = execFileSync(process.execPath, [
      path.join(here, 'fixtures', 'make-trace.mjs'),
      ...['--spans', String(n), '--out', file, '--seed', '7'],
    ])
      .toString()
      .trim();
    const content = fs.readFileSync(file, 'utf8');
    const rows: string[] = [];
    const row = (name: string, ms: number, extra = '') =>
      rows.push(`${name.padEnd(40)} ${ms.toFixed(0).padStart(7)} ms  ${extra}`);
    const rate = (count: number, ms: number, base: number) =>
      `${Math.round(count / (ms / 1000))
        .toLocaleString('en')
        .padStart(9)} spans/s  ${(ms / base).toFixed(2)}× decode`;

    // A file import: decode the file, then one addSpans of every span.
    let spans: SpanRecord[] = [];
    const decodeFile = time(() => void (spans = parseTraceFile(content)));
    const store = openTraceStore(path.join(dir, 'a.db'), { maxTraces: 100 });
    const importMs = time(() => store.addSpans(spans));
    row('decode file (baseline)', decodeFile);
    row('addSpans, whole file', importMs, rate(n, importMs, decodeFile));

    // The receiver's shape: 1000-span OTLP JSON requests, decoded then stored one by one.
    const doc = JSON.parse(content) as {
      resourceSpans: { resource: unknown; scopeSpans: { scope: unknown; spans: unknown[] }[] }[];
    };
    const bodies: string[] = [];
    for (const rs of doc.resourceSpans) {
      const all = rs.scopeSpans[0]!.spans;
      for (let k = 0; k < all.length; k += 1000) {
        const scopeSpans = [{ scope: rs.scopeSpans[0]!.scope, spans: all.slice(k, k + 1000) }];
        bodies.push(JSON.stringify({ resourceSpans: [{ resource: rs.resource, scopeSpans }] }));
      }
    }
    let batches: SpanRecord[][] = [];
    const decodeBatches = time(() => void (batches = bodies.map((b) => decodeOtlpJson(b).spans)));
    const store2 = openTraceStore(path.join(dir, 'b.db'), { maxTraces: 100 });
    const batchMs = time(() => {
      for (const b of batches) store2.addSpans(b);
    });
    row('decode 1000-span OTLP JSON (baseline)', decodeBatches);
    row('addSpans, 1000-span batches', batchMs, rate(n, batchMs, decodeBatches));
    store2.close();

    const store3 = openTraceStore(path.join(dir, 'c.db'), { maxTraces: 100 });
    const srv = await listenTcp(createOtlpHandler({ store: store3, log }, 'tcp'), 0);
    const receiveMs = await timeAsync(async () => {
      for (const body of bodies) {
        const r = await fetch(`http://127.0.0.1:${srv.port}/v1/traces`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        });
        if (r.status !== 200) throw new Error(`receiver answered ${r.status}`);
      }
    });
    await srv.close();
    store3.close();
    row('OTLP/HTTP receive, 1000-span posts', receiveMs, rate(n, receiveMs, decodeBatches));

    // Grow the trace for the reads.
    let total = n;
    const index = new Map(spans.map((s, i) => [s.spanId, i]));
    const growMs = await timeAsync(async () => {
      for (let k = 1; total < scaleTo; k++) {
        const more = copyOf(spans.slice(0, scaleTo - total), k, index);
        store.addSpans(more);
        total += more.length;
      }
    });
    if (total > n)
      row(`addSpans, growing to ${total}`, growMs, rate(total - n, growMs, (decodeFile * (total - n)) / n));
    rows.push(`-- reads of one ${total.toLocaleString('en')}-span trace`);

    const out = execFileSync(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(import.meta.url), '--serve-columns', path.join(dir, 'a.db'), traceId],
      { cwd: path.join(here, '..') },
    ).toString();
    const c = JSON.parse(out.trim().split('\n').pop()!) as {
      ms: number;
      spans: number;
      batches: number;
      bytes: number;
      rssMb: number;
    };
    if (c.spans !== total) throw new Error(`columns served ${c.spans} spans, wanted ${total}`);
    row(
      'traces:columns, stored phase',
      c.ms,
      `${c.batches} batches, ${(c.bytes / 2 ** 20).toFixed(0)} MiB, child peak RSS ${c.rssMb.toFixed(0)} MiB`,
    );

    for (const q of [
      'layer.index=4242',
      'process.exec',
      'process',
      'boxscope.image.reference=*',
      'is:error',
      'service:daemon name:exec',
      'no-such-word',
    ]) {
      let hits = 0;
      const ms = await timeAsync(async () => {
        hits = (await store.searchSpans(traceId, q, 100_000)).spanIds.length;
      });
      row(`traces:search "${q}"`, ms, `${hits} hits`);
    }
    const ids = spans.slice(0, 1000).map((s) => s.spanId);
    const spanMs = time(() => {
      for (const id of ids) if (!store.getSpan(traceId, id)) throw new Error('span lookup missed');
    });
    row('traces:span, 1000 lookups', spanMs, `${((spanMs / ids.length) * 1000).toFixed(0)} µs each`);
    if (total <= 200_000) {
      let read = 0;
      row(
        'getTrace (every span as an object)',
        time(() => void (read = store.getTrace(traceId).length)),
        `${read} spans`,
      );
    }
    row(
      'listTraces',
      time(() => store.listTraces({ limit: 100 })),
    );
    store.close();

    console.log(`trace store, ${n} spans from the file${total > n ? `, grown to ${total}` : ''}`);
    for (const r of rows) console.log(r);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const child = process.argv.indexOf('--serve-columns');
if (child > 0) await serveChild(process.argv[child + 1]!, process.argv[child + 2]!);
else await main();
