/**
 * Who may talk to browser mode: only pages on a loopback host (a DNS-rebinding
 * guard on Host and Origin) that know the random token printed at start. The
 * token travels only in the URL the user opened and in the WebSocket
 * handshake, never in a cookie: a browser sends a cookie for 127.0.0.1 to every
 * port of it, so any other local server the user visits would receive it.
 */
import crypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export function newToken(): string {
  return crypto.randomBytes(32).toString('hex');
}

export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/** `host[:port]` of a Host header or an Origin URL → hostname and port, or undefined. */
function hostOf(value: string, isOrigin: boolean): { hostname: string; port: string } | undefined {
  try {
    const u = new URL(isOrigin ? value : `http://${value}`);
    return { hostname: u.hostname, port: u.port || (u.protocol === 'https:' ? '443' : '80') };
  } catch {
    return undefined;
  }
}

export function sameToken(a: string | undefined, b: string): boolean {
  if (!a) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

export type Verdict = { ok: true } | { ok: false; status: 403; reason: string };

/**
 * Host and Origin must be this loopback server; with `needToken`, the URL's
 * query must carry the token (the printed link, the WebSocket handshake).
 * The build's assets need no token: they are the same public files for
 * everyone, and the page that loads them was opened with it.
 */
export function checkRequest(req: IncomingMessage, opts: { token: string; port: number; needToken: boolean }): Verdict {
  const port = String(opts.port);
  const host = req.headers.host ? hostOf(req.headers.host, false) : undefined;
  if (!host || !isLoopbackHost(host.hostname)) return { ok: false, status: 403, reason: 'host is not loopback' };
  const origin = req.headers.origin;
  if (origin !== undefined) {
    // Another local page (another port) shares cookies with us but not our origin.
    const o = hostOf(origin, true);
    if (!o || !isLoopbackHost(o.hostname) || o.port !== port) {
      return { ok: false, status: 403, reason: 'origin is not this server' };
    }
  }
  if (!opts.needToken) return { ok: true };
  const q = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams.get('token') ?? undefined;
  if (sameToken(q, opts.token)) return { ok: true };
  return { ok: false, status: 403, reason: 'missing or wrong token' };
}
