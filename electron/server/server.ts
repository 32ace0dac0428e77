/**
 * Browser mode: the renderer build over HTTP and the BoxscopeApi over one
 * WebSocket at /api, on a loopback address, behind a random token.
 * Requests: `{id, channel, arg}` → `{id, ok, result}` | `{id, ok: false, error}`;
 * events: `{event, payload}`.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { EVENTS } from '../../shared/api.js';
import { BoxscopeError } from '../../shared/errors.js';
import { dispatch, type ApiCore } from './dispatch.js';
import { checkRequest, isLoopbackHost, newToken, TOKEN_COOKIE } from './guard.js';
import { contentType, resolveStatic, SECURITY_HEADERS } from './security.js';

export interface ServerOptions {
  core: ApiCore;
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

/** Big enough for a 100k-span trace file sent to traces:import. */
const MAX_MESSAGE = 256 * 1024 * 1024;

export async function startServer(opts: ServerOptions): Promise<BrowserServer> {
  const host = opts.host ?? '127.0.0.1';
  if (!isLoopbackHost(host) && !opts.allowRemote) {
    throw new BoxscopeError('INVALID_INPUT', `Refusing to listen on ${host}: browser mode serves loopback only`);
  }
  const token = opts.token ?? newToken();
  let port = 0;

  const server = http.createServer((req, res) => {
    const verdict = checkRequest(req, { token, port, allowCookie: true });
    if (!verdict.ok) {
      res.writeHead(verdict.status, { 'Content-Type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS });
      res.end(`Forbidden: ${verdict.reason}. Open the URL printed by \`boxscope serve\`.\n`);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', ...SECURITY_HEADERS }).end();
      return;
    }
    const file = resolveStatic(opts.staticDir, new URL(req.url ?? '/', 'http://x').pathname);
    const headers: Record<string, string> = { ...SECURITY_HEADERS };
    if (verdict.viaQuery) {
      headers['Set-Cookie'] = `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`;
    }
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

  const follows = logFollows(opts.core);
  const wss = new WebSocketServer({ noServer: true, maxPayload: opts.maxMessageBytes ?? MAX_MESSAGE });
  server.on('upgrade', (req, socket, head) => {
    const verdict = checkRequest(req, { token, port, allowCookie: false });
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (!verdict.ok || path !== '/api') {
      socket.end(`HTTP/1.1 ${verdict.ok ? '404 Not Found' : '403 Forbidden'}\r\nConnection: close\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveSocket(ws, opts.core, follows));
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
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/**
 * Log follows are per box in the core but per page here: a closed tab must
 * not leave a follow running, nor end one another tab still reads.
 */
function logFollows(core: ApiCore) {
  const readers = new Map<string, number>();
  return {
    followed(boxId: string) {
      readers.set(boxId, (readers.get(boxId) ?? 0) + 1);
    },
    /** true when no page reads this box's logs any more. */
    release(boxId: string): boolean {
      const n = (readers.get(boxId) ?? 0) - 1;
      if (n > 0) {
        readers.set(boxId, n);
        return false;
      }
      readers.delete(boxId);
      return true;
    },
    stop(boxId: string) {
      void core.invoke('boxes:unfollowLogs', { boxId }).catch(() => undefined);
    },
  };
}

function serveSocket(ws: WebSocket, core: ApiCore, follows: ReturnType<typeof logFollows>): void {
  const send = (msg: unknown) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
  };
  const unsubscribe = EVENTS.map((event) => core.on(event, (payload) => send({ event, payload })));
  const mine = new Set<string>();
  let closed = false;
  ws.on('close', () => {
    closed = true;
    unsubscribe.forEach((u) => u());
    for (const boxId of mine) if (follows.release(boxId)) follows.stop(boxId);
  });
  // A bad frame or an oversized message ends this page's connection, never the server.
  ws.on('error', () => ws.terminate());
  ws.on('message', async (data) => {
    let msg: { id?: unknown; channel?: unknown; arg?: unknown };
    try {
      msg = JSON.parse(data.toString());
    } catch {
      send({ id: null, ok: false, error: { code: 'INVALID_INPUT', message: 'Message is not JSON' } });
      return;
    }
    const id = typeof msg?.id === 'number' || typeof msg?.id === 'string' ? msg.id : null;
    const boxId = (msg?.arg as { boxId?: unknown } | undefined)?.boxId;
    if (msg?.channel === 'boxes:unfollowLogs' && typeof boxId === 'string') {
      // This page never followed these logs (a failed follow, a fresh socket after a drop), or another page
      // still reads them: the core's follow stays.
      if (!mine.delete(boxId) || !follows.release(boxId)) return send({ id, ok: true });
    }
    const env = await dispatch(core, msg?.channel, msg?.arg);
    if (env.ok && msg?.channel === 'boxes:followLogs' && typeof boxId === 'string' && !mine.has(boxId)) {
      follows.followed(boxId);
      // The page went away while its follow was being set up: nobody would ever release it.
      if (closed) {
        if (follows.release(boxId)) follows.stop(boxId);
      } else mine.add(boxId);
    }
    send({ id, ...env });
  });
}
