/**
 * The OTLP receiver against the real OpenTelemetry JS exporters (JSON and
 * protobuf) and raw HTTP for the edges: gzip, 413, 400 bodies, auth, partial success.
 */
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SpanStatusCode, trace, context, type Tracer } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  SimpleSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { pb } from '../../electron/core/otlp/schema.js';
import { hrTimeToNanos } from '../../electron/core/telemetry/readable.js';
import { boxSocket, hexId, jsonSpan, otlpJson, rawPost, startTelemetry, tempHome } from './helpers.js';

type T = Awaited<ReturnType<typeof startTelemetry>>;
let env: ReturnType<typeof tempHome>;
let tel: T;
let url: string;

beforeAll(async () => {
  env = tempHome();
  tel = await startTelemetry(env.paths, { otlpPort: 0 });
  url = tel.otlpEndpoint()!;
});
afterAll(async () => {
  await tel?.close();
  env?.cleanup();
});

/** A client app: an SDK provider exporting through `exporter`; returns the spans it ended. */
async function emit(
  exporter: SpanExporter,
  service: string,
  body: (tracer: Tracer) => void,
): Promise<{ spans: ReadableSpan[]; result: ExportResultCode[] }> {
  const ended: ReadableSpan[] = [];
  const result: ExportResultCode[] = [];
  const wrapped: SpanExporter = {
    export: (spans, cb) => {
      ended.push(...spans);
      exporter.export(spans, (r) => {
        result.push(r.code);
        cb(r);
      });
    },
    shutdown: () => exporter.shutdown(),
  };
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [new SimpleSpanProcessor(wrapped)],
  });
  body(provider.getTracer('client-test', '1.2.3'));
  // A refused export surfaces as a rejected flush; `result` records it.
  await provider.forceFlush().catch(() => undefined);
  await provider.shutdown().catch(() => undefined);
  return { spans: ended, result };
}

function parentChild(tracer: Tracer): void {
  const parent = tracer.startSpan('parent.op', {
    attributes: { 'app.n': 7, 'app.flag': true, 'app.tags': ['a', 'b'] },
  });
  const ctx = trace.setSpan(context.active(), parent);
  const child = tracer.startSpan(
    'child.op',
    { attributes: { 'http.request.header.authorization': 'Bearer abcdefgh12345' } },
    ctx,
  );
  child.addEvent('step', { 'step.n': 1 });
  child.setStatus({ code: SpanStatusCode.ERROR, message: 'it broke' });
  child.end();
  parent.end();
}

describe('real OpenTelemetry exporters as clients', () => {
  it('stores spans sent by exporter-trace-otlp-http (JSON) with ids, nanos, attributes and status intact', async () => {
    const { spans, result } = await emit(new JsonExporter({ url: `${url}/v1/traces` }), 'json-app', parentChild);
    expect(result).toEqual([ExportResultCode.SUCCESS, ExportResultCode.SUCCESS]);
    const traceId = spans[0]!.spanContext().traceId;
    const stored = tel.store.getTrace(traceId);
    expect(stored).toHaveLength(2);
    const parent = stored.find((s) => s.name === 'parent.op')!;
    const child = stored.find((s) => s.name === 'child.op')!;
    const sdkChild = spans.find((s) => s.name === 'child.op')!;
    expect(child.parentSpanId).toBe(parent.spanId);
    expect(child.serviceName).toBe('json-app');
    expect(child.scope).toEqual({ name: 'client-test', version: '1.2.3' });
    expect(child.startTimeUnixNano).toBe(hrTimeToNanos(sdkChild.startTime));
    expect(child.status).toEqual({ code: 2, message: 'it broke' });
    expect(child.events[0]).toMatchObject({ name: 'step', attributes: { 'step.n': 1 } });
    expect(parent.attributes).toMatchObject({ 'app.n': 7, 'app.flag': true, 'app.tags': ['a', 'b'] });
    // A credential-looking attribute never reaches the store.
    expect(child.attributes['http.request.header.authorization']).toBeUndefined();
  });

  it('stores spans sent by exporter-trace-otlp-proto (protobuf, gzip) with full nanosecond precision', async () => {
    const { spans, result } = await emit(
      new ProtoExporter({ url: `${url}/v1/traces`, compression: 'gzip' as never }),
      'proto-app',
      parentChild,
    );
    expect(result.every((r) => r === ExportResultCode.SUCCESS)).toBe(true);
    const traceId = spans[0]!.spanContext().traceId;
    const stored = tel.store.getTrace(traceId);
    expect(stored.map((s) => s.name).sort()).toEqual(['child.op', 'parent.op']);
    for (const sdk of spans) {
      const s = stored.find((x) => x.spanId === sdk.spanContext().spanId)!;
      expect(s.startTimeUnixNano).toBe(hrTimeToNanos(sdk.startTime));
      expect(s.endTimeUnixNano).toBe(hrTimeToNanos(sdk.endTime));
      expect(s.serviceName).toBe('proto-app');
    }
    const parent = stored.find((s) => s.name === 'parent.op')!;
    expect(parent.attributes['app.tags']).toEqual(['a', 'b']);
    expect(parent.kind).toBe(1);
  });

  it('tags spans with the box of a registered box-auth-token', async () => {
    tel.store.registerBoxToken('box-tok-1', 'tok-aaaaaaaaaaaaaaaa');
    const { spans } = await emit(
      new ProtoExporter({ url: `${url}/v1/traces`, headers: { 'box-auth-token': 'tok-aaaaaaaaaaaaaaaa' } }),
      'in-box-app',
      (t) => t.startSpan('in.box').end(),
    );
    const [s] = tel.store.getTrace(spans[0]!.spanContext().traceId);
    expect(s!.attributes['boxlite.box.id']).toBe('box-tok-1');
    expect(JSON.stringify(s)).not.toContain('tok-aaaaaaaaaaaaaaaa');
  });

  it('refuses an exporter whose box-auth-token is unknown', async () => {
    const { spans, result } = await emit(
      new JsonExporter({ url: `${url}/v1/traces`, headers: { 'box-auth-token': 'not-a-token' } }),
      'intruder',
      (t) => t.startSpan('sneaky').end(),
    );
    expect(result).toEqual([ExportResultCode.FAILED]);
    expect(tel.store.getTrace(spans[0]!.spanContext().traceId)).toEqual([]);
  });
});

