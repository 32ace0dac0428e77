/**
 * OTLP/HTTP trace receiver (`POST /v1/traces`), served on 127.0.0.1 for local
 * apps and collectors and on one unix socket per box, bind-mounted into that
 * box alone. Box exports must carry a `box-auth-token` the runner registered;
 * on TCP loopback an export without the header is accepted. A token (and a
 * box's socket) writes only the trace of that box's launch.
 */
import http from 'node:http';
import net from 'node:net';
import zlib from 'node:zlib';
import type { Readable } from 'node:stream';
import { ATTR, BOX_AUTH_HEADER } from '../../../shared/constants.js';
import type { SpanRecord } from '../../../shared/models.js';
import type { Logger, TraceStore } from '../contracts.js';
import {
  decodeOtlpJson,
  decodeOtlpProtobuf,
  OtlpDecodeError,
  warmProtobufDecoder,
  type DecodeResult,
} from '../otlp/decode.js';
import { encodeExportResponse, encodeRpcStatus, RPC, type Encoding } from '../otlp/encode.js';
import type { BoxQuotas } from './quota.js';
import { listenOnSocket } from '../unix-socket.js';

/** Builds the protobuf decoder ahead of the first request; a failure only means it is built on first use. */
export function warmDecoder(): void {
  try {
    warmProtobufDecoder();
  } catch {
    // the first request builds it instead
  }
}

export const MAX_BODY_BYTES = 64 * 1024 * 1024;

/**
 * Bytes of request bodies being read at once: each sender (a box, or the local apps together) at most one
 * full body, the whole process at most two. Without it, a box sending a few gzip bombs at once had every one
 * of them inflate to the cap before its 413, and the core's memory passed the 512 MB bound of issue 10. A
 * sender over its share gets OTLP's retryable 429 and sends again after Retry-After.
 */
export class BodyBudget {
  private readonly held = new Map<string, number>();
  private total = 0;
  constructor(
    readonly perSender: number,
    readonly all: number,
  ) {}
  take(sender: string, n: number): boolean {
    const mine = this.held.get(sender) ?? 0;
    if (mine + n > this.perSender || this.total + n > this.all) return false;
    this.held.set(sender, mine + n);
    this.total += n;
    return true;
  }
  give(sender: string, n: number): void {
    const left = (this.held.get(sender) ?? 0) - n;
    if (left > 0) this.held.set(sender, left);
    else this.held.delete(sender);
    this.total -= n;
  }
}

/** One budget for every handler of this process (TCP and each box's socket). */
const processBudget = new BodyBudget(MAX_BODY_BYTES, 2 * MAX_BODY_BYTES);

export interface ReceiverOptions {
  store: TraceStore;
  log: Logger;
  /** Cap on the decompressed body (413 above it). */
  maxBodyBytes?: number;
  /** Per-box rate and total limits, shared by every handler of this process (see quota.ts). */
  quotas?: BoxQuotas;
  /** Bodies being read at once (default: one budget for the process, sized by MAX_BODY_BYTES). */
  bodyBudget?: BodyBudget;
}

type Side = 'tcp' | 'socket';

class TooLarge extends Error {}
class BadGzip extends Error {}
class Busy extends Error {}

/** Reads the body through gunzip when asked, counting bytes as they stream so a bomb never lands in memory. */
function readBody(
  req: http.IncomingMessage,
  gzip: boolean,
  cap: number,
  reserve: (n: number) => boolean,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let raw = 0;
    let settled = false;
    const src: Readable = gzip ? req.pipe(zlib.createGunzip()) : req;
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      if (err) {
        if (gzip) {
          req.unpipe();
          src.destroy();
        }
        reject(err);
      } else resolve(Buffer.concat(chunks, total));
    };
    if (gzip) {
      req.on('data', (c: Buffer) => {
        raw += c.length;
        if (raw > cap) finish(new TooLarge());
      });
    }
    src.on('data', (c: Buffer) => {
      if (settled) return;
      total += c.length;
      if (total > cap) finish(new TooLarge());
      else if (!reserve(c.length)) finish(new Busy());
      else chunks.push(c);
    });
    src.on('end', () => finish());
    src.on('error', (e) => finish(gzip && e !== undefined ? new BadGzip(e.message) : e));
    req.on('aborted', () => finish(new Error('request aborted')));
  });
}

/** Requests decoded in one turn of the event loop are stored together, in one write (at most this many spans). */
const COALESCE_SPANS = 10_000;
interface Pending {
  spans: SpanRecord[];
  done: (err?: unknown) => void;
}
const queues = new WeakMap<TraceStore, Pending[]>();

