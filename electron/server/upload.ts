/**
 * Browser mode's trace upload: `POST /api/traces/import?token=…&name=<file name>`
 * with the raw file as the body, streamed into the store as it arrives (or the
 * file in slices, one request each: upload-parts.ts, what the page does). The
 * answer is NDJSON, one ImportProgress per line as the import goes, and an
 * error as a last line `{"error": ErrorInfo}`. Same guard as the WebSocket:
 * a loopback Host and Origin (403) and the token (401). A body past the cap
 * is refused with 413 from its Content-Length, and stopped while streaming
 * when it had none or lied.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BoxscopeError, toErrorInfo, type ErrorInfo } from '../../shared/errors.js';
import type { CoreContext } from '../core/contracts.js';
import { importMaxBytes, importTraceStream } from '../core/traces/import.js';
import { formatBytes } from '../core/otlp/trace-stream.js';
import { SECURITY_HEADERS } from '../host-common/security.js';
import { checkRequest, sameToken } from './guard.js';
import type { UploadSessions } from './upload-parts.js';

export const UPLOAD_PATH = '/api/traces/import';

export type ImportContext = Pick<CoreContext, 'store' | 'log' | 'env'>;

export interface UploadOptions {
  token: string;
  port: number;
  ctx: ImportContext | undefined;
  /** Uploads sent in parts (upload-parts.ts). */
  parts: UploadSessions;
}

function refuse(res: ServerResponse, status: number, error: ErrorInfo, extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'application/x-ndjson', ...extra });
  res.end(JSON.stringify({ error }) + '\n');
}

/** A file name for messages only: its last path part, printable, short. */
function cleanName(name: string | null): string | undefined {
  if (!name) return undefined;
  const base = name.split(/[\\/]/).pop() ?? '';
  const clean = base.replace(/[^\x20-\x7e\u00a0-\uffff]/g, '').slice(0, 200);
  return clean || undefined;
}

export async function handleUpload(req: IncomingMessage, res: ServerResponse, opts: UploadOptions): Promise<void> {
  const guard = checkRequest(req, { token: opts.token, port: opts.port, needToken: false });
  if (!guard.ok) {
    return refuse(res, 403, { code: 'INVALID_INPUT', message: `Forbidden: ${guard.reason}` });
  }
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (!sameToken(url.searchParams.get('token') ?? undefined, opts.token)) {
    return refuse(res, 401, {
      code: 'INVALID_INPUT',
      message: 'Missing or wrong token: open the URL printed by `boxscope serve`',
    });
  }
  if (req.method !== 'POST') {
    return refuse(
      res,
      405,
      { code: 'INVALID_INPUT', message: 'Use POST with the trace file as the body' },
      {
        Allow: 'POST',
      },
    );
  }
  if (!opts.ctx) return refuse(res, 503, { code: 'INTERNAL', message: 'This server cannot import trace files' });
  const ctx = opts.ctx;
  const maxBytes = importMaxBytes(ctx.env);
  const declared = req.headers['content-length'] !== undefined ? Number(req.headers['content-length']) : undefined;
  const whole = url.searchParams.has('size') ? Number(url.searchParams.get('size')) : undefined;
  if ((declared !== undefined && declared > maxBytes) || (whole !== undefined && whole > maxBytes)) {
    req.resume();
    return refuse(
      res,
      413,
      {
        code: 'BAD_TRACE_FILE',
        message: `The trace file is larger than the ${formatBytes(maxBytes)} this server accepts (BOXSCOPE_IMPORT_MAX_BYTES)`,
      },
      { Connection: 'close' },
    );
  }

  const headers = {
    ...SECURITY_HEADERS,
    'Content-Type': 'application/x-ndjson',
    'Cache-Control': 'no-store',
    'X-Accel-Buffering': 'no',
  };
  const fileName = cleanName(url.searchParams.get('name'));
  if (url.searchParams.has('upload')) return opts.parts.part(req, res, url, ctx, { fileName, maxBytes, headers });

  const ac = new AbortController();
  // The page went away (closed, reloaded, cancelled the fetch): stop reading and storing.
  res.on('close', () => {
    if (!res.writableEnded) ac.abort();
  });
  req.on('aborted', () => ac.abort());
  res.writeHead(200, headers);
  res.flushHeaders();
  const line = (v: unknown) => {
    if (!ac.signal.aborted) res.write(JSON.stringify(v) + '\n');
  };
  try {
    // Not destroyed when the import stops early: the rest of the body is drained so the page reads the answer.
    await importTraceStream(ctx, req.iterator({ destroyOnReturn: false }), {
      fileName,
      totalBytes: declared !== undefined && Number.isSafeInteger(declared) ? declared : undefined,
      signal: ac.signal,
      maxBytes,
      onProgress: line,
    });
  } catch (err) {
    if (ac.signal.aborted) return;
    line({ error: toErrorInfo(asImportError(err)) });
    // A browser reads the answer only once its upload is sent: let the rest of the body come, unread.
    req.resume();
  }
  if (!ac.signal.aborted) res.end();
}

/** A broken upload (the connection reset mid-body) as one line a user can act on. */
function asImportError(err: unknown): unknown {
  if (err instanceof BoxscopeError) return err;
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE') {
    return new BoxscopeError('BAD_TRACE_FILE', 'The upload stopped before the whole file arrived; try again');
  }
  return err;
}
