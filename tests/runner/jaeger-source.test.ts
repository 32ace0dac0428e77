/**
 * Jaeger both ways, against a real Jaeger (scripts/build-jaeger.sh): a trace
 * an OpenTelemetry exporter sent to Jaeger opens in Boxscope from it
 * (`boxscope trace ID --from URL`), and a launch forwarded to it
 * (OTEL_EXPORTER_OTLP_ENDPOINT) is found there by its trace id with every span.
 */
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { context, trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildCli,
  buildImage,
  freePort,
  removeBoxesOfHome,
  removeImage,
  runCli,
  tempHome,
  type TempHome,
} from '../fixtures/index.js';
import { jaegerBinary, startJaeger, type TestJaeger } from '../fixtures/jaeger.js';

const IMAGE = 'boxscope-test/jaeger-source:1';
const bin = jaegerBinary();
if (!bin) console.warn('jaeger-source: no Jaeger binary (run scripts/build-jaeger.sh): skipped');

let jaeger: TestJaeger;
const homes: TempHome[] = [];
const home = () => {
  const h = tempHome();
  homes.push(h);
  return h;
};

type JaegerSpan = { spanID: string; operationName: string; references?: Array<{ spanID: string }> };
async function inJaeger(traceId: string, want: number): Promise<JaegerSpan[]> {
  let spans: JaegerSpan[] = [];
  for (let i = 0; i < 100; i++) {
    const r = await fetch(`${jaeger.query}/api/traces/${traceId}`);
    if (r.ok) {
      const body = (await r.json()) as { data?: Array<{ spans: JaegerSpan[] }> };
      spans = body.data?.[0]?.spans ?? [];
      if (spans.length >= want) return spans;
    }
    await new Promise((res) => setTimeout(res, 200));
  }
  return spans;
}

describe.skipIf(!bin)('Jaeger as a trace source and as a collector', () => {
  beforeAll(async () => {
    await buildCli();
    await buildImage(IMAGE);
    jaeger = await startJaeger(bin!);
  }, 120_000);
  afterAll(async () => {
    for (const h of homes) {
      await removeBoxesOfHome(h.home);
      h.cleanup();
    }
    await removeImage(IMAGE);
    await jaeger?.stop();
  });

  it('a trace an OTel exporter sent to Jaeger opens in Boxscope from it', async () => {
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'cloud-runner' }),
      spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${jaeger.otlp}/v1/traces` }))],
    });
    const tracer = provider.getTracer('cloud');
    const root = tracer.startSpan('box.create', { attributes: { 'boxlite.box.id': 'cloud-box-1' } });
    const ctx = trace.setSpan(context.active(), root);
    for (const name of ['registry.auth', 'image.pull', 'container.start'])
      tracer.startSpan(name, { attributes: { 'cloud.region': 'eu-1' } }, ctx).end();
    root.end();
    await provider.forceFlush();
    await provider.shutdown();
    const traceId = root.spanContext().traceId;
    expect(await inJaeger(traceId, 4)).toHaveLength(4);

    const h = home();
    const r = await runCli(['trace', traceId, '--from', jaeger.query, '--json'], { env: h.env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const spans = JSON.parse(r.stdout) as Array<{
      name: string;
      parentSpanId?: string;
      spanId: string;
      serviceName: string;
      attributes: Record<string, unknown>;
    }>;
    expect(spans.map((s) => s.name).sort()).toEqual(['box.create', 'container.start', 'image.pull', 'registry.auth']);
    const rootSpan = spans.find((s) => s.name === 'box.create')!;
    expect(spans.filter((s) => s.parentSpanId === rootSpan.spanId)).toHaveLength(3);
    expect(new Set(spans.map((s) => s.serviceName))).toEqual(new Set(['cloud-runner']));
    expect(rootSpan.attributes['boxlite.box.id']).toBe('cloud-box-1');
    // Now stored: the same trace prints without the source.
    expect((await runCli(['trace', traceId], { env: h.env })).stdout).toContain('box.create  [cloud-runner]');
  }, 60_000);

  it('a launch forwarded to Jaeger is there by its trace id, with every span', async () => {
    const h = home();
    const env = { ...h.env, OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlp };
    const r = await runCli(['launch', IMAGE, '--no-daemon', '--json'], { env });
    expect(r.code).toBe(0);
    const { traceId } = JSON.parse(r.stdout) as { traceId: string };
    const local = JSON.parse((await runCli(['trace', traceId, '--json'], { env: h.env })).stdout) as Array<{
      name: string;
      spanId: string;
    }>;
    expect(local.length).toBeGreaterThanOrEqual(4);
    const there = await inJaeger(traceId, local.length);
    expect(there.map((s) => s.spanID).sort()).toEqual(local.map((s) => s.spanId).sort());
    expect(there.map((s) => s.operationName).sort()).toEqual(local.map((s) => s.name).sort());
  }, 60_000);

  it('a trace the source does not have, and a source that is not there: one line each', async () => {
    const h = home();
    const missing = await runCli(['trace', 'ab'.repeat(16), '--from', jaeger.query], { env: h.env });
    expect(missing.code).not.toBe(0);
    expect(missing.stderr.trim()).toBe(`boxscope: Trace ${'ab'.repeat(16)} is not in the trace source ${jaeger.query}`);
    const port = await freePort();
    const down = await runCli(['trace', 'ab'.repeat(16), '--from', `http://127.0.0.1:${port}`], { env: h.env });
    expect(down.stderr.trim()).toMatch(
      new RegExp(
        `^boxscope: Cannot reach the trace source http://127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\): check the URL$`,
      ),
    );
  }, 60_000);
});
