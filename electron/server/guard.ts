/**
 * Who may talk to browser mode: only pages on a loopback host (a DNS-rebinding
 * guard on Host and Origin) that know the random token printed at start.
 */
import crypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const TOKEN_COOKIE = 'boxscope_token';

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

function cookieToken(req: IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === TOKEN_COOKIE) return v.join('=');
  }
  return undefined;
}

export type Verdict = { ok: true; viaQuery: boolean } | { ok: false; status: 403; reason: string };

/**
 * The token comes in the URL's query (what the printed link carries) or, for
 * the assets that page loads, in the cookie set when the link was opened.
 */
export function checkRequest(
  req: IncomingMessage,
  opts: { token: string; port: number; allowCookie: boolean },
): Verdict {
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
  const q = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams.get('token') ?? undefined;
  if (sameToken(q, opts.token)) return { ok: true, viaQuery: true };
  if (opts.allowCookie && sameToken(cookieToken(req), opts.token)) return { ok: true, viaQuery: false };
  return { ok: false, status: 403, reason: 'missing or wrong token' };
}
