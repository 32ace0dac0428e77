export type Page = 'launch' | 'boxes' | 'traces' | 'settings';

export interface Route {
  page: Page;
  boxId?: string;
  traceId?: string;
  /** `#/traces/<traceId>?span=<spanId>`: that span selected, scrolled to, its detail open (16 hex digits). */
  spanId?: string;
  /** `#/launch?from=<boxId>`: the launch form prefilled from that box's launch ("Run again"). */
  from?: string;
}

/** A mangled escape in a pasted link must not stop the app from starting. */
function decodePart(p: string): string {
  try {
    return decodeURIComponent(p);
  } catch {
    return p;
  }
}

/** A span id as W3C trace context writes it; anything else in `?span=` is ignored. */
const SPAN_ID = /^[0-9a-f]{16}$/;

/**
 * `#/traces/<id>[?span=<spanId>]`, `#/boxes/<id>`, `#/launch[?from=<boxId>]`, `#/settings`.
 * The page's own query (browser-mode token) is never touched.
 */
export function parseHash(hash: string): Route {
  const [path, query = ''] = hash.replace(/^#\/?/, '').split('?');
  const parts = path.split('/').filter(Boolean).map(decodePart);
  switch (parts[0]) {
    case 'traces': {
      const span = new URLSearchParams(query).get('span')?.toLowerCase();
      return parts[1] && span && SPAN_ID.test(span)
        ? { page: 'traces', traceId: parts[1], spanId: span }
        : { page: 'traces', traceId: parts[1] };
    }
    case 'boxes':
      return { page: 'boxes', boxId: parts[1] };
    case 'settings':
      return { page: 'settings' };
    case 'launch': {
      const from = new URLSearchParams(query).get('from');
      return from ? { page: 'launch', from } : { page: 'launch' };
    }
    default:
      return { page: 'launch' };
  }
}

export function routeHash(r: Route): string {
  if (r.page === 'traces' && r.traceId) {
    const span = r.spanId && SPAN_ID.test(r.spanId) ? `?span=${r.spanId}` : '';
    return `#/traces/${encodeURIComponent(r.traceId)}${span}`;
  }
  if (r.page === 'boxes' && r.boxId) return `#/boxes/${encodeURIComponent(r.boxId)}`;
  if (r.page === 'launch' && r.from) return `#/launch?from=${encodeURIComponent(r.from)}`;
  return `#/${r.page}`;
}

export function navigate(r: Route): void {
  const h = routeHash(r);
  if (window.location.hash !== h) window.location.hash = h;
}

export function deepLink(
  r: Route,
  loc: Pick<Location, 'origin' | 'pathname' | 'search' | 'protocol' | 'host'> = window.location,
): string {
  const { origin, pathname, search, protocol, host } = loc;
  // Electron's app:// pages open nowhere else; the link others can open is its registered boxscope:// scheme.
  if (protocol === 'app:') return `boxscope:/${routeHash(r).slice(1)}`;
  const base = origin && origin !== 'null' ? origin : `${protocol}//${host}`;
  return `${base}${pathname}${search}${routeHash(r)}`;
}
