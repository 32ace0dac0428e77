import { useEffect, useRef, useState } from 'react';
import { TEST_ID } from '../../../../shared/constants.js';
import type { SpanRecord } from '../../../../shared/models.js';
import { call, errorInfo, listen, onReconnect } from '../../api/client.js';
import { useTraceView } from '../../state/trace-view-store.js';
import type { ErrorInfo } from '../../../../shared/errors.js';
import { TraceHeader } from './TraceHeader.js';
import { PhaseSummary } from './PhaseSummary.js';
import { Minimap } from './Minimap.js';
import { TimelineToolbar } from './TimelineToolbar.js';
import { TimelineHeader } from './TimelineHeader.js';
import { SpanList } from './SpanList.js';
import { SpanDetail } from './SpanDetail.js';
import { EmptyState } from '../common/EmptyState.js';
import { isTyping } from '../common/keyboard.js';
import './TraceView.css';

/** A trace's timeline: loads it, follows live spans, and owns the keyboard while shown. */
export function TraceView({ traceId, live = false }: { traceId: string; live?: boolean }) {
  const loadedId = useTraceView((s) => s.traceId);
  const model = useTraceView((s) => s.model);
  const bounds = useTraceView((s) => s.bounds);
  const zoom = useTraceView((s) => s.zoom);
  const selected = useTraceView((s) => s.selected);
  const nameWidth = useTraceView((s) => s.nameWidth);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [loading, setLoading] = useState(true);
  const searchRef = useRef<HTMLInputElement>(null);
  // Read at load time only: a box finishing its launch must not reload (and refold) the trace.
  const liveRef = useRef(live);
  liveRef.current = live;

  useEffect(() => {
    let alive = true;
    const pending: SpanRecord[] = [];
    let frame = 0;
    let ready = false;
    // Spans that arrive while the first load is in flight are kept and merged after it.
    const off = listen('traces:spans', { traceId }, (e) => {
      pending.push(...e.spans);
      if (!ready || frame) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        useTraceView.getState().addSpans(pending.splice(0));
      });
    });
    setLoading(true);
    setError(null);
    const start = (spans: SpanRecord[]) => {
      useTraceView.getState().open(traceId, spans);
      ready = true;
      if (pending.length) useTraceView.getState().addSpans(pending.splice(0));
      setLoading(false);
    };
    // Spans that arrived while the connection was down come with a fresh read, merged like live ones.
    const offReconnect = onReconnect(() =>
      call('traces:get', { traceId }).then(
        (spans) => alive && ready && useTraceView.getState().addSpans(spans),
        () => undefined,
      ),
    );
    call('traces:get', { traceId }).then(
      (spans) => alive && start(spans),
      (e) => {
        if (!alive) return;
        const info = errorInfo(e);
        // A launch still under way has no stored spans yet: wait for them instead of failing.
        if (info.code === 'TRACE_NOT_FOUND' && liveRef.current) start([]);
        else {
          setError(info);
          setLoading(false);
        }
      },
    );
    return () => {
      alive = false;
      off();
      offReconnect();
      if (frame) cancelAnimationFrame(frame);
    };
  }, [traceId]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.metaKey || e.ctrlKey || e.altKey) return;
      if (isTyping(e.target)) return;
      const s = useTraceView.getState();
      if (!s.model) return;
      const key = e.key;
      // Enter and Space on a focused control belong to that control.
      if ((key === 'Enter' || key === ' ') && e.target instanceof HTMLElement && e.target.closest('button, a, label'))
        return;
      const handled = (() => {
        switch (key) {
          case 'j':
          case 'ArrowDown':
            s.moveSelection(1);
            return true;
          case 'k':
          case 'ArrowUp':
            s.moveSelection(-1);
            return true;
          case 'ArrowRight':
          case 'l':
            if (s.selected >= 0 && s.collapsed.has(s.model.spans[s.selected].spanId)) s.toggle(s.selected);
            return true;
          case 'ArrowLeft':
          case 'h':
            if (s.selected >= 0) {
              if (s.model.childCount[s.selected] > 0 && !s.collapsed.has(s.model.spans[s.selected].spanId))
                s.toggle(s.selected);
              else if (s.model.parent[s.selected] >= 0) s.select(s.model.parent[s.selected], true);
            }
            return true;
          case 'Enter':
          case ' ':
            if (s.selected >= 0) s.toggle(s.selected);
            return true;
          case '/':
            searchRef.current?.focus();
            return true;
          case 'e':
            s.step('errors', 1);
            return true;
          case 'E':
            s.step('errors', -1);
            return true;
          case 'n':
            s.step('matches', 1);
            return true;
          case 'N':
            s.step('matches', -1);
            return true;
          case 'c':
            s.setCritical(!s.criticalOn);
            return true;
          case '[':
            s.collapseLevel();
            return true;
          case ']':
            s.expandLevel();
            return true;
          case '0':
            s.setZoom([0, 1]);
            return true;
          case 'Escape':
            s.select(-1);
            return true;
          default:
            return false;
        }
      })();
      if (handled) e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  if (error)
    return (
      <EmptyState title="This trace could not be opened" tone="error">
        {error.message}
      </EmptyState>
    );
  if (loading || !model || loadedId !== traceId)
    return (
      <div className="trace-loading" aria-busy="true">
        Loading trace…
      </div>
    );
  if (!model.size)
    return (
      <EmptyState title={live ? 'Waiting for the first spans…' : 'No spans in this trace'}>
        {live
          ? 'Spans appear here as soon as the runner and the box report them.'
          : 'Nothing was stored for this trace id. Launch again, or open a trace file on the Traces page.'}
      </EmptyState>
    );

  const total = bounds.max - bounds.min;
  const from = bounds.min + zoom[0] * total;
  const to = bounds.min + zoom[1] * total;
  return (
    <div className="trace-view" data-testid={TEST_ID.traceTimeline}>
      <TraceHeader />
      <PhaseSummary />
      <Minimap />
      <TimelineToolbar searchRef={searchRef} />
      <div className="trace-body">
        <div className="waterfall">
          <TimelineHeader from={from - bounds.min} to={to - bounds.min} nameWidth={nameWidth} />
          <SpanList from={from} to={to} nameWidth={nameWidth} />
        </div>
        {selected >= 0 && <SpanDetail onClose={() => useTraceView.getState().select(-1)} />}
      </div>
    </div>
  );
}
