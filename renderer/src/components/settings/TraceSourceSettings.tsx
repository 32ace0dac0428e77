import { useCallback, useEffect, useState } from 'react';
import type { TraceSource } from '../../../../shared/models.js';
import { call, errorInfo } from '../../api/client.js';
import { useApp } from '../../state/app-store.js';
import { EmptyState } from '../common/EmptyState.js';

/**
 * Named trace sources (Jaeger query endpoints, such as the one the cloud
 * runner's collector feeds), kept by the core in the data dir: the Traces
 * page opens a trace from one of them, or asks each in turn.
 */
export function TraceSourceSettings() {
  const pushError = useApp((s) => s.pushError);
  const [sources, setSources] = useState<TraceSource[] | null>(null);
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  const [busy, setBusy] = useState(false);

  const reload = useCallback(() => {
    call('sources:list').then(setSources, (e) => pushError(errorInfo(e), 'Could not list trace sources'));
  }, [pushError]);
  useEffect(reload, [reload]);

  const save = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      setSources(await call('sources:save', { name: name.trim(), url: url.trim() }));
      setName('');
      setUrl('');
    } catch (err) {
      pushError(errorInfo(err), `Could not save the trace source ${name.trim()}`);
    } finally {
      setBusy(false);
    }
  };
  const remove = async (n: string) => {
    try {
      setSources(await call('sources:remove', { name: n }));
    } catch (err) {
      pushError(errorInfo(err), `Could not remove the trace source ${n}`);
    }
  };

  return (
    <section className="page" data-testid="trace-source-settings">
      <div className="card">
        <h2>Trace sources</h2>
        <p className="muted small">
          Jaeger query endpoints where other runners keep their traces (e.g. the cloud runner’s). The Traces page opens
          a trace from one of them, or asks each in this order; so does <span className="mono">boxscope trace ID</span>.
          Requests go through HTTPS_PROXY / HTTP_PROXY unless NO_PROXY says otherwise.
        </p>
        {sources === null ? (
          <p className="muted">Loading…</p>
        ) : sources.length === 0 ? (
          <EmptyState title="No trace sources">Add one below to open traces kept elsewhere by their id.</EmptyState>
        ) : (
          <table className="table" aria-label="Trace sources">
            <thead>
              <tr>
                <th>Name</th>
                <th>Query URL</th>
                <th aria-label="Actions" />
              </tr>
            </thead>
            <tbody>
              {sources.map((s) => (
                <tr key={s.name}>
                  <td>{s.name}</td>
                  <td className="mono">{s.url}</td>
                  <td className="row-actions">
                    <button
                      type="button"
                      className="btn btn-small btn-danger-soft"
                      aria-label={`Remove ${s.name}`}
                      onClick={() => void remove(s.name)}
                    >
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      <form className="card form" onSubmit={save} autoComplete="off" aria-label="Add a trace source">
        <h2>Add a trace source</h2>
        <div className="field-row">
          <label className="field">
            <span>Name</span>
            <input
              aria-label="Source name"
              value={name}
              onChange={(e) => setName(e.target.value)}
              placeholder="cloud"
              spellCheck={false}
              required
            />
          </label>
          <label className="field">
            <span>Query URL</span>
            <input
              aria-label="Source query URL"
              type="url"
              value={url}
              onChange={(e) => setUrl(e.target.value)}
              placeholder="https://jaeger.example.com"
              spellCheck={false}
              required
            />
          </label>
        </div>
        <p className="muted small">A name already saved gets the new URL. Put no credentials in the URL.</p>
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={busy || !name.trim() || !url.trim()}>
            Save source
          </button>
        </div>
      </form>
    </section>
  );
}
