/**
 * A terminal in a running box: xterm.js over the `boxes:exec` stream, with
 * keystrokes and pastes sent by `boxes:execInput` and its size kept in step
 * (fit addon + ResizeObserver → `boxes:execResize`). The same code runs in
 * Electron and in browser mode: only the shared client is used.
 */
import { useEffect, useRef, useState } from 'react';
import { FitAddon } from '@xterm/addon-fit';
import { Terminal as XTerm, type ITheme } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { TEST_ID } from '../../../../shared/constants.js';
import type { ErrorInfo } from '../../../../shared/errors.js';
import { call, listen } from '../../api/client.js';
import { openTerminal } from './xterm-styles.js';
import './Terminal.css';

/** The app's colours (CSS variables of the current theme) as xterm's theme. */
function themeFromCss(): ITheme {
  const cs = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string) => cs.getPropertyValue(name).trim() || fallback;
  const dark = document.documentElement.dataset.theme === 'dark';
  return {
    background: v('--panel', dark ? '#181c21' : '#ffffff'),
    foreground: v('--text', dark ? '#e3e7ec' : '#1c2127'),
    cursor: v('--accent', '#2f6fdb'),
    cursorAccent: v('--panel', '#ffffff'),
    selectionBackground: v('--row-selected', dark ? '#1e2d45' : '#e2ebfb'),
    selectionForeground: v('--text', dark ? '#e3e7ec' : '#1c2127'),
  };
}

function newSessionId(): string {
  return crypto.randomUUID().replaceAll('-', '');
}

type Status = { kind: 'connecting' } | { kind: 'open'; shell: string } | { kind: 'ended'; exitCode?: number };

/** `active`: the tab is shown (the terminal is fitted and focused when it becomes so). */
export function Terminal({ boxId, cmd, active = true }: { boxId: string; cmd?: string[]; active?: boolean }) {
  const ref = useRef<HTMLDivElement>(null);
  const shown = useRef<{ term: XTerm; fit: FitAddon } | null>(null);
  const [status, setStatus] = useState<Status>({ kind: 'connecting' });
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    setStatus({ kind: 'connecting' });
    setError(null);
    const mono = getComputedStyle(document.documentElement).getPropertyValue('--mono').trim();
    const term = new XTerm({
      theme: themeFromCss(),
      fontFamily: mono || 'monospace',
      fontSize: 13,
      cursorBlink: true,
      scrollback: 5000,
      convertEol: false,
    });
    const fit = new FitAddon();
    term.loadAddon(fit);
    const removeStyles = openTerminal(term, el);
    shown.current = { term, fit };
    try {
      fit.fit();
    } catch {
      // Not laid out yet: the observer fits it once it is.
    }
    const sessionId = newSessionId();
    let live = false;
    let disposed = false;
    const send = (data: string) => {
      if (live) call('boxes:execInput', { sessionId, data }).catch(() => undefined);
    };
    // Ctrl-Shift-C copies the selection; Ctrl-Shift-V is left to the browser, whose paste event xterm reads.
    term.attachCustomKeyEventHandler((e) => {
      if (e.type === 'keydown' && e.ctrlKey && e.shiftKey && (e.key === 'C' || e.key === 'c')) {
        if (term.hasSelection()) void navigator.clipboard?.writeText(term.getSelection()).catch(() => undefined);
        return false;
      }
      if (e.ctrlKey && e.shiftKey && (e.key === 'V' || e.key === 'v')) return false;
      return true;
    });
    const onData = term.onData(send);
    const onResize = term.onResize(({ cols, rows }) => {
      if (live) call('boxes:execResize', { sessionId, cols, rows }).catch(() => undefined);
    });
    const stop = listen(
      'boxes:exec',
      { boxId, sessionId, cols: term.cols, rows: term.rows, ...(cmd ? { cmd } : {}) },
      {
        data: (e) => {
          if (e.kind === 'started') {
            live = true;
            setStatus({ kind: 'open', shell: e.shell });
            term.focus();
          } else if (e.kind === 'output') term.write(e.data);
          else {
            live = false;
            setStatus({ kind: 'ended', exitCode: e.exitCode });
          }
        },
        end: (err) => {
          live = false;
          if (disposed) return;
          if (err) setError(err);
          setStatus((s) => (s.kind === 'ended' ? s : { kind: 'ended' }));
        },
      },
    );
    let frame = 0;
    const ro = new ResizeObserver(() => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => {
        try {
          fit.fit();
        } catch {
          // Hidden (another tab): nothing to fit.
        }
      });
    });
    ro.observe(el);
    const mo = new MutationObserver(() => (term.options.theme = themeFromCss()));
    mo.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    return () => {
      disposed = true;
      shown.current = null;
      cancelAnimationFrame(frame);
      ro.disconnect();
      mo.disconnect();
      stop();
      onData.dispose();
      onResize.dispose();
      term.dispose();
      removeStyles();
    };
  }, [boxId, cmd, generation]);

  useEffect(() => {
    const t = shown.current;
    if (!active || !t) return;
    try {
      t.fit.fit();
    } catch {
      // Not laid out yet.
    }
    t.term.focus();
  }, [active]);

  return (
    <div className="terminal-pane">
      <div className="terminal-bar">
        <span className="muted small">
          {status.kind === 'connecting' && 'Connecting…'}
          {status.kind === 'open' && (
            <>
              <span className="mono">{status.shell}</span> · Ctrl-Shift-C copies, Ctrl-Shift-V pastes
            </>
          )}
          {status.kind === 'ended' &&
            (status.exitCode !== undefined ? `Session ended (exit code ${status.exitCode})` : 'Session ended')}
        </span>
        {status.kind === 'ended' && (
          <button type="button" className="btn btn-small" onClick={() => setGeneration((g) => g + 1)}>
            New session
          </button>
        )}
      </div>
      {error && (
        <div className="notice notice-error" role="alert">
          {error.message}
        </div>
      )}
      <div className="terminal-host" ref={ref} data-testid={TEST_ID.boxTerminal} />
    </div>
  );
}