describe('raw OTLP/HTTP edges', () => {
  const json = { 'content-type': 'application/json' };
  const proto = { 'content-type': 'application/x-protobuf' };

  it('accepts a gzip JSON body', async () => {
    const traceId = hexId(16);
    const body = zlib.gzipSync(otlpJson([jsonSpan(traceId, 'gz.op')]));
    const r = await rawPost({ url }, body, { ...json, 'content-encoding': 'gzip' });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body.toString())).toEqual({});
    expect(tel.store.getTrace(traceId).map((s) => s.name)).toEqual(['gz.op']);
  });

  it('answers 413 for more than 64 MiB after decompression, without storing anything', async () => {
    const big = Buffer.alloc(65 * 1024 * 1024, 0x20);
    const body = zlib.gzipSync(big, { level: 1 });
    expect(body.length).toBeLessThan(2 * 1024 * 1024);
    const before = tel.store.listTraces({ limit: 10_000 }).length;
    const r = await rawPost({ url }, body, { ...json, 'content-encoding': 'gzip' });
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body.toString())).toMatchObject({ code: 8 });
    expect(tel.store.listTraces({ limit: 10_000 }).length).toBe(before);
  });

  it('answers 400 with a JSON google.rpc.Status for malformed JSON', async () => {
    const r = await rawPost({ url }, '{"resourceSpans": [', json);
    expect(r.status).toBe(400);
    expect(r.headers['content-type']).toBe('application/json');
    const status = JSON.parse(r.body.toString());
    expect(status.code).toBe(3);
    expect(status.message).toMatch(/malformed JSON/);
  });

  it('answers 400 with a protobuf google.rpc.Status for malformed protobuf', async () => {
    const r = await rawPost({ url }, Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]), proto);
    expect(r.status).toBe(400);
    expect(r.headers['content-type']).toBe('application/x-protobuf');
    // Field 1 (code) varint 3 = INVALID_ARGUMENT, then field 2 (message).
    expect([...r.body.subarray(0, 3)]).toEqual([0x08, 0x03, 0x12]);
    const status = pb.RpcStatus.toObject(pb.RpcStatus.decode(r.body)) as { code: number; message: string };
    expect(status.message).toMatch(/malformed protobuf/);
  });

  it('answers 400 for a gzip header over a body that is not gzip', async () => {
    const r = await rawPost({ url }, otlpJson([]), { ...json, 'content-encoding': 'gzip' });
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body.toString()).message).toMatch(/gzip/);
  });

  it('reports a partial success for spans with bad ids (JSON)', async () => {
    const traceId = hexId(16);
    const body = otlpJson([
      jsonSpan(traceId, 'good'),
      jsonSpan('xyz', 'bad-trace-id'),
      jsonSpan(traceId, 'bad-span-id', { spanId: '0000000000000000' }),
    ]);
    const r = await rawPost({ url }, body, json);
    expect(r.status).toBe(200);
    const resp = JSON.parse(r.body.toString());
    expect(resp.partialSuccess.rejectedSpans).toBe('2');
    expect(resp.partialSuccess.errorMessage).toMatch(/rejected/);
    expect(tel.store.getTrace(traceId).map((s) => s.name)).toEqual(['good']);
  });

  it('reports a partial success in protobuf for a protobuf request', async () => {
    const traceId = hexId(16);
    const req = pb.ExportTraceServiceRequest.fromObject({
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'pb-raw' } }] },
          scopeSpans: [
            {
              spans: [
                {
                  traceId: Buffer.from(traceId, 'hex'),
                  spanId: Buffer.from(hexId(8), 'hex'),
                  name: 'ok',
                  startTimeUnixNano: '1795000000000000001',
                  endTimeUnixNano: '1795000000000000002',
                },
                { traceId: Buffer.from('abc', 'hex'), spanId: Buffer.from(hexId(8), 'hex'), name: 'short-id' },
              ],
            },
          ],
        },
      ],
    });
    const r = await rawPost({ url }, Buffer.from(pb.ExportTraceServiceRequest.encode(req).finish()), proto);
    expect(r.status).toBe(200);
    const resp = pb.ExportTraceServiceResponse.toObject(pb.ExportTraceServiceResponse.decode(r.body), {
      longs: String,
    }) as {
      partialSuccess: { rejectedSpans: string; errorMessage: string };
    };
    expect(resp.partialSuccess.rejectedSpans).toBe('1');
    const [s] = tel.store.getTrace(traceId);
    expect(s!.startTimeUnixNano).toBe('1795000000000000001');
    expect(s!.serviceName).toBe('pb-raw');
  });

  it('refuses other content types, methods and paths', async () => {
    expect((await rawPost({ url }, 'x', { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await rawPost({ url }, '', json, 'GET')).status).toBe(405);
    expect((await rawPost({ url }, otlpJson([]), json, 'POST', '/v1/metrics')).status).toBe(404);
  });

  it('answers 401 for an unknown token over TCP', async () => {
    const r = await rawPost({ url }, otlpJson([jsonSpan(hexId(16), 'x')]), { ...json, 'box-auth-token': 'nope' });
    expect(r.status).toBe(401);
    expect(JSON.parse(r.body.toString())).toMatchObject({ code: 16 });
  });
});

