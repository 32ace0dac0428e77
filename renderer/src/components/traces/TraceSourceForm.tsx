import { useEffect, useState } from 'react';
import { TRACE_ID_RE } from '../../../../shared/constants.js';
import type { TraceSource } from '../../../../shared/models.js';
import { call, errorInfo } from '../../api/client.js';
import { useApp } from '../../state/app-store.js';
import { navigate } from '../../state/route.js';

const SOURCE_KEY = 'boxscope.traceSource';
/** The picker's values besides a saved source's name. */
const ANY = '*any';
const URL_CHOICE = '*url';

function savedUrl(): string {
  try {
    return localStorage.getItem(SOURCE_KEY) ?? '';
  } catch {
    return '';
  }
}

/**
 * A trace kept elsewhere (a Jaeger query endpoint, such as the one the cloud
 * runner's collector feeds) opened beside local ones: the core copies it into
 * the store, then it opens like any other. The source is a saved one
 * (Settings → Trace sources), each saved one in turn, or a URL typed here
 * (remembered in this window).
 */
export function TraceSourceForm() {
  const pushError = useApp((s) => s.pushError);
  const [sources, setSources] = useState<TraceSource[]>([]);
  const [choice, setChoice] = useState(URL_CHOICE);
  const [url, setUrl] = useState(savedUrl);
  const [traceId, setTraceId] = useState('');
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    let live = true;
    call('sources:list').then(
      (list) => {
        if (!live) return;
        setSources(list);
        if (list.length) setChoice(list.length > 1 ? ANY : list[0]!.name);
      },
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, []);
  const id = traceId.trim().toLowerCase();
  const byUrl = choice === URL_CHOICE;
  const from = byUrl ? url.trim() : choice === ANY ? undefined : choice;
  const open = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      await call('traces:fetch', from === undefined ? { traceId: id } : { traceId: id, from });
      if (byUrl)
        try {
          localStorage.setItem(SOURCE_KEY, url.trim());
        } catch {
          // Storage unavailable: the URL is just not remembered.
        }
      navigate({ page: 'traces', traceId: id });
    } catch (err) {
      pushError(errorInfo(err), `Could not open trace ${id}`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="trace-source" onSubmit={open} aria-label="Open from a trace source">
      {sources.length > 0 && (
        <select aria-label="Trace source" value={choice} onChange={(e) => setChoice(e.target.value)}>
          {sources.length > 1 && <option value={ANY}>Any saved source</option>}
          {sources.map((s) => (
            <option key={s.name} value={s.name}>
              {s.name} — {s.url}
            </option>
          ))}
          <option value={URL_CHOICE}>Another URL…</option>
        </select>
      )}
      {byUrl && (
        <input
          type="url"
          placeholder="Trace source (Jaeger), e.g. http://127.0.0.1:16686"
          aria-label="Trace source URL"
          value={url}
          onChange={(e) => setUrl(e.target.value)}
        />
      )}
      <input
        placeholder="Trace id (32 hex)"
        aria-label="Trace id"
        className="mono"
        value={traceId}
        onChange={(e) => setTraceId(e.target.value)}
      />
      <button type="submit" className="btn" disabled={busy || (byUrl && !url.trim()) || !TRACE_ID_RE.test(id)}>
        {busy ? 'Opening…' : 'Open'}
      </button>
    </form>
  );
}
