/**
 * Issue 10's concurrency soak: `n` launches at once through one core (a real
 * `boxscope serve`, the real engine, the in-box daemon). Every box must reach
 * `running` and every launch must be one complete trace: the runner's spans
 * and the daemon's `sandbox.boot`, one traceId, every parent present.
 */
import type { LaunchResult, SpanRecord } from '../../shared/models.js';
import { SPAN } from '../../shared/constants.js';
import { sampleRss, type Serve, type WireConn } from './serve.js';
import { bump, tally, type SoakRow } from './table.js';

/** The spans a launch with the daemon must leave in its trace (docs/ARCHITECTURE.md, a launch). */
export const LAUNCH_SPANS = [SPAN.containerCreate, SPAN.daemonWait, SPAN.containerStart, SPAN.sandboxBoot];

/** What is missing from a launch's trace (empty: complete). */
export function missingFromTrace(spans: SpanRecord[], traceId: string): string[] {
  const missing: string[] = LAUNCH_SPANS.filter(
    (n) => !spans.some((s) => s.name === n || (n === SPAN.sandboxBoot && s.name === SPAN.boxBoot)),
  );
  const ids = new Set(spans.map((s) => s.spanId));
  const roots = spans.filter((s) => !s.parentSpanId);
  if (roots.length !== 1) missing.push(`one root (has ${roots.length})`);
  for (const s of spans) {
    if (s.traceId !== traceId) missing.push(`${s.name} in trace ${traceId}`);
    if (s.parentSpanId && !ids.has(s.parentSpanId)) missing.push(`the parent of ${s.name}`);
  }
  return missing;
}

export async function concurrentLaunches(o: {
  serve: Serve;
  conn: WireConn;
  image: string;
  n: number;
  idBase: number;
}): Promise<SoakRow & { failures: string[]; boxIds: string[] }> {
  const rss = sampleRss(o.serve.pid);
  const states = new Map<string, number>();
  const failures: string[] = [];
  const t0 = Date.now();
  const results = await Promise.allSettled(
    Array.from({ length: o.n }, (_, i) =>
      o.conn.call<LaunchResult>(o.idBase + i, 'boxes:launch', { image: o.image, name: `soak-${t0}-${i}` }, 300_000),
    ),
  );
  const launchMs = Date.now() - t0;
  const ok: LaunchResult[] = [];
  results.forEach((r, i) => {
    if (r.status === 'fulfilled') {
      bump(states, r.value.state);
      if (r.value.state === 'running') ok.push(r.value);
      else failures.push(`launch #${i}: ${r.value.state}`);
    } else {
      bump(states, 'failed');
      failures.push(`launch #${i}: ${(r.reason as Error).message}`);
    }
  });
  let lost = 0;
  let complete = 0;
  let spans = 0;
  for (const [k, r] of ok.entries()) {
    // The boot span is in the store by the time the launch returns; a little grace for a busy machine anyway.
    let miss: string[] = [];
    for (let tries = 0; tries < 50; tries++) {
      const t = await o.conn.call<SpanRecord[]>(o.idBase + 10_000 + k * 100 + tries, 'traces:get', {
        traceId: r.traceId,
      });
      miss = missingFromTrace(t, r.traceId);
      if (!miss.length) {
        spans += t.length;
        break;
      }
      await new Promise((res) => setTimeout(res, 200));
    }
    if (miss.length) {
      lost += miss.filter((m) => !m.startsWith('one root')).length;
      failures.push(`box ${r.boxId} trace ${r.traceId} misses ${miss.join(', ')}`);
    } else complete++;
  }
  // Boxes the engine does not run count as lost launches, whatever the launch said.
  const boxes = await o.conn.call<Array<{ boxId: string; state: string }>>(o.idBase + 99_999, 'boxes:list');
  const running = boxes.filter((b) => ok.some((r) => r.boxId === b.boxId) && b.state === 'running').length;
  if (running !== ok.length) failures.push(`${ok.length} launches said running, the list shows ${running}`);
  return {
    family: `3. ${o.n} concurrent launches (real engine, in-box daemon)`,
    inputs: o.n,
    faults: 'all at once on one core (2-core machine)',
    states: `${tally(states)}; ${complete}/${o.n} traces complete (${spans} spans); all launched in ${(launchMs / 1000).toFixed(1)} s`,
    spansLost: lost + (o.n - ok.length) * LAUNCH_SPANS.length,
    peakRssMb: rss.stop(),
    ok: failures.length === 0,
    failure: failures[0],
    failures,
    boxIds: ok.map((r) => r.boxId),
  };
}
