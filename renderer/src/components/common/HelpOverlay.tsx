import { useApp } from '../../state/app-store.js';
import { NAV } from '../nav.js';
import './HelpOverlay.css';

const SHORTCUTS: Array<[string, string]> = [
  ['?', 'Show or hide this help'],
  ...NAV.map((n): [string, string] => [`g then ${n.key}`, `Go to ${n.label}`]),
  ['T', 'Toggle light / dark theme'],
  ['j / ↓, k / ↑', 'Timeline: next / previous span'],
  ['→ / l, ← / h', 'Expand / collapse (or go to parent)'],
  ['Enter / Space', 'Toggle the selected span'],
  ['[ / ]', 'Collapse / expand one level'],
  ['Shift+[ / Shift+]', 'Collapse all / expand all'],
  ['/', 'Search spans'],
  ['n / N', 'Next / previous match'],
  ['e / E', 'Next / previous error'],
  ['c', 'Critical path on / off'],
  ['0', 'Reset zoom'],
  ['Esc', 'Close span detail or this help'],
];

export function HelpOverlay() {
  const open = useApp((s) => s.helpOpen);
  const setHelp = useApp((s) => s.setHelp);
  if (!open) return null;
  return (
    <div className="overlay" role="presentation" onClick={() => setHelp(false)}>
      <div
        className="dialog"
        role="dialog"
        aria-modal="true"
        aria-label="Keyboard shortcuts"
        onClick={(e) => e.stopPropagation()}
      >
        <div className="page-head-row">
          <h2>Keyboard shortcuts</h2>
          <button type="button" className="icon-btn" onClick={() => setHelp(false)} aria-label="Close help">
            ×
          </button>
        </div>
        <table className="kv shortcuts">
          <tbody>
            {SHORTCUTS.map(([k, v]) => (
              <tr key={k}>
                <th scope="row">
                  <kbd>{k}</kbd>
                </th>
                <td>{v}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
