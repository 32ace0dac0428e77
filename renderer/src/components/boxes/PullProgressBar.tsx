import { TEST_ID } from '../../../../shared/constants.js';
import type { PullProgress } from '../../../../shared/models.js';
import { cancelLaunch, canCancel } from '../../state/launch.js';
import './PullProgressBar.css';

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(v >= 100 ? 0 : 1)} ${units[u]}`;
}

const pct = (cur: number, total: number) => (total > 0 ? Math.min(100, (cur / total) * 100) : 0);

/** Total bytes and one bar per layer; Cancel (for a launch this page started) aborts the launch's call. */
export function PullProgressBar({ progress }: { progress: PullProgress }) {
  const p = progress;
  const total = pct(p.bytesCurrent, p.bytesTotal);
  return (
    <div
      className="pull-progress"
      data-testid={TEST_ID.pullProgress}
      data-done={p.done}
      role="progressbar"
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={Math.round(total)}
      aria-label={`Pulling ${p.image}`}
    >
      <div className="pull-head">
        <span>
          {p.done ? 'Pulled' : 'Pulling'} <span className="mono">{p.image}</span>
        </span>
        <span className="muted">
          {formatBytes(p.bytesCurrent)} / {p.bytesTotal ? formatBytes(p.bytesTotal) : '?'} · {p.layersDone}/
          {p.layersTotal} layers
        </span>
        {!p.done && canCancel(p.requestId) && (
          <button type="button" className="btn btn-small" onClick={() => cancelLaunch(p.requestId)}>
            Cancel
          </button>
        )}
      </div>
      <div className="meter">
        <div className="meter-fill" style={{ width: `${total}%` }} />
      </div>
      {p.layers.length > 0 && (
        <ul className="layers">
          {p.layers.map((l) => (
            <li key={l.id} className={l.done ? 'layer-done' : undefined}>
              <span className="mono layer-id">{l.id.slice(0, 12)}</span>
              <span className="meter meter-thin">
                <span className="meter-fill" style={{ width: `${l.done ? 100 : pct(l.current, l.total)}%` }} />
              </span>
              <span className="layer-status muted">{l.done ? 'done' : l.status}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
