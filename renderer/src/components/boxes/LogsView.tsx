import { useEffect, useMemo, useRef, useState } from 'react';
import { call, listen } from '../../api/client.js';
import type { ErrorInfo } from '../../../../shared/errors.js';
import './LogsView.css';

const MAX_LINES = 5000;
const TAIL = 1000;

interface Line {
  n: number;
  stream: 'stdout' | 'stderr';
  text: string;
  /** The engine's time of the line (RFC 3339), when it gave one. */
  time?: string;
}

/** What the user set per box (search, filters): kept while the app runs, so leaving the tab loses nothing. */
const kept = new Map<string, { query: string; onlyMatches: boolean; stamps: boolean }>();

function clock(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

export function LogsView({ boxId, live }: { boxId: string; live: boolean }) {
  const saved = kept.get(boxId);
  const [lines, setLines] = useState<Line[]>([]);
  const [follow, setFollow] = useState(true);
  const [query, setQuery] = useState(saved?.query ?? '');
  const [onlyMatches, setOnlyMatches] = useState(saved?.onlyMatches ?? false);
  const [stamps, setStamps] = useState(saved?.stamps ?? true);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [ended, setEnded] = useState(false);
  const seq = useRef(0);
  const body = useRef<HTMLPreElement>(null);
  const lastTop = useRef(0);
  const partial = useRef<Record<string, { text: string; time?: string }>>({});

  useEffect(() => {
    kept.set(boxId, { query, onlyMatches, stamps });
  }, [boxId, query, onlyMatches, stamps]);

  const append = (stream: 'stdout' | 'stderr', text: string, time?: string) => {
    const prev = partial.current[stream];
    const buf = (prev?.text ?? '') + text;
    const lineTime = prev?.time ?? time;
    const parts = buf.split('\n');
    const rest = parts.pop() ?? '';
    partial.current[stream] = rest ? { text: rest, time: parts.length ? time : lineTime } : { text: '' };
    if (!parts.length) return;
    setLines((old) => {
      const add = parts.map((t, k) => ({ n: ++seq.current, stream, text: t, time: k === 0 ? lineTime : time }));
      const next = old.concat(add);
      return next.length > MAX_LINES ? next.slice(next.length - MAX_LINES) : next;
    });
  };

  // The last lines, then the output as it comes, each line with its stream and time; again when the box starts again.
  useEffect(() => {
    let alive = true;
    setLines([]);
    setError(null);
    setEnded(false);
    partial.current = {};
    const off = listen(
      'logs:follow',
      { boxId, tail: TAIL, timestamps: true },
      {
        data: (c) => alive && append(c.stream, c.text, c.time),
        end: (e) => {
          if (!alive) return;
          setEnded(true);
          if (!e) return;
          // A box that never got a container has no output, only the reason it failed.
          call('boxes:logs', { boxId, tail: TAIL }).then(
            (text) => alive && (text ? append('stderr', text.endsWith('\n') ? text : `${text}\n`) : setError(e)),
            () => alive && setError(e),
          );
        },
      },
    );
    return () => {
      alive = false;
      off();
    };
  }, [boxId, live]);

  useEffect(() => {
    const el = body.current;
    if (follow && el) {
      el.scrollTop = el.scrollHeight;
      lastTop.current = el.scrollTop;
    }
  }, [lines, follow]);

  const q = query.trim().toLowerCase();
  const isHit = (l: Line) => !!q && l.text.toLowerCase().includes(q);
  const shown = useMemo(
    () => (q && onlyMatches ? lines.filter((l) => l.text.toLowerCase().includes(q)) : lines),
    [lines, q, onlyMatches],
  );
  const hits = useMemo(() => (q ? lines.filter((l) => l.text.toLowerCase().includes(q)).length : 0), [lines, q]);
  const errLines = useMemo(() => lines.filter((l) => l.stream === 'stderr').length, [lines]);

  return (
    <div className="logs">
      <div className="logs-toolbar">
        <input
          type="search"
          placeholder="Search logs"
          aria-label="Search logs"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
        {q && <span className="muted small">{hits} matching lines</span>}
        <label className="check">
          <input type="checkbox" checked={onlyMatches} onChange={(e) => setOnlyMatches(e.target.checked)} />
          Only matches
        </label>
        <label className="check">
          <input type="checkbox" checked={stamps} onChange={(e) => setStamps(e.target.checked)} />
          Timestamps
        </label>
        <label className="check" title="Keep the newest line in view">
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} />
          Follow
        </label>
        <span className="muted small logs-legend">
          {lines.length.toLocaleString('en-US')} lines
          {errLines ? (
            <>
              {' · '}
              <span className="log-mark log-mark-stderr">err</span> {errLines.toLocaleString('en-US')} on stderr
            </>
          ) : null}
        </span>
      </div>
      {error && <div className="notice notice-error">{error.message}</div>}
      <pre
        ref={body}
        className={`logs-body${stamps ? ' with-stamps' : ''}`}
        aria-label="Box logs"
        tabIndex={0}
        onScroll={(e) => {
          // Scrolling up stops following; scrolling back to the end starts it again. Our own
          // scrolls only ever go down, so new lines arriving never turn following off.
          const el = e.currentTarget;
          const atEnd = el.scrollHeight - el.scrollTop - el.clientHeight < 8;
          const up = el.scrollTop < lastTop.current - 2;
          lastTop.current = el.scrollTop;
          if (atEnd && !follow) setFollow(true);
          else if (up && !atEnd && follow) setFollow(false);
        }}
      >
        {shown.length === 0 && <span className="muted">{live && !ended ? 'Waiting for output…' : 'No output.'}</span>}
        {shown.map((l) => (
          <div key={l.n} className={`log-line log-${l.stream}${isHit(l) ? ' log-hit' : ''}`} data-stream={l.stream}>
            {stamps && (
              <span className="log-time" title={l.time}>
                {clock(l.time)}
              </span>
            )}
            <span className={`log-mark log-mark-${l.stream}`} aria-label={l.stream}>
              {l.stream === 'stderr' ? 'err' : 'out'}
            </span>
            <span className="log-text">{l.text || ' '}</span>
          </div>
        ))}
      </pre>
    </div>
  );
}
