import { useCallback, useEffect, useState } from 'react';
import type { TraceSummary } from '../../../../shared/models.js';
import { call, errorInfo } from '../../api/client.js';
import { useApp } from '../../state/app-store.js';
import { navigate } from '../../state/route.js';
import { formatDuration } from '../../model/time.js';
import { EmptyState } from '../common/EmptyState.js';
import { TraceView } from '../timeline/TraceView.js';
import { TraceCompare } from './TraceCompare.js';
import './TracesPage.css';

function ImportZone({ onImported }: { onImported(ids: string[]): void }) {
  const pushError = useApp((s) => s.pushError);
  const [over, setOver] = useState(false);
  const [busy, setBusy] = useState(false);
  const importFile = async (f: File) => {
    setBusy(true);
    try {
      const { traceIds } = await call('traces:import', { fileName: f.name, content: await f.text() });
      onImported(traceIds);
    } catch (e) {
      pushError(errorInfo(e), `Could not open ${f.name}`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <label
      className={`drop-zone${over ? ' drop-over' : ''}`}
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        const f = e.dataTransfer.files?.[0];
        if (f) void importFile(f);
      }}
    >
      <input
        type="file"
        accept=".json,application/json"
        className="visually-hidden"
        aria-label="Open a trace file"
        onChange={(e) => {
          const f = e.target.files?.[0];
          if (f) void importFile(f);
          e.target.value = '';
        }}
      />
      {busy ? 'Importing…' : 'Open a trace file: drop OTLP JSON or Jaeger JSON here, or click to choose'}
    </label>
  );
}

function TraceList() {
  const boxes = useApp((s) => s.boxes);
  const pushError = useApp((s) => s.pushError);
  const [boxId, setBoxId] = useState('');
  const [traces, setTraces] = useState<TraceSummary[] | null>(null);
  const [picked, setPicked] = useState<string[]>([]);
  const [compare, setCompare] = useState<[string, string] | null>(null);

  const reload = useCallback(() => {
    call('traces:list', { boxId: boxId || undefined, limit: 200 }).then(setTraces, (e) =>
      pushError(errorInfo(e), 'Could not list traces'),
    );
  }, [boxId, pushError]);
  useEffect(reload, [reload]);

  const pick = (id: string, on: boolean) =>
    setPicked((p) => (on ? [...p.filter((x) => x !== id), id].slice(-2) : p.filter((x) => x !== id)));
  const boxName = (id?: string) => (id ? (boxes[id]?.name ?? id.slice(0, 8)) : '');

  return (
    <section className="page">
      <header className="page-head page-head-row">
        <h1>Traces</h1>
        <div className="row-actions">
          <select value={boxId} onChange={(e) => setBoxId(e.target.value)} aria-label="Box">
            <option value="">All boxes</option>
            {Object.values(boxes).map((b) => (
              <option key={b.boxId} value={b.boxId}>
                {b.name}
              </option>
            ))}
          </select>
          <button type="button" className="btn" onClick={reload} title="Reload the list">
            Refresh
          </button>
          <button
            type="button"
            className="btn"
            disabled={picked.length !== 2}
            onClick={() => setCompare([picked[0], picked[1]])}
          >
            Compare {picked.length}/2
          </button>
        </div>
      </header>
      <ImportZone onImported={(ids) => (ids[0] ? navigate({ page: 'traces', traceId: ids[0] }) : reload())} />
      {compare && <TraceCompare a={compare[0]} b={compare[1]} onClose={() => setCompare(null)} />}
      {traces === null ? (
        <p className="muted">Loading…</p>
      ) : traces.length === 0 ? (
        <EmptyState
          title="No traces yet"
          action={
            <a className="btn btn-primary" href="#/launch">
              Launch a box
            </a>
          }
        >
          Every launch records a trace from the click to the box's daemon booting. Launch a box, or open a trace file
          above.
        </EmptyState>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th aria-label="Compare" />
              <th>Root</th>
              <th>Box</th>
              <th>Started</th>
              <th>Duration</th>
              <th>Spans</th>
              <th>Errors</th>
              <th>Services</th>
            </tr>
          </thead>
          <tbody>
            {traces.map((t) => (
              <tr
                key={t.traceId}
                className="clickable"
                onClick={() => navigate({ page: 'traces', traceId: t.traceId })}
                data-trace-id={t.traceId}
              >
                <td onClick={(e) => e.stopPropagation()}>
                  <input
                    type="checkbox"
                    aria-label="Pick for comparison"
                    checked={picked.includes(t.traceId)}
                    onChange={(e) => pick(t.traceId, e.target.checked)}
                  />
                </td>
                <td>
                  <a href={`#/traces/${t.traceId}`}>{t.rootName || '(no root)'}</a>
                  <div className="mono muted small">{t.traceId}</div>
                </td>
                <td>{boxName(t.boxId)}</td>
                <td className="muted">{new Date(t.startMs).toLocaleString()}</td>
                <td>{formatDuration(t.durationMs)}</td>
                <td>{t.spanCount}</td>
                <td className={t.errorCount ? 'text-error' : 'muted'}>{t.errorCount}</td>
                <td className="muted small">{t.services.join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function TracesPage({ traceId }: { traceId?: string }) {
  if (traceId)
    return (
      <div className="trace-page">
        <a href="#/traces" className="muted small back-link">
          ← Traces
        </a>
        <TraceView traceId={traceId} />
      </div>
    );
  return <TraceList />;
}
