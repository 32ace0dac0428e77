/** `boxscope://traces/<id>` and `boxscope://boxes/<id>` → the renderer's hash route, or undefined. */
import { TRACE_ID_RE } from '../../shared/constants.js';
export const DEEP_LINK_SCHEME = 'boxscope';

export function deepLinkHash(url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  if (u.protocol !== `${DEEP_LINK_SCHEME}:`) return undefined;
  // boxscope://traces/ID parses with host "traces"; boxscope:traces/ID without one.
  const parts = [u.host, ...u.pathname.split('/')].filter(Boolean);
  const [kind, id] = parts;
  if (parts.length !== 2 || !id) return undefined;
  if (kind === 'traces' && TRACE_ID_RE.test(id)) return `/traces/${id}`;
  if (kind === 'boxes' && /^[A-Za-z0-9_.-]{1,128}$/.test(id)) return `/boxes/${id}`;
  return undefined;
}

export function findDeepLink(argv: readonly string[]): string | undefined {
  for (const a of argv) {
    const h = a.startsWith(`${DEEP_LINK_SCHEME}:`) ? deepLinkHash(a) : undefined;
    if (h) return h;
  }
  return undefined;
}
