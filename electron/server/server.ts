/**
 * Browser mode: the renderer build over HTTP and the BoxscopeApi over one
 * WebSocket at /api, on a loopback address, behind a random token.
 * The socket carries the wire protocol of shared/wire.ts: calls, streams and
 * their cancellation, as for the Electron host's MessagePort.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { BoxscopeError, toErrorInfo } from '../../shared/errors.js';
import { decodeFrame, encodeFrame } from '../../shared/wire.js';
import { contentType, resolveStatic, SECURITY_HEADERS } from '../host-common/security.js';
import { serveWire, type CoreEntry } from '../host-common/wire-server.js';
import { checkRequest, isLoopbackHost, newToken } from './guard.js';
import { handleUpload, UPLOAD_PATH, type ImportContext } from './upload.js';
import { UploadSessions } from './upload-parts.js';

export interface ServerOptions {
  /** The core's entry; with its context (a Core from createCore), trace files can be uploaded too. */
  core: CoreEntry & { ctx?: ImportContext };
  /** The renderer build (renderer/dist). */
  staticDir: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Needed to listen anywhere but loopback. */
  allowRemote?: boolean;
  token?: string;
  /** Largest WebSocket message accepted (default 256 MiB, room for a 100k-span trace file). */
  maxMessageBytes?: number;
}

export interface BrowserServer {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/** Room for a trace file sent whole to traces:import (64 MiB of text); bigger ones go by POST /api/traces/import. */
const MAX_MESSAGE = 256 * 1024 * 1024;

export async function startServer(opts: ServerOptions): Promise<BrowserServer> {
  const host = opts.host ?? '127.0.0.1';
  if (!isLoopbackHost(host) && !opts.allowRemote) {
    throw new BoxscopeError('INVALID_INPUT', `Refusing to listen on ${host}: browser mode serves loopback only`);
  }
  const token = opts.token ?? newToken();
  let port = 0;
  const uploads = new UploadSessions();

  // No whole-request deadline (Node's default is 5 minutes): a 1 GB trace upload streams into the store for
  // longer than that. Headers still have to arrive in time (headersTimeout).
  const server = http.createServer({ requestTimeout: 0 }, (req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    if (pathname === UPLOAD_PATH) {
      handleUpload(req, res, { token, port, ctx: opts.core.ctx, parts: uploads }).catch(() => res.destroy());
      return;
    }
    const verdict = checkRequest(req, { token, port, needToken: !isAsset(pathname) });
    if (!verdict.ok) {
      res.writeHead(verdict.status, { 'Content-Type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS });
      res.end(`Forbidden: ${verdict.reason}. Open the URL printed by \`boxscope serve\`.\n`);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', ...SECURITY_HEADERS }).end();
      return;
    }
    const file = resolveStatic(opts.staticDir, pathname);
    const headers: Record<string, string> = { ...SECURITY_HEADERS };
    if (!file) {
      const missing = !fs.existsSync(opts.staticDir);
      res.writeHead(missing ? 503 : 404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(missing ? 'The renderer is not built: run `npm run build:renderer`.\n' : 'Not found\n');
      return;
    }
    headers['Content-Type'] = contentType(file);
    headers['Cache-Control'] = file.endsWith('.html') ? 'no-store' : 'private, max-age=3600';
    res.writeHead(200, headers);
    if (req.method === 'HEAD') res.end();
    // The build can be replaced under a running server (npm run build:renderer): fail that request only.
    else
      fs.createReadStream(file)
        .on('error', () => res.destroy())
        .pipe(res);
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: opts.maxMessageBytes ?? MAX_MESSAGE });
  server.on('upgrade', (req, socket, head) => {
    const verdict = checkRequest(req, { token, port, needToken: true });
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (!verdict.ok || path !== '/api') {
      socket.end(`HTTP/1.1 ${verdict.ok ? '404 Not Found' : '403 Forbidden'}\r\nConnection: close\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveSocket(ws, opts.core));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}/?token=${token}`,
    port,
    token,
    async close() {
      uploads.closeAll();
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** The build's own files (hashed assets, icons): public, so the page loads them without the token. */
function isAsset(pathname: string): boolean {
  return pathname.startsWith('/assets/') || /^\/[\w.-]+\.(svg|png|ico|webmanifest)$/.test(pathname);
}

/** One page's socket: the wire protocol over WebSocket frames (shared/wire.ts), served by the core's one entry. */
function serveSocket(ws: WebSocket, core: CoreEntry): void {
  const session = serveWire(core, (msg) => {
    if (ws.readyState === ws.OPEN) ws.send(encodeFrame(msg));
  });
  ws.on('close', () => session.close());
  // A bad frame or an oversized message ends this page's connection, never the server.
  ws.on('error', () => ws.terminate());
  ws.on('message', (data, isBinary) => {
    let msg: unknown;
    try {
      msg = decodeFrame(isBinary ? toBytes(data) : data.toString());
    } catch (err) {
      if (ws.readyState === ws.OPEN) ws.send(encodeFrame({ t: 'err', id: null, error: toErrorInfo(err) }));
      return;
    }
    session.receive(msg);
  });
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}
