import type { SpanRecord } from '../../shared/models.js';

const BASE_MS = 1_764_000_000_000;
const ns = (ms: number) => (BigInt(BASE_MS) * 1_000_000n + BigInt(Math.round(ms * 1e6))).toString();

/** A span with times in milliseconds after a fixed base, for tests. */
export function span(
  spanId: string,
  parentSpanId: string | undefined,
  startMs: number,
  endMs: number,
  extra: Partial<SpanRecord> = {},
): SpanRecord {
  return {
    traceId: 'a'.repeat(32),
    spanId,
    parentSpanId,
    name: extra.name ?? spanId,
    kind: 1,
    serviceName: 'boxscope-runner',
    startTimeUnixNano: ns(startMs),
    endTimeUnixNano: ns(endMs),
    attributes: {},
    events: [],
    links: [],
    status: { code: 0 },
    resource: {},
    ...extra,
  };
}

/** The shape of a real launch: UI → runner phases → daemon boot. */
export function launchTrace(daemonOffsetMs = 0): SpanRecord[] {
  return [
    span('ui', undefined, 0, 1000, { name: 'box.create', serviceName: 'boxscope-ui' }),
    span('run', 'ui', 5, 990, { name: 'box.launch' }),
    span('auth', 'run', 10, 60, { name: 'registry.auth', attributes: { 'boxscope.registry': 'ghcr.io' } }),
    span('pull', 'run', 60, 600, { name: 'image.pull', attributes: { 'boxscope.pull.bytes': 1234 } }),
    span('create', 'run', 600, 700, { name: 'container.create' }),
    span('start', 'run', 700, 800, { name: 'container.start' }),
    span('wait', 'run', 800, 980, { name: 'daemon.wait' }),
    span('boot', 'wait', 820 + daemonOffsetMs, 900 + daemonOffsetMs, {
      name: 'sandbox.boot',
      serviceName: 'boxlite-daemon',
    }),
    span('proc', 'boot', 850 + daemonOffsetMs, 890 + daemonOffsetMs, {
      name: 'process.start',
      serviceName: 'boxlite-daemon',
    }),
  ];
}
