/** The actions on one box (list row and box page): trace link, start, restart, stop, remove (confirmed). */
import { useEffect, useRef, useState } from 'react';
import { TEST_ID } from '../../../../shared/constants.js';
import type { Box } from '../../../../shared/models.js';
import { call, errorInfo } from '../../api/client.js';
import { useApp } from '../../state/app-store.js';
import { RunAgain } from './RunAgain.js';
import './BoxActions.css';

type Action = 'start' | 'restart' | 'stop' | 'remove';

const CHANNEL = {
  start: 'boxes:start',
  restart: 'boxes:restart',
  stop: 'boxes:stop',
  remove: 'boxes:remove',
} as const;

/** A box that can be started again: it ended, and its container is still there. */
export function canStart(box: Box): boolean {
  if (!box.containerId || box.state === 'removed-outside') return false;
  return box.state === 'stopped' || box.state === 'exited' || box.state === 'failed';
}

/** The trace of the box's latest start (its launch's when it never started again). */
export function latestTraceId(box: Box): string | undefined {
  return box.lastTraceId ?? box.traceId;
}

export function BoxActions({ box, traceLink = true }: { box: Box; traceLink?: boolean }) {
  const pushError = useApp((s) => s.pushError);
  const [busy, setBusy] = useState<Action | undefined>();
  const [confirming, setConfirming] = useState(false);
  const removeRef = useRef<HTMLButtonElement>(null);
  const run = async (what: Action) => {
    setBusy(what);
    setConfirming(false);
    try {
      await call(CHANNEL[what], { boxId: box.boxId });
    } catch (e) {
      pushError(errorInfo(e), `Could not ${what} ${box.name}`);
    } finally {
      setBusy(undefined);
    }
  };
  const trace = latestTraceId(box);
  const running = box.state === 'running';
  const settling = ['creating', 'pulling', 'starting', 'stopping'].includes(box.state);
  return (
    <span className="row-actions box-actions" onClick={(e) => e.stopPropagation()}>
      {traceLink && trace && (
        <a
          className="btn btn-small row-trace"
          href={`#/traces/${trace}`}
          title={box.lastTraceId ? "Open the trace of this box's latest start" : "Open this launch's trace"}
        >
          Trace
        </a>
      )}
      <RunAgain box={box} runAgain={!traceLink} />
      {canStart(box) && (
        <button
          type="button"
          className="btn btn-small"
          data-testid={TEST_ID.boxStart}
          disabled={!!busy}
          onClick={() => run('start')}
        >
          {busy === 'start' ? 'Starting…' : 'Start'}
        </button>
      )}
      {running && (
        <button
          type="button"
          className="btn btn-small"
          data-testid={TEST_ID.boxRestart}
          disabled={!!busy}
          onClick={() => run('restart')}
        >
          {busy === 'restart' ? 'Restarting…' : 'Restart'}
        </button>
      )}
      {running && (
        <button
          type="button"
          className="btn btn-small"
          data-testid={TEST_ID.boxStop}
          disabled={!!busy}
          onClick={() => run('stop')}
        >
          {busy === 'stop' ? 'Stopping…' : 'Stop'}
        </button>
      )}
      <span className="confirm-anchor">
        <button
          type="button"
          className="btn btn-small btn-danger-soft"
          ref={removeRef}
          data-testid={TEST_ID.boxRemove}
          aria-haspopup="dialog"
          aria-expanded={confirming}
          disabled={!!busy || settling}
          onClick={() => setConfirming((c) => !c)}
        >
          {busy === 'remove' ? 'Removing…' : 'Remove'}
        </button>
        {confirming && (
          <ConfirmRemove
            box={box}
            anchor={removeRef.current}
            onConfirm={() => run('remove')}
            onCancel={() => setConfirming(false)}
          />
        )}
      </span>
    </span>
  );
}

/** A small popover asking before a remove: Enter (or its button) removes, Escape (or Cancel) keeps the box. */
function ConfirmRemove({
  box,
  anchor,
  onConfirm,
  onCancel,
}: {
  box: Box;
  anchor: HTMLElement | null;
  onConfirm(): void;
  onCancel(): void;
}) {
  const confirmRef = useRef<HTMLButtonElement>(null);
  const popRef = useRef<HTMLDivElement>(null);
  useEffect(() => confirmRef.current?.focus({ preventScroll: true }), []);
  const [, relayout] = useState(0);
  // A click elsewhere or a scroll (which would leave it floating off its button) keeps the box; a resize moves it.
  useEffect(() => {
    const away = (e: Event) => {
      const t = e.target as Node | null;
      if (t && (popRef.current?.contains(t) || anchor?.contains(t))) return;
      onCancel();
    };
    document.addEventListener('mousedown', away, true);
    document.addEventListener('scroll', away, true);
    const resize = () => relayout((n) => n + 1);
    window.addEventListener('resize', resize);
    return () => {
      document.removeEventListener('mousedown', away, true);
      document.removeEventListener('scroll', away, true);
      window.removeEventListener('resize', resize);
    };
  }, [anchor, onCancel]);
  // Fixed under its button, so a scrolling table never clips it (set through the CSSOM: the CSP allows that).
  const r = anchor?.getBoundingClientRect();
  const place = r
    ? { top: `${Math.round(r.bottom + 6)}px`, right: `${Math.max(8, Math.round(window.innerWidth - r.right))}px` }
    : undefined;
  const gone = box.state === 'removed-outside';
  return (
    <div
      ref={popRef}
      className="confirm-pop"
      style={place}
      role="alertdialog"
      aria-modal="false"
      aria-labelledby={`confirm-${box.boxId}`}
      data-testid={TEST_ID.boxRemoveConfirm}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.preventDefault();
          onCancel();
        } else if (e.key === 'Enter') {
          // Handled here whatever has focus inside (no second, native click): Cancel cancels, anything else removes.
          e.preventDefault();
          if ((e.target as HTMLElement).dataset.role === 'cancel') onCancel();
          else onConfirm();
        }
      }}
      tabIndex={-1}
    >
      <p id={`confirm-${box.boxId}`}>
        {gone ? (
          <>
            Forget <strong>{box.name}</strong>? Its container is already gone; its traces stay.
          </>
        ) : (
          <>
            Remove <strong>{box.name}</strong>? Its container is deleted
            {box.state === 'running' ? ' (stopped first)' : ''}; its traces stay.
          </>
        )}
      </p>
      <div className="confirm-buttons">
        <button type="button" className="btn btn-small" data-role="cancel" onClick={onCancel}>
          Cancel
        </button>
        <button type="button" ref={confirmRef} className="btn btn-small btn-danger" onClick={onConfirm}>
          {gone ? 'Forget' : 'Remove box'}
        </button>
      </div>
    </div>
  );
}
