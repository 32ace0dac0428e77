/**
 * Spans arriving through the OTLP receiver, on the user's path: a real
 * `boxscope serve` (fresh data dir) and the OpenTelemetry SDK's own exporters.
 *   1. Ingest: spans exported as fast as the SDK sends them (1k-span requests, OTLP/HTTP JSON and
 *      protobuf) until every request is answered — spans/s, and the ratio to decoding the same
 *      request bytes alone with the core's own decoder (the floor of any ingest).
 *   2. Live timeline: a trace file opened through the Traces page, then spans of that trace
 *      exported at a steady rate (default 50k spans/s) while it is open; the lag from a span's
 *      end in the exporting process to the timeline's header counting it, and the renderer's share
 *      (a batch's arrival in the page → the frame whose header counts it).
 *   3. The renderer alone (first; --page-only: only it): column batches handed to the timeline over the
 *      test harness at the same rate, with one whole build of the final model in the same page as baseline.
 * Run: node --import tsx bench/live.bench.ts [--rate 50000] [--seconds 4] [--ingest 200000] [--live-only] [--page-only | --no-page] [--repeat N] [--no-build]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { context, trace, TraceFlags } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { decodeOtlpJson, decodeOtlpProtobuf } from '../electron/core/otlp/decode.js';
import { buildRenderer, harnessScript, launchChromium, repoRoot, serve } from '../renderer/scripts/page-harness.mjs';
import { buildCli } from '../scripts/build-cli.mjs';
import { startServe } from './lib/serve.mjs';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const RATE = arg('--rate', 50_000);
const SECONDS = arg('--seconds', 4);
const INGEST = arg('--ingest', 200_000);
const REPEAT = arg('--repeat', 1);
const BATCH = 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
};

type Protocol = 'json' | 'protobuf';

/** A tracer provider exporting 1k-span requests to the serve's receiver, and a way to wait for all answers. */
function provider(otlp: string, protocol: Protocol, service: string) {
  const url = `${otlp}/v1/traces`;
  // The SDK flushes a deep queue as many requests at once: let them all through.
  const opts = { url, concurrencyLimit: 10_000, timeoutMillis: 60_000 };
  const exporter = protocol === 'json' ? new JsonExporter(opts) : new ProtoExporter(opts);
  let answered = 0;
  let failed = 0;
  const counting = {
    export(spans: ReadableSpan[], done: (r: { code: number; error?: Error }) => void) {
      exporter.export(spans, (r) => {
        if (r.code === 0) answered += spans.length;
        else failed += spans.length;
        done(r);
      });
    },
    shutdown: () => exporter.shutdown(),
    forceFlush: () => exporter.forceFlush(),
  };
  const p = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [
      new BatchSpanProcessor(counting, {
        maxExportBatchSize: BATCH,
        maxQueueSize: 2_000_000,
        scheduledDelayMillis: 5,
        exportTimeoutMillis: 60_000,
      }),
    ],
  });
  return { p, tracer: p.getTracer('boxscope-bench'), answered: () => answered, failed: () => failed };
}

function makeSpans(
  tracer: ReturnType<BasicTracerProvider['getTracer']>,
  n: number,
  parent?: { traceId: string; spanId: string },
) {
  const ctx = parent
    ? trace.setSpanContext(context.active(), { ...parent, traceFlags: TraceFlags.SAMPLED, isRemote: true })
    : context.active();
  for (let i = 0; i < n; i++) {
    const s = tracer.startSpan(
      'layer.extract',
      { attributes: { 'layer.index': i, 'layer.digest': `sha256:${i}` } },
      ctx,
    );
    s.end();
  }
}

/** Finished spans, made by the SDK but not exported: the ingest timing covers only the exporter's and the receiver's work. */
function captureSpans(n: number): ReadableSpan[] {
  const spans: ReadableSpan[] = [];
  const capture = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'bench-ingest' }),
    spanProcessors: [
      {
        onStart() {},
        onEnd: (s: ReadableSpan) => void spans.push(s),
        forceFlush: async () => {},
        shutdown: async () => {},
      },
    ],
  });
  // As exporters send them: each 1k-span request one trace (a root and its children);
  // BOXSCOPE_BENCH_ONE_SPAN_TRACES=1 makes every span its own trace (many small traces).
  const tracer = capture.getTracer('boxscope-bench');
  if (process.env.BOXSCOPE_BENCH_ONE_SPAN_TRACES === '1') {
    makeSpans(tracer, n);
    return spans;
  }
  for (let i = 0; i < n; i += BATCH) {
    const root = tracer.startSpan('bench.request');
    const ctx = root.spanContext();
    makeSpans(tracer, Math.min(BATCH, n - i) - 1, { traceId: ctx.traceId, spanId: ctx.spanId });
    root.end();
  }
  return spans;
}

