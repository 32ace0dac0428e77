/**
 * A noisy box against its neighbours: one box flooding its channel to the app
 * gets OTLP's retryable 429 with Retry-After (the real exporter backs off and
 * gets through), then a refused partial success once its total is spent —
 * while another box and a local collector keep being stored, and the noisy
 * box's spans never displace the other box's launch trace.
 */
import { ExportResultCode } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { context, trace, TraceFlags } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BoxQuotas } from '../../electron/core/telemetry/quota.js';
import { boxSocket, hexId, jsonSpan, otlpJson, rawPost, startTelemetry, tempHome } from './helpers.js';

const json = { 'content-type': 'application/json' };
const many = (traceId: string, n: number) => Array.from({ length: n }, (_, i) => jsonSpan(traceId, `flood.${i}`));

describe('BoxQuotas', () => {
  it('lets a burst through, then asks to wait as long as the rate needs, and stops at the total', () => {
    let now = 0;
    const q = new BoxQuotas(
      { spansPerSec: 100, bytesPerSec: 1e9, burstSeconds: 2, totalSpans: 450, totalBytes: 1e9 },
      () => now,
    );
    expect(q.admit('a', 200, 10)).toEqual({ ok: true });
    expect(q.admit('a', 50, 10)).toMatchObject({ ok: false, kind: 'rate', retryAfterS: 1 });
    expect(q.admit('b', 200, 10)).toEqual({ ok: true });
    now += 1500;
    expect(q.admit('a', 150, 10)).toEqual({ ok: true });
    now += 10_000;
    expect(q.admit('a', 101, 10)).toMatchObject({ ok: false, kind: 'total' });
    expect(q.admit('a', 100, 10)).toEqual({ ok: true });
    expect(q.admit('a', 1, 10).ok).toBe(false);
  });
});

describe('a box over its quota, next to one that is not', () => {
  const env = tempHome();
  let tel: Awaited<ReturnType<typeof startTelemetry>>;
  let url: string;
  const noisyTrace = hexId(16);
  const quietTrace = hexId(16);

  beforeAll(async () => {
    tel = await startTelemetry(env.paths, {
      otlpPort: 0,
      env: { BOXSCOPE_BOX_SPANS_PER_SEC: '1000', BOXSCOPE_BOX_MAX_SPANS: '9000' },
    });
    url = tel.otlpEndpoint()!;
    tel.store.registerBoxToken('box-noisy', 'token-of-noisy-0001', noisyTrace);
    tel.store.registerBoxToken('box-quiet', 'token-of-quiet-0001', quietTrace);
    await tel.daemon.ensureReceiver('box-noisy');
  });
  afterAll(async () => {
    await tel.close();
    env.cleanup();
  });

  it('answers 429 with Retry-After over the rate, on the box socket and over TCP alike', async () => {
    const noisy = { ...json, 'box-auth-token': 'token-of-noisy-0001' };
    // The burst (5 s of the rate) goes through; the next request has to wait.
    expect((await rawPost({ url }, otlpJson(many(noisyTrace, 5000)), noisy)).status).toBe(200);
    for (const target of [{ url }, { socketPath: boxSocket(env.paths, 'box-noisy') }]) {
      const r = await rawPost(target, otlpJson(many(noisyTrace, 2000)), noisy);
      expect(r.status).toBe(429);
      expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(JSON.parse(r.body.toString()).message).toMatch(/box box-noisy is sending more than 1000 spans\/s/);
    }
    expect(tel.store.getTrace(noisyTrace)).toHaveLength(5000);
  });

  it('meanwhile another box and a local collector are stored at once', async () => {
    const quiet = await rawPost({ url }, otlpJson([jsonSpan(quietTrace, 'box.launch')]), {
      ...json,
      'box-auth-token': 'token-of-quiet-0001',
    });
    expect(quiet.status).toBe(200);
    const localTrace = hexId(16);
    const local = await rawPost({ url }, otlpJson(many(localTrace, 3000)), json);
    expect(local.status).toBe(200);
    expect(tel.store.getTrace(quietTrace).map((s) => s.name)).toEqual(['box.launch']);
    expect(tel.store.getTrace(localTrace)).toHaveLength(3000);
  });

  it('the real exporter honours Retry-After and gets through; past the total its spans are refused', async () => {
    const exporter = new ProtoExporter({
      url: `${url}/v1/traces`,
      headers: { 'box-auth-token': 'token-of-noisy-0001' },
      timeoutMillis: 20_000,
    });
    const spans: ReadableSpan[] = [];
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'noisy' }),
      spanProcessors: [
        { onStart() {}, onEnd: (s) => void spans.push(s), forceFlush: async () => {}, shutdown: async () => {} },
      ],
    });
    const ctx = trace.setSpanContext(context.active(), {
      traceId: noisyTrace,
      spanId: hexId(8),
      traceFlags: TraceFlags.SAMPLED,
    });
    for (let i = 0; i < 3000; i++) provider.getTracer('t').startSpan(`retry.${i}`, {}, ctx).end();
    const t0 = Date.now();
    const result = await new Promise<number>((r) => exporter.export(spans, (x) => r(x.code)));
    expect(result).toBe(ExportResultCode.SUCCESS);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(tel.store.getTrace(noisyTrace)).toHaveLength(8000);
    await exporter.shutdown();

    // 8000 of 9000 spent: a request that would pass the total is refused, not retried.
    await new Promise((r) => setTimeout(r, 2000));
    const over = await rawPost({ url }, otlpJson(many(noisyTrace, 1500)), {
      ...json,
      'box-auth-token': 'token-of-noisy-0001',
    });
    expect(over.status).toBe(200);
    const answer = JSON.parse(over.body.toString());
    expect(Number(answer.partialSuccess.rejectedSpans)).toBe(1500);
    expect(answer.partialSuccess.errorMessage).toMatch(/box box-noisy reached its quota of 9000 spans/);
    expect(tel.store.getTrace(noisyTrace)).toHaveLength(8000);
  }, 40_000);
});