describe('the box socket', () => {
  it('is world-writable and requires a known token', async () => {
    const fs = await import('node:fs');
    expect(fs.statSync(env.paths.otlpSocket).mode & 0o777).toBe(0o666);
    const traceId = hexId(16);
    const claimsOther = { attributes: [{ key: 'boxlite.box.id', value: { stringValue: 'someone-else' } }] };
    const body = otlpJson(
      [jsonSpan(traceId, 'sandbox.boot'), jsonSpan(traceId, 'spoof', claimsOther)],
      'boxlite-daemon',
    );
    const sock = { socketPath: env.paths.otlpSocket };
    const json = { 'content-type': 'application/json' };
    expect((await rawPost(sock, body, json)).status).toBe(401);
    expect((await rawPost(sock, body, { ...json, 'box-auth-token': 'wrong' })).status).toBe(401);
    expect(tel.store.getTrace(traceId)).toEqual([]);
    tel.store.registerBoxToken('box-sock', 'sock-token-123456');
    const ok = await rawPost(sock, body, { ...json, 'box-auth-token': 'sock-token-123456' });
    expect(ok.status).toBe(200);
    // The token decides the box, whatever a span claims.
    const stored = tel.store.getTrace(traceId);
    expect(stored.map((s) => [s.name, s.attributes['boxlite.box.id']]).sort()).toEqual([
      ['sandbox.boot', 'box-sock'],
      ['spoof', 'box-sock'],
    ]);
  });
});

