/** `WWW-Authenticate` challenges (RFC 7235) as registries send them. Pure. */

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses one header value, which may carry several challenges. */
export function parseChallenges(header: string | undefined | null): Challenge[] {
  if (!header) return [];
  const out: Challenge[] = [];
  const re =
    /\s*([A-Za-z][\w!#$%&'*+.^`|~-]*)(?:\s+|$)|\s*([\w!#$%&'*+.^`|~-]+)\s*=\s*("((?:[^"\\]|\\.)*)"|[^,\s]*)\s*,?/y;
  let current: Challenge | undefined;
  let i = 0;
  while (i < header.length) {
    re.lastIndex = i;
    const m = re.exec(header);
    if (!m || m[0].length === 0) {
      i++;
      continue;
    }
    i = re.lastIndex;
    if (m[2] !== undefined && current) {
      const value = m[4] !== undefined ? m[4].replace(/\\(.)/g, '$1') : m[3];
      current.params[m[2].toLowerCase()] = value;
    } else if (m[1] !== undefined) {
      current = { scheme: m[1].toLowerCase(), params: {} };
      out.push(current);
    }
    while (header[i] === ',' || header[i] === ' ') i++;
  }
  return out;
}
