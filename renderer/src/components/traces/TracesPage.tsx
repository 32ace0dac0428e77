import { useCallback, useEffect, useState, useSyncExternalStore } from 'react';
import type { ImportProgress, TraceSummary } from '../../../../shared/models.js';
import { call, errorInfo } from '../../api/client.js';
import { activeImports, startImport } from '../../api/import-file.js';
import { useApp } from '../../state/app-store.js';
import { navigate } from '../../state/route.js';
import { formatDuration } from '../../model/time.js';
import { EmptyState } from '../common/EmptyState.js';
import { TraceView } from '../timeline/TraceView.js';
import { TraceCompare } from './TraceCompare.js';
import { TraceSourceForm } from './TraceSourceForm.js';
import './TracesPage.css';

function megabytes(n: number): string {
  return (n / 1e6).toFixed(n < 10e6 ? 1 : 0);
}

function progressText(p: ImportProgress | undefined): string {
  if (!p) return 'starting…';
  const of = p.totalBytes ? ` of ${megabytes(p.totalBytes)}` : '';
  return `${p.spans.toLocaleString('en-US')} spans, ${megabytes(p.bytes)}${of} MB read`;
}

/** Imports going on (they outlive the list, which the first batch replaces with the trace). */
function ImportStatus() {
  const imports = useSyncExternalStore(activeImports.subscribe, activeImports.get);
  if (!imports.length) return null;
  return (
    <div className="import-status" data-testid="import-progress" role="status">
      {imports.map((i) => (
        <div key={i.id} className="row-actions">
          <span>
            Importing {i.fileName}: {progressText(i.progress)}
          </span>
          {i.progress?.totalBytes ? <progress max={i.progress.totalBytes} value={i.progress.bytes} /> : null}
          <button type="button" className="btn" onClick={i.cancel}>
            Cancel
          </button>
        </div>
      ))}
    </div>
  );
}

const isCancel = (e: unknown) => (e instanceof Error && e.name === 'AbortError') || errorInfo(e).code === 'CANCELLED';

function ImportZone({ onEmpty }: { onEmpty(): void }) {
  const pushError = useApp((s) => s.pushError);
  const [over, setOver] = useState(false);
  const busy = useSyncExternalStore(activeImports.subscribe, activeImports.get).length > 0;
  const importFile = (f: File) => {
    let opened = false;
    // The first batch stored names the trace: open it while the rest of the file goes on.
    const open = (p: ImportProgress) => {
      const traceId = p.traceIds[0];
      if (opened || !traceId) return;
      opened = true;
      navigate({ page: 'traces', traceId });
    };
    startImport(f, open).then(
      (last) => {
        open(last);
        if (!opened) onEmpty();
      },
      (e) => {
        if (!isCancel(e)) pushError(errorInfo(e), `Could not open ${f.name}`);
      },
    );
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
        accept=".json,.jsonl,.ndjson,.pb,.binpb,application/json,application/x-protobuf"
        className="visually-hidden"
        aria-label="Open a trace file"
        onChange={(e) => {
          const f = e.target.files?.[0];
          if (f) void importFile(f);
          e.target.value = '';
        }}
      />
      {busy
        ? 'Importing… drop or choose another file to import it too'
        : 'Open a trace file: drop OTLP JSON or Jaeger JSON here, or click to choose'}
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
      <ImportZone onEmpty={reload} />
      <TraceSourceForm />
      <ImportStatus />
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
        <ImportStatus />
        <TraceView traceId={traceId} />
      </div>
    );
  return <TraceList />;
}
