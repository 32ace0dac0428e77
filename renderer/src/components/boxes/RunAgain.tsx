/** "Run again" (the launch form, prefilled from a past launch) and "Retry" (a failed launch, once more as it was). */
import { useState } from 'react';
import type { Box, LaunchSpec } from '../../../../shared/models.js';
import { errorInfo } from '../../api/client.js';
import { useApp } from '../../state/app-store.js';
import { launchBox } from '../../state/launch.js';
import { navigate, routeHash } from '../../state/route.js';

/** The spec a retry launches: the same, but a name still held by the failed box's container is left to generate. */
export function retrySpec(box: Box): LaunchSpec | undefined {
  if (!box.spec) return undefined;
  if (box.containerId && box.spec.name) {
    const { name: _n, ...rest } = box.spec;
    return rest;
  }
  return box.spec;
}

/** `runAgain` false (the list's rows, short of room): only a failed launch's Retry. */
export function RunAgain({ box, runAgain = true }: { box: Box; runAgain?: boolean }) {
  const pushError = useApp((s) => s.pushError);
  const [busy, setBusy] = useState(false);
  const spec = retrySpec(box);
  const retry = async () => {
    if (!spec) return;
    setBusy(true);
    try {
      await launchBox(spec, (boxId) => navigate({ page: 'boxes', boxId }));
    } catch (err) {
      pushError(errorInfo(err), `Retry of ${box.name} failed`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      {box.state === 'failed' && spec && (
        <button
          type="button"
          className="btn btn-small"
          disabled={busy}
          onClick={retry}
          title="Launch it again with the same options"
        >
          {busy ? 'Retrying…' : 'Retry'}
        </button>
      )}
      {runAgain && (
        <a
          className="btn btn-small"
          href={routeHash({ page: 'launch', from: box.boxId })}
          title="Open the launch form filled in with this box's launch options"
        >
          Run again
        </a>
      )}
    </>
  );
}
