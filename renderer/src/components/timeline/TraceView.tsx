import { useEffect, useRef, useState } from 'react';
import { TEST_ID } from '../../../../shared/constants.js';
import { listen, onReconnect } from '../../api/client.js';
import { useTraceView } from '../../state/trace-view-store.js';
import type { ErrorInfo } from '../../../../shared/errors.js';
import { TraceFeed } from '../../model/trace-feed.js';
import { indexOfId, spanIdOf } from '../../model/trace-model.js';
import { TraceHeader } from './TraceHeader.js';
import { PhaseSummary } from './PhaseSummary.js';
import { Minimap } from './Minimap.js';
import { TimelineToolbar } from './TimelineToolbar.js';
import { TimelineHeader } from './TimelineHeader.js';
import { SpanList } from './SpanList.js';
import { SpanDetail } from './SpanDetail.js';
import { useAttributeSearch } from './use-attribute-search.js';
import { EmptyState } from '../common/EmptyState.js';
import { isTyping } from '../common/keyboard.js';
import './TraceView.css';

/** How long after the last live batch the header still says the trace is growing. */
const GROWING_MS = 1500;

/**
 * The next animation frame, so that every batch that arrived since the last
 * paint is shown by one model update and one render; a hidden page (no
 * frames) waits a frame's time instead.
 */
function nextFrame(cb: () => void): () => void {
  if (typeof requestAnimationFrame === 'function' && !document.hidden) {
    const id = requestAnimationFrame(cb);
    return () => cancelAnimationFrame(id);
  }
  const id = setTimeout(cb, 16);
  return () => clearTimeout(id);
}

/**
 * Follows a trace's column stream into the store: the first batch is drawn at
 * once, later ones are gathered and the model built or appended to on the
 * feed's schedule, at most once an animation frame.
 * A dropped connection asks for the stream again; repeated spans dedup.
 */
function useTraceStream(traceId: string, onError: (e: ErrorInfo) => void): boolean {
  const errorRef = useRef(onError);
  errorRef.current = onError;
  // The store may still hold a trace an earlier view left: nothing of it shows before this one opens.
  const [opened, setOpened] = useState<string | null>(null);
  useEffect(() => {
    const store = useTraceView.getState;
    store().open(traceId);
    setOpened(traceId);
    const feed = new TraceFeed();
    let alive = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let timerAt = Infinity;
    let cancelFrame: (() => void) | undefined;
    let growingTimer: ReturnType<typeof setTimeout> | undefined;
    let growing = false;
    const publish = () => store().setFeed({ ...feed.status, growing });
    const flush = () => {
      timer = undefined;
      cancelFrame = undefined;
      timerAt = Infinity;
      if (!alive) return;
      // Read before the build: an append reuses the model's columns, so the shown model changes under it.
      const t0 = performance.now();
      const s = store();
      const selectedId = s.model && s.selected >= 0 ? spanIdOf(s.model, s.selected) : undefined;
      store().setModel(feed.build(), selectedId);
      publish();
      // React renders the new model in a task of its own, queued before this one: the cost counts the render.
      setTimeout(() => feed.spent(performance.now() - t0), 0);
      schedule();
    };
    const schedule = () => {
      const now = performance.now();
      const wait = feed.due(now);
      if (wait === Infinity || now + wait >= timerAt) return;
      clearTimeout(timer);
      cancelFrame?.();
      timerAt = now + wait;
      if (wait === 0) cancelFrame = nextFrame(flush);
      else timer = setTimeout(() => (cancelFrame = nextFrame(flush)), wait);
    };
    const subscribe = () =>
      listen(
        'traces:columns',
        { traceId },
        {
          data: (item) => {
            if (!alive) return;
            let live: boolean;
            try {
              live = feed.add(item, performance.now());
            } catch {
              return errorRef.current({
                code: 'INTERNAL',
                message: 'The trace arrived in a form this view cannot read.',
              });
            }
            if (live) {
              growing = true;
              clearTimeout(growingTimer);
              growingTimer = setTimeout(() => {
                growing = false;
                if (alive) publish();
              }, GROWING_MS);
            }
            schedule();
          },
          end: (error) => {
            if (alive && error && !store().model) errorRef.current(error);
          },
        },
      );
    let off = subscribe();
    const offReconnect = onReconnect(() => {
      off();
      off = subscribe();
    });
    return () => {
      alive = false;
      off();
      offReconnect();
      clearTimeout(timer);
      cancelFrame?.();
      clearTimeout(growingTimer);
    };
  }, [traceId]);
  return opened === traceId;
}

/**
 * A deep link's span (`#/traces/<id>?span=<spanId>`): selected, scrolled to and its detail opened once the model
 * holds it — at once for a stored trace, on a later batch for a live one. Only once per link: the user's own
 * selection afterwards is theirs.
 */
function useLinkedSpan(traceId: string, spanId: string | undefined, model: unknown): void {
  const done = useRef('');
  useEffect(() => {
    if (!spanId) return void (done.current = '');
    const want = `${traceId}/${spanId}`;
    if (done.current === want) return;
    const s = useTraceView.getState();
    if (s.traceId !== traceId || !s.model) return;
    const i = indexOfId(s.model, spanId);
    if (i < 0) return;
    done.current = want;
    s.select(i, true);
  }, [traceId, spanId, model]);
}

/** A trace's timeline: follows its column stream, and owns the keyboard while shown. */
export function TraceView({ traceId, spanId, live = false }: { traceId: string; spanId?: string; live?: boolean }) {
  const loadedId = useTraceView((s) => s.traceId);
  const model = useTraceView((s) => s.model);
  const bounds = useTraceView((s) => s.bounds);
  const zoom = useTraceView((s) => s.zoom);
  const selected = useTraceView((s) => s.selected);
  const nameWidth = useTraceView((s) => s.nameWidth);
  const storedDone = useTraceView((s) => s.feed?.storedDone ?? false);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  useEffect(() => setError(null), [traceId]);
  const opened = useTraceStream(traceId, setError);
  useAttributeSearch(traceId);
  useLinkedSpan(traceId, spanId, model);

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
            if (s.selected >= 0 && s.mask?.[s.selected]) s.toggle(s.selected);
            return true;
          case 'ArrowLeft':
          case 'h':
            if (s.selected >= 0) {
              if (s.model.childCount[s.selected] > 0 && !s.mask?.[s.selected]) s.toggle(s.selected);
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
          case '{':
            s.collapseAll();
            return true;
          case '}':
            s.expandAll();
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
  if (!opened || !model || loadedId !== traceId || (!model.size && !storedDone))
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
