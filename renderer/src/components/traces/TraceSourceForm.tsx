import { useState } from 'react';
import { TRACE_ID_RE } from '../../../../shared/constants.js';
import { call, errorInfo } from '../../api/client.js';
import { useApp } from '../../state/app-store.js';
import { navigate } from '../../state/route.js';

const SOURCE_KEY = 'boxscope.traceSource';

function savedSource(): string {
  try {
    return localStorage.getItem(SOURCE_KEY) ?? '';
  } catch {
    return '';
  }
}

/**
 * A trace kept elsewhere (a Jaeger query endpoint, such as the one the cloud
 * runner's collector feeds) opened beside local ones: the core copies it into
 * the store, then it opens like any other. The source URL is remembered.
 */
export function TraceSourceForm() {
  const pushError = useApp((s) => s.pushError);
  const [source, setSource] = useState(savedSource);
  const [traceId, setTraceId] = useState('');
  const [busy, setBusy] = useState(false);
  const id = traceId.trim().toLowerCase();
  const open = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      await call('traces:fetch', { traceId: id, from: source.trim() });
      try {
        localStorage.setItem(SOURCE_KEY, source.trim());
      } catch {
        // Storage unavailable: the source is just not remembered.
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
      <input
        type="url"
        placeholder="Trace source (Jaeger), e.g. http://127.0.0.1:16686"
        aria-label="Trace source URL"
        value={source}
        onChange={(e) => setSource(e.target.value)}
      />
      <input
        placeholder="Trace id (32 hex)"
        aria-label="Trace id"
        className="mono"
        value={traceId}
        onChange={(e) => setTraceId(e.target.value)}
      />
      <button type="submit" className="btn" disabled={busy || !source.trim() || !TRACE_ID_RE.test(id)}>
        {busy ? 'Opening…' : 'Open'}
      </button>
    </form>
  );
}
