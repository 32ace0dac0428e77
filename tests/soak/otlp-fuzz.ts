/**
 * Issue 10's OTLP soak: hostile bodies with a valid box token against the real
 * receiver of a real `boxscope serve`, while a well-behaved box exports
 * alongside with the real OpenTelemetry exporter. Every answer must be a
 * well-formed OTLP answer of an allowed status; the good box loses no span;
 * the core's RSS is sampled throughout.
 */
import http from 'node:http';
import { context, trace, TraceFlags } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { LaunchResult, SpanRecord } from '../../shared/models.js';
import { pb } from '../../electron/core/otlp/schema.js';
import { docker } from '../fixtures/index.js';
import { hostileRequest, WELL_FORMED_STATUSES, type HostileRequest } from './otlp-bodies.js';
import { sampleRss, WireConn, type Serve } from './serve.js';
import { bump, tally, type SoakRow } from './table.js';

export interface BoxChannel {
  boxId: string;
  traceId: string;
  token: string;
}

/** Launches a box through serve's API and reads its token from the container (as only the box sees it). */
export async function launchForToken(conn: WireConn, id: number, image: string): Promise<BoxChannel> {
  const r = await conn.call<LaunchResult>(id, 'boxes:launch', { image, daemon: false });
  const info = await docker.getContainer(r.containerId).inspect();
  const h = (info.Config.Env ?? []).find((e) => e.startsWith('OTEL_EXPORTER_OTLP_HEADERS='));
  const token = /box-auth-token=([^,\s]+)/.exec(h ?? '')?.[1];
  if (!token) throw new Error(`box ${r.boxId} has no token in its env`);
  return { boxId: r.boxId, traceId: r.traceId, token };
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function send(otlp: string, req: HostileRequest, token: string, agent: http.Agent, timeoutMs: number): Promise<Answer> {
  const u = new URL(otlp);
  return new Promise((resolve, reject) => {
    const lying = req.declaredLength !== undefined;
    const r = http.request(
      {
        host: u.hostname,
        port: u.port,
        method: 'POST',
        path: '/v1/traces',
        // A lie about the length leaves the connection unusable for the next request: its own connection.
        agent: lying ? false : agent,
        headers: {
          ...req.headers,
          'box-auth-token': token,
          'content-length': String(req.declaredLength ?? req.body.length),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    r.setTimeout(timeoutMs, () => r.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    r.on('error', reject);
    if (lying) r.write(req.body);
    else r.end(req.body);
  });
}

/** Why an answer is not a well-formed OTLP answer for this input, or undefined when it is. */
export function judge(req: HostileRequest, a: Answer): string | undefined {
  if (a.status >= 500) return `status ${a.status}`;
  if (!WELL_FORMED_STATUSES.includes(a.status)) return `status ${a.status} is not an OTLP answer`;
  if (!req.expect.includes(a.status)) return `status ${a.status}, expected ${req.expect.join('|')}`;
  if (a.status === 429 && !(Number(a.headers['retry-after']) >= 1)) return '429 without Retry-After';
  const ct = String(a.headers['content-type'] ?? '');
  try {
    if (ct.startsWith('application/json')) {
      const o = JSON.parse(a.body.toString()) as Record<string, unknown>;
      if (!o || typeof o !== 'object') return 'JSON answer is not an object';
      if (a.status === 200) {
        const p = o.partialSuccess as { rejectedSpans?: unknown } | undefined;
        if (p !== undefined && !/^\d+$/.test(String(p.rejectedSpans ?? '0'))) return 'bad partialSuccess';
      } else if (typeof o.code !== 'number' || typeof o.message !== 'string' || !o.message)
        return 'error answer without code and message';
    } else if (ct.startsWith('application/x-protobuf')) {
      if (a.status === 200) pb.ExportTraceServiceResponse.decode(a.body);
      else if (!(pb.RpcStatus.decode(a.body) as unknown as { message?: string }).message)
        return 'Status without message';
    } else return `content-type ${ct || 'none'}`;
  } catch (e) {
    return `undecodable answer: ${(e as Error).message}`;
  }
  return undefined;
}

/** The well-behaved box: the real protobuf exporter, batches of `batch` spans until `stop()`. */
function goodExporter(otlp: string, box: BoxChannel, batch = 50) {
  const exporter = new ProtoExporter({
    url: `${otlp}/v1/traces`,
    headers: { 'box-auth-token': box.token },
    timeoutMillis: 60_000,
  });
  const ended: ReadableSpan[] = [];
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'good-box' }),
    spanProcessors: [
      { onStart() {}, onEnd: (s) => void ended.push(s), forceFlush: async () => {}, shutdown: async () => {} },
    ],
  });
  const ctx = trace.setSpanContext(context.active(), {
    traceId: box.traceId,
    spanId: '1234567890abcdef',
    traceFlags: TraceFlags.SAMPLED,
  });
  let sent = 0;
  let failed = 0;
  let stopping = false;
  const loop = (async () => {
    let n = 0;
    while (!stopping) {
      ended.length = 0;
      for (let i = 0; i < batch; i++) provider.getTracer('good').startSpan(`good.${n++}`, {}, ctx).end();
      const spans = [...ended];
      const code = await new Promise<number>((r) => exporter.export(spans, (x) => r(x.code)));
      if (code === ExportResultCode.SUCCESS) sent += spans.length;
      else failed += spans.length;
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return {
    async stop() {
      stopping = true;
      await loop;
      await exporter.shutdown();
      return { sent, failed };
    },
  };
}

export interface OtlpFuzzOptions {
  serve: Serve;
  conn: WireConn;
  hostile: BoxChannel;
  good: BoxChannel;
  seed: number;
  count: number;
  concurrency?: number;
}

export async function otlpFuzz(o: OtlpFuzzOptions): Promise<SoakRow & { failures: string[] }> {
  const rss = sampleRss(o.serve.pid);
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.concurrency ?? 6 });
  const good = goodExporter(o.serve.otlp, o.good);
  const statuses = new Map<string, number>();
  const kinds = new Map<string, number>();
  const failures: string[] = [];
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < o.count; i = next++) {
      const req = hostileRequest(o.seed, i, o.hostile.traceId);
      bump(kinds, req.kind);
      try {
        const a = await send(o.serve.otlp, req, o.hostile.token, agent, 60_000);
        bump(statuses, String(a.status));
        const why = judge(req, a);
        if (why) failures.push(`seed ${o.seed} input #${i} (${req.kind}): ${why}`);
      } catch (e) {
        bump(statuses, 'no answer');
        failures.push(`seed ${o.seed} input #${i} (${req.kind}): ${(e as Error).message}`);
      }
      if (!o.serve.alive()) {
        failures.push(`seed ${o.seed} input #${i} (${req.kind}): the core died: ${o.serve.stderr().slice(-500)}`);
        return;
      }
    }
  };
  await Promise.all(Array.from({ length: o.concurrency ?? 6 }, worker));
  const { sent, failed } = await good.stop();
  agent.destroy();
  const peak = rss.stop();
  const stored = (await o.conn.call<SpanRecord[]>(9_000_001, 'traces:get', { traceId: o.good.traceId })).filter((s) =>
    s.name.startsWith('good.'),
  ).length;
  const lost = sent + failed - stored;
  if (lost !== 0) failures.push(`the good box sent ${sent + failed} spans (${failed} refused), ${stored} stored`);
  return {
    family: '1. hostile OTLP bodies (valid box token)',
    inputs: o.count,
    faults: `${kinds.size} kinds: ${[...kinds.keys()].sort().join(', ')}`,
    states: `${tally(statuses)}; good box: ${stored}/${sent + failed} stored`,
    spansLost: lost,
    peakRssMb: peak,
    seed: o.seed,
    ok: failures.length === 0 && o.serve.alive() && peak <= 512,
    failure: failures[0] ?? (peak > 512 ? `core RSS ${peak} MB > 512 MB` : undefined),
    failures,
  };
}
