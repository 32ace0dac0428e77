/**
 * Saved trace sources: named Jaeger query endpoints kept in the data dir
 * (trace-sources.json, 0600 — URLs are not secrets, but they name a
 * company's hosts). A URL carries no credentials; the order is the order in
 * which `traces:fetch` without a source asks them.
 */
import fs from 'node:fs';
import { BoxscopeError } from '../../../shared/errors.js';
import type { TraceSource } from '../../../shared/models.js';
import type { Paths } from '../config.js';

const MAX_SOURCES = 32;

/** The base URL of a trace source as the one way it is written, or an INVALID_INPUT saying why not. */
export function sourceBase(text: string): string {
  let base: URL;
  try {
    base = new URL(text.trim());
  } catch {
    throw new BoxscopeError('INVALID_INPUT', `${text} is not a URL (expected e.g. http://127.0.0.1:16686)`);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:')
    throw new BoxscopeError('INVALID_INPUT', `A trace source is an http:// or https:// URL, not ${base.protocol}`);
  if (base.username || base.password)
    throw new BoxscopeError('INVALID_INPUT', 'Put no credentials in a trace source URL');
  if (base.search || base.hash)
    throw new BoxscopeError(
      'INVALID_INPUT',
      'A trace source URL is the base of its query API, without ?query or #part',
    );
  return `${base.origin}${base.pathname.replace(/\/+$/, '')}`;
}

export function listSources(p: Pick<Paths, 'traceSources'>): TraceSource[] {
  let text: string;
  try {
    text = fs.readFileSync(p.traceSources, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new BoxscopeError(
      'INTERNAL',
      `Cannot read the trace sources in ${p.traceSources}: ${(err as Error).message}`,
    );
  }
  try {
    const data = JSON.parse(text) as { sources?: unknown };
    if (!Array.isArray(data.sources)) throw new Error('no sources list');
    return data.sources.filter(
      (s): s is TraceSource =>
        typeof s === 'object' && s !== null && typeof s.name === 'string' && typeof s.url === 'string',
    );
  } catch (err) {
    throw new BoxscopeError(
      'INVALID_INPUT',
      `The trace sources file ${p.traceSources} is not readable JSON (${(err as Error).message}): fix or remove it`,
    );
  }
}

function write(p: Pick<Paths, 'traceSources'>, sources: TraceSource[]): TraceSource[] {
  const tmp = `${p.traceSources}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify({ version: 1, sources }, null, 2) + '\n', { mode: 0o600 });
  fs.renameSync(tmp, p.traceSources);
  return sources;
}

export function saveSource(p: Pick<Paths, 'traceSources'>, s: TraceSource): TraceSource[] {
  const url = sourceBase(s.url);
  const sources = listSources(p);
  const i = sources.findIndex((x) => x.name === s.name);
  if (i >= 0) sources[i] = { name: s.name, url };
  else {
    if (sources.length >= MAX_SOURCES)
      throw new BoxscopeError('INVALID_INPUT', `At most ${MAX_SOURCES} trace sources; remove one first`);
    sources.push({ name: s.name, url });
  }
  return write(p, sources);
}

export function removeSource(p: Pick<Paths, 'traceSources'>, name: string): TraceSource[] {
  const sources = listSources(p);
  const left = sources.filter((s) => s.name !== name);
  if (left.length === sources.length)
    throw new BoxscopeError('INVALID_INPUT', `No trace source named ${name}${namesOf(sources)}`);
  return write(p, left);
}

export const namesOf = (sources: TraceSource[]) =>
  sources.length ? ` (saved: ${sources.map((s) => s.name).join(', ')})` : ' (none saved)';
