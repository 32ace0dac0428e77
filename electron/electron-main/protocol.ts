/**
 * Pages come from `app://boxscope/…`, a privileged custom scheme over the
 * renderer build, so every response carries the strict CSP as a header
 * (file:// cannot) and the page has a real origin to check IPC senders against.
 */
import fs from 'node:fs/promises';
import { protocol } from 'electron';
import { contentType, resolveStatic, SECURITY_HEADERS } from '../host-common/security.js';

export const APP_SCHEME = 'app';
export const APP_HOST = 'boxscope';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/** Must run before the app is ready. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    // Vite's module scripts are CORS-mode requests (crossorigin), even to their own origin.
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true } },
  ]);
}

export async function serveAppRequest(rendererDir: string, url: string): Promise<Response> {
  const file = isAppUrl(url) ? resolveStatic(rendererDir, new URL(url).pathname) : undefined;
  if (!file) return new Response('Not found', { status: 404, headers: { ...SECURITY_HEADERS } });
  const body = await fs.readFile(file);
  return new Response(body, { status: 200, headers: { ...SECURITY_HEADERS, 'Content-Type': contentType(file) } });
}

export function handleAppProtocol(rendererDir: string): void {
  protocol.handle(APP_SCHEME, (req) => serveAppRequest(rendererDir, req.url));
}

export function isAppUrl(url: string | undefined): boolean {
  if (!url) return false;
  try {
    // Node's URL gives custom schemes an opaque origin, so compare the parts.
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST;
  } catch {
    return false;
  }
}
