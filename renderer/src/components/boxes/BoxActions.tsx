/** The actions on one box (list row and box page): trace link, stop, remove. */
import { useState } from 'react';
import type { Box } from '../../../../shared/models.js';
import { call, errorInfo } from '../../api/client.js';
import { useApp } from '../../state/app-store.js';

export function BoxActions({ box, traceLink = true }: { box: Box; traceLink?: boolean }) {
  const pushError = useApp((s) => s.pushError);
  const [busy, setBusy] = useState(false);
  const run = async (what: 'stop' | 'remove') => {
    setBusy(true);
    try {
      await call(what === 'stop' ? 'boxes:stop' : 'boxes:remove', { boxId: box.boxId });
    } catch (e) {
      pushError(errorInfo(e), `Could not ${what} ${box.name}`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <span className="row-actions" onClick={(e) => e.stopPropagation()}>
      {traceLink && box.traceId && (
        <a className="btn btn-small" href={`#/traces/${box.traceId}`} title="Open this launch's trace">
          Trace
        </a>
      )}
      {box.state === 'running' && (
        <button type="button" className="btn btn-small" disabled={busy} onClick={() => run('stop')}>
          Stop
        </button>
      )}
      <button
        type="button"
        className="btn btn-small btn-danger-soft"
        disabled={busy || box.state === 'stopping'}
        onClick={() => run('remove')}
      >
        Remove
      </button>
    </span>
  );
}