async function ingest(protocol: Protocol, spans: ReadableSpan[]) {
  const app = await startServe();
  try {
    const url = `${app.otlp}/v1/traces`;
    const opts = { url, concurrencyLimit: 64, timeoutMillis: 60_000 };
    const exporter = protocol === 'json' ? new JsonExporter(opts) : new ProtoExporter(opts);
    const send = (batch: ReadableSpan[]) =>
      new Promise<void>((resolve, reject) =>
        exporter.export(batch, (r) => (r.code === 0 ? resolve() : reject(r.error ?? new Error('export failed')))),
      );
    // Warm the receiver (the first request loads the codecs).
    await send(spans.slice(0, BATCH));
    const t0 = performance.now();
    // Four requests in flight, as a BatchSpanProcessor under load keeps a few.
    let next = 0;
    const worker = async () => {
      while (next < spans.length) {
        const from = next;
        next += BATCH;
        await send(spans.slice(from, from + BATCH));
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    const ms = performance.now() - t0;
    await exporter.shutdown();
    // The same requests' bytes, decoded alone by the core's decoder.
    const ser = protocol === 'json' ? JsonTraceSerializer : ProtobufTraceSerializer;
    const bodies: Uint8Array[] = [];
    for (let i = 0; i < spans.length; i += BATCH) bodies.push(ser.serializeRequest(spans.slice(i, i + BATCH))!);
    const d0 = performance.now();
    for (const b of bodies) {
      if (protocol === 'json') decodeOtlpJson(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
      else decodeOtlpProtobuf(b);
    }
    const decodeMs = performance.now() - d0;
    return { protocol, spans: spans.length, ms, decodeMs, coreRssMB: app.rssMB() };
  } finally {
    await app.stop();
  }
}

async function live() {
  const workDir = path.join(repoRoot, '.bench');
  fs.mkdirSync(workDir, { recursive: true });
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  const file = path.join(workDir, `live-1k.json`);
  if (!fs.existsSync(file)) {
    const gen = spawnSync(process.execPath, [
      path.join(repoRoot, 'bench/fixtures/make-trace.mjs'),
      ...['--spans', '1000', '--seed', '7', '--trace-id', traceId, '--out', file],
    ]);
    if (gen.status !== 0) throw new Error(`make-trace failed: ${gen.stderr}`);
  }
  type FileSpan = { spanId: string; parentSpanId?: string };
  const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    resourceSpans: Array<{ scopeSpans: Array<{ spans: FileSpan[] }> }>;
  };
  const all = doc.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
  const root = all.find((s) => !s.parentSpanId)!;
  const app = await startServe();
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    // tsx names functions with a helper the page does not have: give it one.
    await page.addInitScript({ content: 'window.__name = (f) => f;' });
    // Each live column batch as it reaches the page (before the app's own handler runs): its arrival
    // time and span count, read from the batch header (docs/CONTRACTS.md "Trace columns").
    await page.addInitScript(() => {
      const w = window as unknown as { __arrivals: Array<[number, number]>; WebSocket: typeof WebSocket };
      w.__arrivals = [];
      const Base = w.WebSocket;
      w.WebSocket = class extends Base {
        constructor(url: string | URL, protocols?: string | string[]) {
          super(url, protocols);
          this.addEventListener('message', (e: MessageEvent) => {
            // A binary frame is 1 type byte and a u32 stream id before the item (shared/wire.ts).
            if (!(e.data instanceof ArrayBuffer) || e.data.byteLength < 13) return;
            const dv = new DataView(e.data, 5);
            if (dv.getUint32(0, true) !== 0x31435842) return;
            const head = new TextDecoder().decode(new Uint8Array(e.data, 13, dv.getUint32(4, true)));
            const h = JSON.parse(head) as { phase: string; count: number };
            if (h.phase === 'live' && h.count) w.__arrivals.push([performance.now(), h.count]);
          });
        }
      };
    });
    await page.goto(`${app.url}#/traces`);
    await page.setInputFiles('input[aria-label="Open a trace file"]', file);
    const counted = () =>
      page.evaluate(() => {
        const m = /([\d,]+)\s*spans/.exec(document.querySelector('.trace-header')?.textContent ?? '');
        return m ? Number(m[1].replace(/,/g, '')) : 0;
      });
    for (let i = 0; i < 600 && (await counted()) < all.length; i++) await sleep(50);
    const before = await counted();
    if (before < all.length) throw new Error(`the trace file did not open (${before} spans shown)`);
    // The page notes (wall clock, spans counted) whenever the header's count changes.
    await page.evaluate(() => {
      const w = window as unknown as { __counts: Array<[number, number, number]>; __arrivals: unknown[] };
      w.__counts = [];
      w.__arrivals = [];
      let last = -1;
      const tick = () => {
        const m = /([\d,]+)\s*spans/.exec(document.querySelector('.trace-header')?.textContent ?? '');
        const n = m ? Number(m[1].replace(/,/g, '')) : 0;
        if (n !== last) w.__counts.push([Date.now(), (last = n), performance.now()]);
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    const { p, tracer } = provider(app.otlp!, 'protobuf', 'bench-live');
    const sent: Array<[number, number]> = [];
    const tick = 20;
    const perTick = Math.round((RATE * tick) / 1000);
    const t0 = Date.now();
    let total = 0;
    while (Date.now() - t0 < SECONDS * 1000) {
      const due = Math.floor(((Date.now() - t0) / 1000) * RATE);
      const n = Math.min(perTick * 5, Math.max(0, due - total));
      if (n > 0) {
        makeSpans(tracer, n, { traceId, spanId: root.spanId });
        total += n;
        sent.push([Date.now(), total]);
      }
      await sleep(tick);
    }
    const sendMs = Date.now() - t0;
    await p.forceFlush();
    for (let i = 0; i < 200 && (await counted()) < before + total; i++) await sleep(50);
    // The page notes counts once a frame: let it note the last one.
    await sleep(100);
    const counts = await page.evaluate(
      () => (window as unknown as { __counts: Array<[number, number, number]> }).__counts,
    );
    const arrivals = await page.evaluate(
      () => (window as unknown as { __arrivals: Array<[number, number]> }).__arrivals,
    );
    // The renderer's share: a batch's arrival in the page → the animation frame whose header counts it.
    const pageLags: number[] = [];
    let arrived = 0;
    for (const [at, n] of arrivals) {
      arrived += n;
      const seen = counts.find(([, c]) => c >= before + arrived);
      if (seen) pageLags.push(seen[2] - at);
    }
    await p.shutdown();
    const lags: number[] = [];
    let missing = 0;
    for (const [at, n] of sent) {
      const seen = counts.find(([, c]) => c >= before + n);
      if (seen) lags.push(seen[0] - at);
      else missing++;
    }
    const heap = await page.evaluate(
      () => (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0,
    );
    return {
      rate: (total / sendMs) * 1000,
      spans: total,
      shown: (await counted()) - before,
      lagP50: pct(lags, 50),
      lagP95: pct(lags, 95),
      lagMax: Math.max(...lags),
      batches: arrivals.length,
      pageP50: pct(pageLags, 50),
      pageP95: pct(pageLags, 95),
      pageMax: Math.max(...pageLags),
      missing,
      heapMB: heap / 2 ** 20,
      coreRssMB: app.rssMB(),
    };
  } finally {
    await browser.close();
    await app.stop();
  }
}

/**
 * The renderer alone: the built UI in Chromium over the test harness's stand-in for the core, a 1k-span
 * trace open, then column batches of 1000 spans (encoded beforehand) handed to the timeline's stream at
 * RATE spans/s — most under the root, some under earlier live spans, some with an exception event. The
 * lag from a batch reaching the page to the frame whose header counts it; the baseline, in the same page,
 * is one whole build of the final model from every batch (what each step of a rebuilding timeline costs).
 */
async function pageOnly() {
  const server = await serve();
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.addInitScript({ content: 'window.__name = (f) => f;' });
    await page.addInitScript({ content: await harnessScript({ mode: 'bench' }) });
    await page.goto(`${server.url}/?token=bench#/traces`);
    const traceId = '5bf92f3577b34da6a3ce929d0e0e4736';
    type W = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    await page.evaluate(
      ({ traceId, rate, seconds }) => {
        const w = window as unknown as W;
        const base = BigInt(Date.now()) * 1_000_000n;
        const id = (i: number) => (i + 1).toString(16).padStart(16, '0');
        const ns = (ms: number) => (base + BigInt(Math.round(ms * 1e6))).toString();
        let seed = 7;
        const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
        const span = (i: number, parent: number, startMs: number, exception: boolean) => ({
          traceId,
          spanId: id(i),
          ...(parent >= 0 ? { parentSpanId: id(parent) } : {}),
          name: `op.${i % 13}`,
          kind: 1,
          serviceName: `svc-${i % 3}`,
          startTimeUnixNano: ns(startMs),
          endTimeUnixNano: ns(startMs + 0.5),
          attributes: {},
          events: exception ? [{ timeUnixNano: ns(startMs + 0.2), name: 'exception', attributes: {} }] : [],
          links: [],
          status: { code: exception ? 2 : 0 },
          resource: {},
        });
        const stored = [span(0, -1, 0, false)];
        for (let i = 1; i < 1000; i++) stored.push(span(i, Math.floor(rnd() * i), i * 0.01, false));
        w.__fake.data.traces[traceId] = stored;
        const batches: ArrayBuffer[] = [];
        let next = 1000;
        for (let b = 0; b < (rate * seconds) / 1000; b++) {
          const spans = [];
          for (let k = 0; k < 1000; k++, next++) {
            const parent = rnd() < 0.9 ? 0 : 1000 + Math.floor(rnd() * (next - 1000));
            spans.push(span(next, next === 1000 ? 0 : parent, 10 + next * 0.001, next % 100 === 0));
          }
          const bytes = w.__columns.columnsOf(traceId, spans, 'live') as Uint8Array;
          batches.push(bytes.slice().buffer);
        }
        w.__liveBatches = batches;
        location.hash = `#/traces/${traceId}`;
      },
      { traceId, rate: RATE, seconds: SECONDS },
    );
    const counted = () =>
      page.evaluate(() => {
        const m = /([\d,]+)\s*spans/.exec(document.querySelector('.trace-header')?.textContent ?? '');
        return m ? Number(m[1].replace(/,/g, '')) : 0;
      });
    for (let i = 0; i < 400 && (await counted()) < 1000; i++) await sleep(50);
    // BOXSCOPE_BENCH_PROFILE=1: the page's CPU profile of the stream, its top functions by self time.
    const profile = process.env.BOXSCOPE_BENCH_PROFILE === '1' ? await page.context().newCDPSession(page) : undefined;
    if (profile) {
      await profile.send('Profiler.enable');
      await profile.send('Profiler.start');
    }
    const r = await page.evaluate(
      ({ traceId, rate }) =>
        new Promise<{ lags: number[]; wholeMs: number; size: number; heap: number }>((resolve) => {
          const w = window as unknown as W;
          const batches = w.__liveBatches as ArrayBuffer[];
          const count = () => {
            const m = /([\d,]+)\s*spans/.exec(document.querySelector('.trace-header')?.textContent ?? '');
            return m ? Number(m[1].replace(/,/g, '')) : 0;
          };
          const arrivals: number[] = [];
          const counts: Array<[number, number]> = [];
          let last = -1;
          const total = 1000 + batches.length * 1000;
          const finish = () => {
            const lags = arrivals.map((at, k) => {
              const seen = counts.find(([, c]) => c >= 2000 + k * 1000);
              return seen ? seen[0] - at : NaN;
            });
            // The baseline: one whole build of the final model from every batch, in the same page.
            const all = [w.__columns.columnsOf(traceId, w.__fake.data.traces[traceId], 'stored'), ...batches];
            const decoded = all.map((b: ArrayBuffer | Uint8Array) => w.__columns.decodeColumns(b));
            const times: number[] = [];
            let size = 0;
            for (let k = 0; k < 3; k++) {
              const t0 = performance.now();
              size = w.__columns.buildTraceModel(decoded).size;
              times.push(performance.now() - t0);
            }
            times.sort((a, b) => a - b);
            const heap = (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize;
            resolve({ lags, wholeMs: times[1], size, heap: heap ?? 0 });
          };
          const tick = () => {
            const n = count();
            if (n !== last) counts.push([performance.now(), (last = n)]);
            if (n >= total) return finish();
            requestAnimationFrame(tick);
          };
          requestAnimationFrame(tick);
          const t0 = performance.now();
          let sent = 0;
          const send = () => {
            const due = Math.min(batches.length, Math.floor(((performance.now() - t0) / 1000) * (rate / 1000)) + 1);
            for (let k = 0; sent < due && k < 5; k++, sent++) {
              arrivals.push(performance.now());
              w.__fake.emitColumnBytes(traceId, batches[sent]);
            }
            if (sent < batches.length) setTimeout(send, 20);
          };
          send();
        }),
      { traceId, rate: RATE },
    );
    if (profile) {
      const { profile: p } = await profile.send('Profiler.stop');
      const self = new Map<string, number>();
      const byId = new Map(p.nodes.map((n) => [n.id, n]));
      p.samples?.forEach((id, k) => {
        const f = byId.get(id)!.callFrame;
        const name = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.lineNumber}`;
        self.set(name, (self.get(name) ?? 0) + (p.timeDeltas?.[k] ?? 0) / 1000);
      });
      for (const [name, ms] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25))
        console.log(`    ${ms.toFixed(0).padStart(6)} ms  ${name}`);
    }
    return r;
  } finally {
    await browser.close();
    await server.close();
  }
}

if (!process.argv.includes('--no-build')) {
  buildRenderer();
  await buildCli();
}
const ingestSpans = process.argv.includes('--live-only') ? [] : captureSpans(INGEST);
if (ingestSpans.length)
  console.log(
    `\n== OTLP ingest through boxscope serve's receiver (${INGEST.toLocaleString()} spans, ${BATCH}-span requests, OTel SDK exporters)`,
  );
for (const protocol of ingestSpans.length ? (['json', 'protobuf'] as const) : []) {
  const r = await ingest(protocol, ingestSpans);
  const rate = (r.spans / r.ms) * 1000;
  console.log(
    `  ${protocol.padEnd(9)} ${Math.round(rate).toLocaleString().padStart(9)} spans/s` +
      `  (${(r.ms / r.decodeMs).toFixed(1)}× decoding the same bytes alone: ${Math.round((r.spans / r.decodeMs) * 1000).toLocaleString()} spans/s)` +
      `  core RSS ${r.coreRssMB.toFixed(0)} MB${rate < 100_000 ? '  ! below 100k spans/s' : ''}`,
  );
}
console.log(
  `\n== Live, the renderer alone: ${RATE.toLocaleString()} spans/s in 1000-span batches for ${SECONDS} s into an open timeline`,
);
const pageRuns: Array<{ p50: number; p95: number }> = [];
for (let run = 0; run < (process.argv.includes('--no-page') ? 0 : REPEAT); run++) {
  const r = await pageOnly();
  const ok = r.lags.filter((x) => Number.isFinite(x));
  pageRuns.push({ p50: pct(ok, 50), p95: pct(ok, 95) });
  console.log(
    `  ${REPEAT > 1 ? `run ${run + 1}: ` : ''}${r.lags.length} batches, ${r.size.toLocaleString()} spans at the end; batch in the page → painted: p50 ${pct(ok, 50).toFixed(0)} ms,` +
      ` p95 ${pct(ok, 95).toFixed(0)} ms, max ${Math.max(...ok).toFixed(0)} ms${ok.length < r.lags.length ? `; ${r.lags.length - ok.length} never shown` : ''}`,
  );
  console.log(
    `  baseline, one whole build of the final model in the same page: ${r.wholeMs.toFixed(0)} ms` +
      ` (p95 lag ${(pct(ok, 95) / r.wholeMs).toFixed(2)}× it); page JS heap ${(r.heap / 2 ** 20).toFixed(0)} MB` +
      `${pct(ok, 95) > 250 ? '  ! over 250 ms' : ''}`,
  );
}
if (REPEAT > 1) {
  const p50s = pageRuns.map((r) => r.p50);
  const p95s = pageRuns.map((r) => r.p95);
  console.log(`  median of ${REPEAT} runs: p50 ${pct(p50s, 50).toFixed(0)} ms, p95 ${pct(p95s, 50).toFixed(0)} ms`);
}
if (process.argv.includes('--page-only')) process.exit(0);
console.log(`\n== Live: spans exported at ${RATE.toLocaleString()}/s for ${SECONDS} s into an open timeline`);
const l = await live();
console.log(
  `  sent ${l.spans.toLocaleString()} (${Math.round(l.rate).toLocaleString()}/s), shown ${l.shown.toLocaleString()}` +
    `; span end → counted in the timeline: p50 ${l.lagP50} ms, p95 ${l.lagP95} ms, max ${l.lagMax} ms` +
    `${l.lagP95 > 250 ? '  ! over 250 ms' : ''}${l.missing ? `; ${l.missing} checkpoints never shown` : ''}`,
);
console.log(
  `  the renderer's share, ${l.batches} live batches: arrival in the page → painted (the next animation frame counts it):` +
    ` p50 ${l.pageP50.toFixed(0)} ms, p95 ${l.pageP95.toFixed(0)} ms, max ${l.pageMax.toFixed(0)} ms`,
);
console.log(`  page JS heap ${l.heapMB.toFixed(0)} MB, core RSS ${l.coreRssMB.toFixed(0)} MB`);
console.log(
  `  (load average ${fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')} on ${os.cpus().length} cores)`,
);
