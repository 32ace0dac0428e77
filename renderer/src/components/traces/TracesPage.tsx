import { useCallback, useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import { TEST_ID } from '../../../../shared/constants.js';
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

/** What the filter bar narrows the list to; every field optional. */
interface TraceFilter {
  text: string;
  service: string;
  minMs: number;
  errorsOnly: boolean;
}

const NO_FILTER: TraceFilter = { text: '', service: '', minMs: 0, errorsOnly: false };
const DURATIONS: Array<[number, string]> = [
  [0, 'any duration'],
  [10, '≥ 10 ms'],
  [100, '≥ 100 ms'],
  [1000, '≥ 1 s'],
  [10_000, '≥ 10 s'],
];

/** The time alone for today's traces, the date for older ones; the full stamp is in the cell's title. */
function startedText(ms: number): string {
  const d = new Date(ms);
  const today = new Date();
  return d.toDateString() === today.toDateString()
    ? d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' })
    : d.toLocaleDateString();
}

/** Kept while the app runs, so going to a trace and back keeps the list as it was narrowed. */
let kept: { boxId: string; filter: TraceFilter } = { boxId: '', filter: NO_FILTER };

/** Tests start from an unfiltered list. */
export function resetTraceFilter(): void {
  kept = { boxId: '', filter: NO_FILTER };
}

function TraceList() {
  const boxes = useApp((s) => s.boxes);
  const pushError = useApp((s) => s.pushError);
  const [boxId, setBoxIdState] = useState(kept.boxId);
  const [filter, setFilterState] = useState<TraceFilter>(kept.filter);
  const [traces, setTraces] = useState<TraceSummary[] | null>(null);
  const [picked, setPicked] = useState<string[]>([]);
  const [compare, setCompare] = useState<[string, string] | null>(null);
  const setBoxId = (v: string) => {
    kept = { ...kept, boxId: v };
    setBoxIdState(v);
  };
  const setFilter = (f: Partial<TraceFilter>) =>
    setFilterState((prev) => {
      const next = { ...prev, ...f };
      kept = { ...kept, filter: next };
      return next;
    });

  const reload = useCallback(() => {
    call('traces:list', { boxId: boxId || undefined, limit: 1000 }).then(setTraces, (e) =>
      pushError(errorInfo(e), 'Could not list traces'),
    );
  }, [boxId, pushError]);
  useEffect(reload, [reload]);

  const pick = (id: string, on: boolean) =>
    setPicked((p) => (on ? [...p.filter((x) => x !== id), id].slice(-2) : p.filter((x) => x !== id)));
  const boxOf = (t: TraceSummary) => (t.boxId ? boxes[t.boxId] : undefined);
  const boxName = (t: TraceSummary) => t.boxName ?? boxOf(t)?.name ?? (t.boxId ? t.boxId.slice(0, 9) : '');
  const imageOf = (t: TraceSummary) => t.image ?? boxOf(t)?.image ?? '';

  const services = useMemo(() => [...new Set((traces ?? []).flatMap((t) => t.services))].sort(), [traces]);
  const text = filter.text.trim().toLowerCase();
  const shown = useMemo(
    () =>
      (traces ?? []).filter(
        (t) =>
          (!filter.service || t.services.includes(filter.service)) &&
          t.durationMs >= filter.minMs &&
          (!filter.errorsOnly || t.errorCount > 0) &&
          (!text ||
            t.traceId.startsWith(text) ||
            `${t.rootName} ${boxName(t)} ${imageOf(t)} ${t.services.join(' ')}`.toLowerCase().includes(text)),
      ),
    [traces, filter, text, boxes],
  );
  const filtered = !!(text || filter.service || filter.minMs || filter.errorsOnly);

  return (
    <section className="page">
      <header className="page-head page-head-row">
        <h1>Traces</h1>
        <div className="row-actions">
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
      <div className="trace-filter" data-testid={TEST_ID.traceFilter} role="search" aria-label="Trace filters">
        <input
          type="search"
          placeholder="Filter: trace id, root, box, image, service"
          aria-label="Filter traces"
          value={filter.text}
          onChange={(e) => setFilter({ text: e.target.value })}
          onKeyDown={(e) => {
            // A whole trace id opens it, as pasting one into Jaeger's search does.
            const id = filter.text.trim().toLowerCase();
            if (e.key === 'Enter' && /^[0-9a-f]{32}$/.test(id)) navigate({ page: 'traces', traceId: id });
          }}
        />
        <select value={boxId} onChange={(e) => setBoxId(e.target.value)} aria-label="Box">
          <option value="">All boxes</option>
          {Object.values(boxes).map((b) => (
            <option key={b.boxId} value={b.boxId}>
              {b.name}
            </option>
          ))}
        </select>
        <select value={filter.service} onChange={(e) => setFilter({ service: e.target.value })} aria-label="Service">
          <option value="">All services</option>
          {services.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
        <select
          value={filter.minMs}
          onChange={(e) => setFilter({ minMs: Number(e.target.value) })}
          aria-label="Duration"
        >
          {DURATIONS.map(([ms, label]) => (
            <option key={ms} value={ms}>
              {label}
            </option>
          ))}
        </select>
        <label className="check">
          <input
            type="checkbox"
            checked={filter.errorsOnly}
            onChange={(e) => setFilter({ errorsOnly: e.target.checked })}
          />
          With errors
        </label>
        {(filtered || boxId) && traces && (
          <span className="muted small" aria-live="polite">
            {shown.length} of {traces.length}
          </span>
        )}
        {(filtered || boxId) && (
          <button
            type="button"
            className="btn btn-small"
            onClick={() => {
              setBoxId('');
              setFilter(NO_FILTER);
            }}
          >
            Clear
          </button>
        )}
      </div>
      {traces === null ? (
        <p className="muted">Loading…</p>
      ) : traces.length === 0 && !boxId ? (
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
      ) : shown.length === 0 ? (
        <EmptyState title="No trace matches">Nothing matches these filters. Clear them to see every trace.</EmptyState>
      ) : (
        <table className="table traces-table">
          <thead>
            <tr>
              <th aria-label="Compare" />
              <th>Root</th>
              <th>Box</th>
              <th>Started</th>
              <th className="num">Duration</th>
              <th className="num">Spans</th>
              <th className="num">Errors</th>
              <th>Services</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((t) => (
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
                <td className="cell-clip" title={`${t.rootName} · ${t.traceId}`}>
                  <a href={`#/traces/${t.traceId}`}>{t.rootName || '(no root)'}</a>
                  <div className="mono muted small">{t.traceId}</div>
                </td>
                <td className="cell-clip" title={[boxName(t), imageOf(t)].filter(Boolean).join(' · ')}>
                  <div className="cell-clip">{boxName(t) || <span className="muted">—</span>}</div>
                  {imageOf(t) && <div className="cell-clip mono muted small">{imageOf(t)}</div>}
                </td>
                <td className="muted nowrap" title={new Date(t.startMs).toLocaleString()}>
                  {startedText(t.startMs)}
                </td>
                <td className="num nowrap">{formatDuration(t.durationMs)}</td>
                <td className="num">{t.spanCount.toLocaleString('en-US')}</td>
                <td className={`num ${t.errorCount ? 'text-error' : 'muted'}`}>{t.errorCount}</td>
                <td className="cell-clip muted small" title={t.services.join(', ')}>
                  {t.services.join(', ')}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function TracesPage({ traceId, spanId }: { traceId?: string; spanId?: string }) {
  if (traceId)
    return (
      <div className="trace-page">
        <a href="#/traces" className="muted small back-link">
          ← Traces
        </a>
        <ImportStatus />
        <TraceView traceId={traceId} spanId={spanId} />
      </div>
    );
  return <TraceList />;
}
