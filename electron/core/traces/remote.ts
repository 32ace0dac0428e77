/**
 * A trace from a trace source (a Jaeger query endpoint, where BoxLite's cloud
 * runner's collector keeps its traces), opened like a local one: GET
 * /api/traces/ID answers Jaeger JSON, streamed into the store through the same
 * parser as a file, so a cloud launch and a local one sit side by side.
 */
import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import { BoxscopeError } from '../../../shared/errors.js';
import type { CoreContext } from '../contracts.js';
import { describeProxy, proxyAgentFor } from '../registry/proxy.js';
import { importTraceStream } from './import.js';

const TIMEOUT_MS = 30_000;

/**
 * GET `url`, through its proxy when one is in the way, following redirects as fetch did (a few, each
 * hop with its own proxy decision); resolves with the response once its head is in.
 */
async function get(
  url: URL,
  env: NodeJS.ProcessEnv,
  signal: AbortSignal,
  hops = 0,
): Promise<{ res: http.IncomingMessage; viaProxy?: URL }> {
  const via = proxyAgentFor(url, env);
  const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
    const req = (url.protocol === 'https:' ? https : http).get(
      url,
      { agent: via?.agent, signal, headers: { accept: 'application/json' } },
      resolve,
    );
    req.on('error', (err) => reject(Object.assign(err, { viaProxy: via?.proxy })));
  });
  const location = res.headers.location;
  if ([301, 302, 303, 307, 308].includes(res.statusCode ?? 0) && location && hops < 5) {
    res.resume();
    const next = new URL(location, url);
    if (next.protocol === 'http:' || next.protocol === 'https:') return get(next, env, signal, hops + 1);
  }
  return { res, viaProxy: via?.proxy };
}

export async function fetchRemoteTrace(
  ctx: Pick<CoreContext, 'store' | 'log' | 'env'>,
  arg: { traceId: string; from: string },
  signal: AbortSignal,
): Promise<{ traceIds: string[]; spans: number }> {
  let base: URL;
  try {
    base = new URL(arg.from);
  } catch {
    throw new BoxscopeError('INVALID_INPUT', `${arg.from} is not a URL (expected e.g. http://127.0.0.1:16686)`);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:')
    throw new BoxscopeError('INVALID_INPUT', `A trace source is an http:// or https:// URL, not ${base.protocol}`);
  if (base.username || base.password)
    throw new BoxscopeError('INVALID_INPUT', 'Put no credentials in a trace source URL');
  const where = `${base.origin}${base.pathname.replace(/\/$/, '')}`;
  const url = new URL(`${where}/api/traces/${arg.traceId}`);
  // HTTPS_PROXY / HTTP_PROXY / NO_PROXY by docker's rules, as the registry probe (registry/proxy.ts).
  const timeout = AbortSignal.timeout(TIMEOUT_MS);
  let res: http.IncomingMessage;
  let viaProxy: URL | undefined;
  try {
    ({ res, viaProxy } = await get(url, ctx.env, AbortSignal.any([signal, timeout])));
  } catch (err) {
    if (signal.aborted) throw new BoxscopeError('CANCELLED', 'Fetching the trace was cancelled');
    const e = err as { code?: string; viaProxy?: URL };
    const cause = timeout.aborted ? 'timed out' : (e.code ?? 'no answer');
    const through = e.viaProxy ? ` through the proxy ${describeProxy(e.viaProxy)}` : '';
    throw new BoxscopeError(
      'TRACE_NOT_FOUND',
      `Cannot reach the trace source ${where}${through} (${cause}): check the URL${e.viaProxy ? ' and the proxy' : ''}`,
      { traceId: arg.traceId },
    );
  }
  const through = viaProxy ? ` through the proxy ${describeProxy(viaProxy)}` : '';
  const status = res.statusCode ?? 0;
  if (status === 404) {
    res.resume();
    throw new BoxscopeError('TRACE_NOT_FOUND', `Trace ${arg.traceId} is not in the trace source ${where}`, {
      traceId: arg.traceId,
    });
  }
  if (status === 407) {
    res.resume();
    const name = url.protocol === 'https:' ? 'HTTPS_PROXY' : 'HTTP_PROXY';
    const proxy = viaProxy ? `The proxy ${describeProxy(viaProxy)}` : 'A proxy';
    throw new BoxscopeError(
      'TRACE_NOT_FOUND',
      viaProxy?.username
        ? `${proxy} refused its login (407) for the trace source ${where}: check the user and password in ${name}`
        : `${proxy} wants a login (407) for the trace source ${where}: put it in ${name} (http://USER:PASSWORD@HOST:PORT)`,
      { traceId: arg.traceId },
    );
  }
  if (status < 200 || status >= 300) {
    res.resume();
    throw new BoxscopeError(
      'TRACE_NOT_FOUND',
      `The trace source ${where} answered ${status} for trace ${arg.traceId}${through}: is it a Jaeger query endpoint?`,
      { traceId: arg.traceId },
    );
  }
  const body: Readable = res;
  const p = await importTraceStream(ctx, body, { fileName: `trace source ${where}`, signal });
  ctx.log.info('fetched a trace from a trace source', { source: where, spans: p.spans });
  return { traceIds: p.traceIds, spans: p.spans };
}
