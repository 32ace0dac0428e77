/**
 * Trace ingest and read speed, as ratios against a baseline measured in the
 * same run: the unavoidable JSON work on the same spans (parse the file,
 * stringify/parse each span). Run: node --import tsx bench/trace-store.bench.ts [--spans N]
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseTraceFile } from '../electron/core/otlp/trace-file.js';
import { openTraceStore } from '../electron/core/store/trace-store.js';
import { createOtlpHandler, listenTcp } from '../electron/core/telemetry/receiver.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const i = process.argv.indexOf('--spans');
const n = i > 0 ? Number(process.argv[i + 1]) : 100_000;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bxs-bench-'));
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

try {
  const file = path.join(dir, 'trace.json');
  const traceId = execFileSync(process.execPath, [
    path.join(here, 'fixtures', 'make-trace.mjs'),
    '--spans',
    String(n),
    '--out',
    file,
    '--seed',
    '7',
  ])
    .toString()
    .trim();
  const content = fs.readFileSync(file, 'utf8');

  const baseline = time(() => {
    const doc = JSON.parse(content) as { resourceSpans: { scopeSpans: { spans: unknown[] }[] }[] };
    for (const rs of doc.resourceSpans) for (const s of rs.scopeSpans[0]!.spans) JSON.parse(JSON.stringify(s));
  });

  const store = openTraceStore(path.join(dir, 'a.db'), { maxTraces: 100 });
  let spans = parseTraceFile(content);
  const importMs = time(() => store.addSpans(parseTraceFile(content)));
  const readMs = time(() => {
    spans = store.getTrace(traceId);
  });
  const listMs = time(() => store.listTraces({ limit: 100 }));
  if (spans.length !== n) throw new Error(`read back ${spans.length} spans, wanted ${n}`);

  // The receiver: the same trace posted in 1000-span OTLP JSON requests, as a batching exporter sends it.
  const store2 = openTraceStore(path.join(dir, 'b.db'), { maxTraces: 100 });
  const srv = await listenTcp(createOtlpHandler({ store: store2, log }, 'tcp'), 0);
  const doc = JSON.parse(content) as {
    resourceSpans: { resource: unknown; scopeSpans: { scope: unknown; spans: unknown[] }[] }[];
  };
  const bodies: string[] = [];
  for (const rs of doc.resourceSpans) {
    const all = rs.scopeSpans[0]!.spans;
    for (let k = 0; k < all.length; k += 1000) {
      bodies.push(
        JSON.stringify({
          resourceSpans: [
            { resource: rs.resource, scopeSpans: [{ scope: rs.scopeSpans[0]!.scope, spans: all.slice(k, k + 1000) }] },
          ],
        }),
      );
    }
  }
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
  if (store2.getTrace(traceId).length !== n) throw new Error('receiver lost spans');
  store.close();
  store2.close();

  const row = (name: string, ms: number) =>
    console.log(
      `${name.padEnd(34)} ${ms.toFixed(0).padStart(7)} ms  ${(ms / baseline).toFixed(2).padStart(6)}× baseline`,
    );
  console.log(`trace store, ${n} spans (baseline: JSON parse + per-span stringify/parse = ${baseline.toFixed(0)} ms)`);
  row('import file (parse + store)', importMs);
  row('OTLP/HTTP receive, 1000-span posts', receiveMs);
  row('getTrace (read back all spans)', readMs);
  row('listTraces', listMs);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