/**
 * Stores the spans with those of every other request of this turn: one write (and so one commit and
 * one pass over the indexes' pages) for many requests instead of one each. Each request is answered
 * once its spans are stored; a failed write fails every request in it.
 */
function storeSoon(store: TraceStore, spans: SpanRecord[]): Promise<void> {
  if (!spans.length) return Promise.resolve();
  return new Promise((resolve, reject) => {
    let q = queues.get(store);
    if (!q) {
      queues.set(store, (q = []));
      setImmediate(() => flush(store));
    }
    q.push({ spans, done: (err) => (err === undefined ? resolve() : reject(err)) });
  });
}

function flush(store: TraceStore): void {
  const q = queues.get(store);
  queues.delete(store);
  if (!q) return;
  for (let i = 0; i < q.length;) {
    let n = 0;
    let j = i;
    while (j < q.length && (j === i || n + q[j]!.spans.length <= COALESCE_SPANS)) n += q[j++]!.spans.length;
    const group = q.slice(i, j);
    let err: unknown;
    try {
      store.addSpans(group.length === 1 ? group[0]!.spans : group.flatMap((p) => p.spans));
    } catch (e) {
      err = e ?? new Error('store failed');
    }
    for (const p of group) p.done(err);
    i = j;
  }
}

/**
 * `socketBox`: the box whose own socket this handler serves; spans arriving
 * on it belong to that box, and only that box's token is accepted there.
 */
