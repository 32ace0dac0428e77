/**
 * The box page's words about how a box ended (an exit at once with its last
 * output, killed or removed outside Boxscope, a failure) and the list of its
 * traces: the launch's and each start's.
 */
import { useEffect, useState } from 'react';
import type { Box, TraceSummary } from '../../../../shared/models.js';
import { call } from '../../api/client.js';
import './BoxStatus.css';

/** The runner's words for an exit at once (see electron/core/runner/launch-steps.ts). */
const EXITED_AT_ONCE = /exited at once with code (\d+)(?:; last output: ([\s\S]*)| and printed nothing)?$/;
/** Bounds what a box's own output may take on the page. */
const MAX_LINES = 5;
const MAX_LINE_CHARS = 300;

export function BoxNotice({ box }: { box: Box }) {
  if (box.state === 'removed-outside')
    return (
      <div className="notice notice-warn box-notice" role="status">
        <strong>Removed outside Boxscope.</strong> Its container was deleted by someone else (for example{' '}
        <span className="mono">docker rm -f</span>), so it cannot be started again. Its traces are kept here until you
        remove it.
      </div>
    );
  if (box.killedOutside)
    return (
      <div className="notice notice-warn box-notice" role="status">
        <strong>Killed outside Boxscope (SIGKILL, exit code {box.exitCode ?? 137}).</strong> Something other than this
        app ended it (for example <span className="mono">docker kill</span>, or the kernel out of memory). Start it
        again or remove it.
      </div>
    );
  if (!box.reason || box.state === 'running') return null;
  const m = EXITED_AT_ONCE.exec(box.reason);
  if (m && (box.state === 'exited' || box.state === 'failed')) {
    const lines = (m[2] ?? '')
      .split(' | ')
      .filter(Boolean)
      .slice(-MAX_LINES)
      .map((l) => (l.length > MAX_LINE_CHARS ? `${l.slice(0, MAX_LINE_CHARS)}…` : l));
    return (
      <div className="notice notice-error box-notice" role="status">
        <strong>
          Exited at once with code {m[1]}
          {lines.length ? '; last output:' : ', printing nothing.'}
        </strong>
        {lines.length > 0 && <pre className="box-last-output">{lines.join('\n')}</pre>}
      </div>
    );
  }
  return (
    <div className={`notice ${box.state === 'failed' ? 'notice-error' : 'notice-warn'} box-notice`} role="status">
      {box.reason}
    </div>
  );
}

function when(ms: number): string {
  return new Date(ms).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' });
}

/** The box's traces, newest first, each a link: its launch's and one per start (boxes:start / restart). */
export function BoxTraces({ box }: { box: Box }) {
  const [traces, setTraces] = useState<TraceSummary[] | undefined>();
  useEffect(() => {
    let live = true;
    call('traces:list', { boxId: box.boxId, limit: 50 }).then(
      (t) => live && setTraces(t),
      () => live && setTraces([]),
    );
    return () => {
      live = false;
    };
  }, [box.boxId, box.lastTraceId, box.state]);
  const known = new Map((traces ?? []).map((t) => [t.traceId, t]));
  // The launch's and the latest start's traces are shown even before the store lists them.
  for (const id of [box.traceId, box.lastTraceId])
    if (id && !known.has(id))
      known.set(id, {
        traceId: id,
        rootName: '',
        spanCount: 0,
        errorCount: 0,
        startMs: id === box.traceId ? box.createdAt : Date.now(),
        durationMs: 0,
        services: [],
      });
  const list = [...known.values()].sort((a, b) => b.startMs - a.startMs);
  if (!list.length) return null;
  return (
    <nav className="box-traces" aria-label="Traces of this box">
      <span className="muted small">Traces</span>
      <ul>
        {list.map((t) => {
          const kind = t.traceId === box.traceId ? 'launch' : 'start';
          return (
            <li key={t.traceId} data-trace-kind={kind}>
              <a href={`#/traces/${t.traceId}`} title={t.traceId}>
                {kind === 'launch' ? 'Launch' : 'Start'}
              </a>{' '}
              <span className="muted small">
                {when(t.startMs)}
                {t.spanCount ? ` · ${t.spanCount} spans` : ''}
                {t.errorCount ? ` · ${t.errorCount} errors` : ''}
                {t.traceId === box.lastTraceId ? ' · latest' : ''}
              </span>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
