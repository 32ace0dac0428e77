/**
 * A trace from a trace source (a Jaeger query endpoint, where BoxLite's cloud
 * runner's collector keeps its traces), opened like a local one: GET
 * /api/traces/ID answers Jaeger JSON, streamed into the store through the same
 * parser as a file, so a cloud launch and a local one sit side by side.
 * `from` is a saved source's name or a URL; without it each saved source is
 * asked in turn (see sources.ts). Requests go through HTTPS_PROXY /
 * HTTP_PROXY / NO_PROXY from the core's env, by the same rules as the
 * registry probe (registry/proxy.ts).
 */
import http from 'node:http';
import https from 'node:https';
import { BoxscopeError } from '../../../shared/errors.js';
import type { FetchedTrace, TraceSource } from '../../../shared/models.js';
import type { CoreContext } from '../contracts.js';
import { baseTrust } from '../registry/http.js';
import { describeProxy, proxyAgentFor } from '../registry/proxy.js';
import { importTraceStream } from './import.js';
import { listSources, namesOf, sourceBase } from './sources.js';

const TIMEOUT_MS = 30_000;

type Ctx = Pick<CoreContext, 'store' | 'log' | 'env' | 'paths'>;

/** Why one source could not give the trace: `missing` when it answered that it has no such trace. */
class SourceMiss extends BoxscopeError {
  constructor(
    message: string,
    readonly missing: boolean,
    traceId: string,
  ) {
    super('TRACE_NOT_FOUND', message, { traceId });
  }
}

/**
 * GET url, answering once the head is in (the body is read by the caller), through its proxy when
 * one is in the way, following a few redirects as a browser would (each hop its own proxy decision).
 */
async function get(
  url: URL,
  env: NodeJS.ProcessEnv,
  signal: AbortSignal,
  hops = 0,
): Promise<{ res: http.IncomingMessage; via?: URL }> {
  const via = proxyAgentFor(url, env);
  const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
    const lib = url.protocol === 'https:' ? https : http;
    const req = lib.request(
      url,
      {
        ...(via ? { agent: via.agent } : {}),
        headers: { accept: 'application/json', 'user-agent': 'boxscope' },
        ...(url.protocol === 'https:' ? { ca: baseTrust(env) } : {}),
        timeout: TIMEOUT_MS,
        signal,
      },
      resolve,
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', (err) => reject(Object.assign(err, { via: via?.proxy })));
    req.end();
  });
  const location = res.headers.location;
  if ([301, 302, 303, 307, 308].includes(res.statusCode ?? 0) && location && hops < 5) {
    res.resume();
    const next = new URL(location, url);
    if (next.protocol === 'http:' || next.protocol === 'https:') return get(next, env, signal, hops + 1);
  }
  return { res, via: via?.proxy };
}

async function fetchFrom(ctx: Ctx, traceId: string, where: string, label: string, signal: AbortSignal) {
  const url = new URL(`${where}/api/traces/${traceId}`);
  let got: { res: http.IncomingMessage; via?: URL };
  try {
    got = await get(url, ctx.env, signal);
  } catch (err) {
    if (signal.aborted) throw new BoxscopeError('CANCELLED', 'Fetching the trace was cancelled');
    const e = err as NodeJS.ErrnoException & { via?: URL };
    const through = e.via ? ` through the proxy ${describeProxy(e.via)}` : '';
    const hint = e.via ? 'check the URL, HTTPS_PROXY / HTTP_PROXY and NO_PROXY' : 'check the URL';
    throw new SourceMiss(
      `Cannot reach the trace source ${label}${through} (${e.code ?? 'no answer'}): ${hint}`,
      false,
      traceId,
    );
  }
  const { res, via } = got;
  if (res.statusCode === 407) {
    res.resume();
    const name = url.protocol === 'https:' ? 'HTTPS_PROXY' : 'HTTP_PROXY';
    const proxy = via ? `The proxy ${describeProxy(via)}` : 'A proxy';
    throw new SourceMiss(
      via?.username
        ? `${proxy} refused its login (407) for the trace source ${label}: check the user and password in ${name}`
        : `${proxy} wants a login (407) for the trace source ${label}: put it in ${name} (http://USER:PASSWORD@HOST:PORT)`,
      false,
      traceId,
    );
  }
  if (res.statusCode === 404) {
    res.resume();
    throw new SourceMiss(`Trace ${traceId} is not in the trace source ${label}`, true, traceId);
  }
  if (res.statusCode !== 200) {
    res.resume();
    throw new SourceMiss(
      `The trace source ${label} answered ${res.statusCode} for trace ${traceId}: is it a Jaeger query endpoint?`,
      false,
      traceId,
    );
  }
  let p;
  try {
    p = await importTraceStream(ctx, res, { fileName: `trace source ${label}`, signal });
  } catch (err) {
    if (err instanceof BoxscopeError) throw err;
    // The connection broke (or went quiet past the timeout) while the trace was coming.
    const code = (err as NodeJS.ErrnoException).code ?? 'connection lost';
    throw new BoxscopeError(
      'TRACE_NOT_FOUND',
      `The trace source ${label} stopped sending trace ${traceId} (${code}); the spans received before are kept: try again`,
      { traceId },
    );
  }
  ctx.log.info('fetched a trace from a trace source', { source: label, spans: p.spans });
  return { traceIds: p.traceIds, spans: p.spans };
}

export async function fetchRemoteTrace(
  ctx: Ctx,
  arg: { traceId: string; from?: string },
  signal: AbortSignal,
): Promise<FetchedTrace> {
  const saved = listSources(ctx.paths);
  let asked: TraceSource[];
  if (arg.from === undefined) {
    if (!saved.length)
      throw new BoxscopeError(
        'INVALID_INPUT',
        'No trace source is saved: add one (Settings → Trace sources, or `boxscope sources add NAME URL`) or give --from URL',
      );
    asked = saved;
  } else {
    const named = saved.find((s) => s.name === arg.from);
    if (named) asked = [named];
    else if (/^[a-z][a-z0-9+.-]*:/i.test(arg.from)) asked = [{ name: '', url: arg.from }];
    else throw new BoxscopeError('INVALID_INPUT', `No trace source named ${arg.from}${namesOf(saved)}`);
  }
  const misses: SourceMiss[] = [];
  for (const s of asked) {
    const where = sourceBase(s.url);
    const label = s.name ? `${s.name} (${where})` : where;
    try {
      return { ...(await fetchFrom(ctx, arg.traceId, where, label, signal)), source: s.name || where };
    } catch (err) {
      if (!(err instanceof SourceMiss)) throw err;
      misses.push(err);
    }
  }
  if (misses.length === 1) throw misses[0];
  if (misses.every((m) => m.missing))
    throw new BoxscopeError(
      'TRACE_NOT_FOUND',
      `Trace ${arg.traceId} is in none of the trace sources ${asked.map((s) => s.name).join(', ')}`,
      { traceId: arg.traceId },
    );
  throw new BoxscopeError(
    'TRACE_NOT_FOUND',
    `Trace ${arg.traceId} was not found: ${misses.map((m) => m.message).join('; ')}`,
    { traceId: arg.traceId },
  );
}