export function createOtlpHandler(
  opts: ReceiverOptions,
  side: Side,
  socketBox?: string,
): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  const cap = opts.maxBodyBytes ?? MAX_BODY_BYTES;
  return (req, res) => {
    const ctype = String(req.headers['content-type'] ?? '')
      .split(';')[0]!
      .trim()
      .toLowerCase();
    const enc: Encoding = ctype === 'application/x-protobuf' ? 'protobuf' : 'json';
    const send = (status: number, body: Buffer, close = false, extra: Record<string, string> = {}) => {
      if (res.headersSent) return;
      res.writeHead(status, {
        'content-type': enc === 'json' ? 'application/json' : 'application/x-protobuf',
        'content-length': body.length,
        ...(close ? { connection: 'close' } : {}),
        ...extra,
      });
      res.end(body);
    };
    const fail = (status: number, code: number, message: string, extra?: Record<string, string>) => {
      const unread = !req.readableEnded;
      send(status, encodeRpcStatus(enc, code, message), unread, extra);
      if (unread) {
        // Let the client finish writing so it can read the answer, but cap what we swallow.
        let drained = 0;
        req.on('data', (c: Buffer) => {
          drained += c.length;
          if (drained > cap) req.socket.destroy();
        });
        req.resume();
      }
    };

    const url = (req.url ?? '').split('?')[0];
    if (url !== '/v1/traces') return fail(404, RPC.UNIMPLEMENTED, `no OTLP endpoint at ${url}; use /v1/traces`);
    if (req.method !== 'POST') return fail(405, RPC.UNIMPLEMENTED, 'use POST /v1/traces');
    if (ctype !== 'application/json' && ctype !== 'application/x-protobuf') {
      return fail(415, RPC.INVALID_ARGUMENT, 'Content-Type must be application/json or application/x-protobuf');
    }
    const encoding = String(req.headers['content-encoding'] ?? 'identity').toLowerCase();
    if (encoding !== 'gzip' && encoding !== 'identity') {
      return fail(415, RPC.INVALID_ARGUMENT, `unsupported Content-Encoding ${encoding}; use gzip or none`);
    }

    const tokenHeader = req.headers[BOX_AUTH_HEADER];
    const token = Array.isArray(tokenHeader) ? tokenHeader[0] : tokenHeader;
    let grant: { boxId: string; traceId?: string; traceIds?: string[] } | undefined;
    if (token !== undefined) {
      grant = opts.store.grantForToken(token);
      if (!grant) return fail(401, RPC.UNAUTHENTICATED, `unknown ${BOX_AUTH_HEADER}`);
    } else if (side === 'socket') {
      return fail(401, RPC.UNAUTHENTICATED, `the box socket requires a ${BOX_AUTH_HEADER} header`);
    }
    if (socketBox !== undefined && grant?.boxId !== socketBox)
      return fail(403, RPC.PERMISSION_DENIED, `this socket belongs to another box than the ${BOX_AUTH_HEADER}`);
    const boxId = grant?.boxId;
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > cap) return fail(413, RPC.RESOURCE_EXHAUSTED, 'body exceeds 64 MiB');

    const budget = opts.bodyBudget ?? processBudget;
    const sender = boxId ?? '';
    let held = 0;
    const reserve = (n: number) => {
      if (!budget.take(sender, n)) return false;
      held += n;
      return true;
    };
    const release = () => {
      budget.give(sender, held);
      held = 0;
    };
    readBody(req, encoding === 'gzip', cap, reserve).then(
      (body) => {
        // What follows runs to the answer without yielding: no other request can take the bytes meanwhile.
        release();
        let decoded: DecodeResult;
        try {
          decoded = enc === 'json' ? decodeOtlpJson(body) : decodeOtlpProtobuf(body);
        } catch (err) {
          const msg = err instanceof OtlpDecodeError ? err.message : 'undecodable request';
          return fail(400, RPC.INVALID_ARGUMENT, msg);
        }
        let { spans, rejected, rejectReason: reason } = decoded;
        if (grant?.traceId) {
          // A box writes only its own traces (its launch's, and each start's granted to it): a span for any
          // other trace could forge or re-root another box's.
          const allowed = new Set(grant.traceIds ?? [grant.traceId]);
          const own = spans.filter((s) => allowed.has(s.traceId));
          const foreign = spans.length - own.length;
          if (foreign) {
            rejected += foreign;
            const why = `${foreign} span(s) are not in the trace of box ${grant.boxId}'s launch${grant.traceIds ? ' or starts' : ''}`;
            reason = reason ? `${reason}; ${why}` : why;
            spans = own;
          }
        }
        if (boxId && opts.quotas && spans.length) {
          const q = opts.quotas.admit(boxId, spans.length, body.length);
          if (!q.ok && q.kind === 'rate') {
            // OTLP/HTTP's retryable answer: the exporter waits Retry-After seconds and sends again.
            return fail(429, RPC.RESOURCE_EXHAUSTED, `${q.reason}; retry after ${q.retryAfterS} s`, {
              'retry-after': String(q.retryAfterS),
            });
          }
          if (!q.ok) {
            rejected += spans.length;
            reason = reason ? `${reason}; ${q.reason}` : q.reason;
            spans = [];
          }
        }
        // The token says which box sent the spans; neither a span nor its resource can claim another box.
        if (boxId) {
          // Spans of one resource keep sharing one (rewritten) resource object: the store keeps each once.
          const rewritten = new Map<object, (typeof spans)[number]['resource']>();
          for (const s of spans) {
            s.attributes[ATTR.boxId] = boxId;
            let r = rewritten.get(s.resource);
            if (!r) rewritten.set(s.resource, (r = { ...s.resource, [ATTR.boxId]: boxId }));
            s.resource = r;
          }
        }
        storeSoon(opts.store, spans).then(
          () =>
            send(
              200,
              encodeExportResponse(enc, rejected, rejected ? `${rejected} span(s) rejected: ${reason}` : undefined),
            ),
          (err: unknown) => {
            opts.log.error('storing received spans failed', { error: (err as Error).message });
            // 503 is retryable for OTLP exporters: a store busy with another process's import clears up.
            fail(503, RPC.UNAVAILABLE, 'the trace store could not save the spans; retry');
          },
        );
      },
      (err) => {
        release();
        if (err instanceof TooLarge) fail(413, RPC.RESOURCE_EXHAUSTED, 'body exceeds 64 MiB after decompression');
        else if (err instanceof BadGzip) fail(400, RPC.INVALID_ARGUMENT, 'malformed gzip body');
        else if (err instanceof Busy)
          fail(
            429,
            RPC.RESOURCE_EXHAUSTED,
            `${boxId ? `box ${boxId}` : 'this sender'} has too many bytes of OTLP requests being read at once; retry after 1 s`,
            { 'retry-after': '1' },
          );
        else if (!res.headersSent) req.socket.destroy();
      },
    );
  };
}

export interface RunningServer {
  server: http.Server;
  close(): Promise<void>;
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export async function listenTcp(
  handler: http.RequestListener,
  port: number,
  host = '127.0.0.1',
): Promise<RunningServer & { port: number }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as net.AddressInfo;
  return { server, port: addr.port, close: () => closeServer(server) };
}

/** Listens on the unix socket, replacing a stale socket file; undefined if another live receiver owns it. */
export async function listenSocket(handler: http.RequestListener, path: string): Promise<RunningServer | undefined> {
  const server = http.createServer(handler);
  // Box processes run as any uid; the token, not the file mode, guards the receiver.
  const l = await listenOnSocket(server, path, 0o666, () => closeServer(server));
  return l && { server, close: l.unlisten };
}
