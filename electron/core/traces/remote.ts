/**
 * A trace from a trace source (a Jaeger query endpoint, where BoxLite's cloud
 * runner's collector keeps its traces), opened like a local one: GET
 * /api/traces/ID answers Jaeger JSON, streamed into the store through the same
 * parser as a file, so a cloud launch and a local one sit side by side.
 */
import { Readable } from 'node:stream';
import { BoxscopeError } from '../../../shared/errors.js';
import type { CoreContext } from '../contracts.js';
import { importTraceStream } from './import.js';

const TIMEOUT_MS = 30_000;

export async function fetchRemoteTrace(
  ctx: Pick<CoreContext, 'store' | 'log'>,
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
  const timeout = AbortSignal.timeout(TIMEOUT_MS);
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.any([signal, timeout]), headers: { accept: 'application/json' } });
  } catch (err) {
    if (signal.aborted) throw new BoxscopeError('CANCELLED', 'Fetching the trace was cancelled');
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (timeout.aborted ? 'timed out' : 'no answer');
    throw new BoxscopeError('TRACE_NOT_FOUND', `Cannot reach the trace source ${where} (${cause}): check the URL`, {
      traceId: arg.traceId,
    });
  }
  if (res.status === 404)
    throw new BoxscopeError('TRACE_NOT_FOUND', `Trace ${arg.traceId} is not in the trace source ${where}`, {
      traceId: arg.traceId,
    });
  if (!res.ok || !res.body)
    throw new BoxscopeError(
      'TRACE_NOT_FOUND',
      `The trace source ${where} answered ${res.status} for trace ${arg.traceId}: is it a Jaeger query endpoint?`,
      { traceId: arg.traceId },
    );
  const body = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
  const p = await importTraceStream(ctx, body, { fileName: `trace source ${where}`, signal });
  ctx.log.info('fetched a trace from a trace source', { source: where, spans: p.spans });
  return { traceIds: p.traceIds, spans: p.spans };
}