describe('a box writes only its own launch trace', () => {
  const json = { 'content-type': 'application/json' };
  /** otlpJson with a resource that claims another box. */
  const claimingBody = (spans: Record<string, unknown>[], claim: string) =>
    JSON.stringify({
      resourceSpans: [
        {
          resource: {
            attributes: [
              { key: 'service.name', value: { stringValue: 'attacker' } },
              { key: 'boxlite.box.id', value: { stringValue: claim } },
            ],
          },
          scopeSpans: [{ scope: { name: 'test' }, spans }],
        },
      ],
    });

  it("rejects box A's spans for box B's trace with partial success, and overwrites a resource claiming B", async () => {
    const traceA = hexId(16);
    const traceB = hexId(16);
    tel.store.registerBoxToken('box-a', 'token-of-box-a-0001', traceA);
    tel.store.registerBoxToken('box-b', 'token-of-box-b-0001', traceB);
    const bRoot = jsonSpan(traceB, 'box.launch');
    const okB = await rawPost({ url }, otlpJson([bRoot]), { ...json, 'box-auth-token': 'token-of-box-b-0001' });
    expect(okB.status).toBe(200);

    // Box A: an ERROR span and a parentless span in B's trace, plus one honest span in its own.
    const forgedError = jsonSpan(traceB, 'forged.error', { status: { code: 2, message: 'boom' } });
    const forgedRoot = jsonSpan(traceB, 'forged.root');
    const own = jsonSpan(traceA, 'sandbox.boot');
    for (const target of [{ url }, { socketPath: boxSocket(env.paths, 'box-a') }]) {
      await tel.daemon.ensureReceiver('box-a');
      const r = await rawPost(target, claimingBody([forgedError, forgedRoot, own], 'box-b'), {
        ...json,
        'box-auth-token': 'token-of-box-a-0001',
      });
      expect(r.status).toBe(200);
      const answer = JSON.parse(r.body.toString());
      expect(Number(answer.partialSuccess.rejectedSpans)).toBe(2);
      expect(answer.partialSuccess.errorMessage).toMatch(/not in the trace of box box-a's launch/);
    }
    expect(tel.store.getTrace(traceB).map((s) => s.name)).toEqual(['box.launch']);
    const stored = tel.store.getTrace(traceA);
    expect(stored.map((s) => s.name)).toEqual(['sandbox.boot']);
    expect(stored[0]!.attributes['boxlite.box.id']).toBe('box-a');
    expect(stored[0]!.resource['boxlite.box.id']).toBe('box-a');
  });

  it("refuses box B's token on box A's own socket", async () => {
    const traceB = hexId(16);
    tel.store.registerBoxToken('box-b2', 'token-of-box-b-0002', traceB);
    await tel.daemon.ensureReceiver('box-a2');
    const r = await rawPost({ socketPath: boxSocket(env.paths, 'box-a2') }, otlpJson([jsonSpan(traceB, 'x')]), {
      ...json,
      'box-auth-token': 'token-of-box-b-0002',
    });
    expect(r.status).toBe(403);
    expect(tel.store.getTrace(traceB)).toEqual([]);
  });

  it("removes a released box's socket directory", async () => {
    const fs = await import('node:fs');
    const path = await import('node:path');
    await tel.daemon.ensureReceiver('box-gone');
    const sock = boxSocket(env.paths, 'box-gone');
    expect(fs.statSync(sock).isSocket()).toBe(true);
    expect(fs.statSync(path.dirname(sock)).mode & 0o777).toBe(0o711);
    await tel.daemon.releaseBox('box-gone');
    expect(fs.existsSync(path.dirname(sock))).toBe(false);
  });
});

describe('requests stored together', () => {
  it('answers each of many concurrent requests once its spans are stored, or each with 503 when the store fails', async () => {
    const { openTraceStore } = await import('../../electron/core/store/trace-store.js');
    const { createOtlpHandler, listenTcp } = await import('../../electron/core/telemetry/receiver.js');
    const home = tempHome();
    const store = openTraceStore(home.paths.db);
    let failing = false;
    let calls = 0;
    const flaky = {
      ...store,
      addSpans(spans: Parameters<typeof store.addSpans>[0]) {
        calls++;
        if (failing) throw new Error('disk I/O error');
        store.addSpans(spans);
      },
    };
    const log = { info() {}, warn() {}, error() {} };
    const srv = await listenTcp(createOtlpHandler({ store: flaky, log }, 'tcp'), 0);
    const target = { url: `http://127.0.0.1:${srv.port}` };
    const headers = { 'content-type': 'application/json' };
    try {
      const traces = Array.from({ length: 12 }, () => hexId(16));
      const posts = traces.map((t) =>
        rawPost(target, otlpJson(Array.from({ length: 300 }, (_, i) => jsonSpan(t, `op-${i}`))), headers),
      );
      const answers = await Promise.all(posts);
      expect(answers.map((a) => a.status)).toEqual(traces.map(() => 200));
      for (const t of traces) expect(store.getTrace(t)).toHaveLength(300);
      expect(calls).toBeLessThanOrEqual(12);

      failing = true;
      const refused = await Promise.all(
        [hexId(16), hexId(16), hexId(16)].map((t) => rawPost(target, otlpJson([jsonSpan(t, 'lost')]), headers)),
      );
      expect(refused.map((a) => a.status)).toEqual([503, 503, 503]);
      expect(refused[0]!.body.toString()).toContain('could not save the spans; retry');
    } finally {
      await srv.close();
      store.close();
      home.cleanup();
    }
  });
});
