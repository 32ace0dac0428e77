import { useEffect, useMemo, useRef, useState } from 'react';
import { call, errorInfo, listen } from '../../api/client.js';
import type { ErrorInfo } from '../../../../shared/errors.js';
import './LogsView.css';

const MAX_LINES = 5000;

interface Line {
  n: number;
  stream: 'stdout' | 'stderr';
  text: string;
}

export function LogsView({ boxId, live }: { boxId: string; live: boolean }) {
  const [lines, setLines] = useState<Line[]>([]);
  const [follow, setFollow] = useState(live);
  const [query, setQuery] = useState('');
  const [onlyMatches, setOnlyMatches] = useState(false);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const seq = useRef(0);
  const bottom = useRef<HTMLDivElement>(null);
  const partial = useRef<Record<string, string>>({});

  const append = (stream: 'stdout' | 'stderr', text: string) => {
    const buf = (partial.current[stream] ?? '') + text;
    const parts = buf.split('\n');
    partial.current[stream] = parts.pop() ?? '';
    if (!parts.length) return;
    setLines((prev) => {
      const next = prev.concat(parts.map((t) => ({ n: ++seq.current, stream, text: t })));
      return next.length > MAX_LINES ? next.slice(next.length - MAX_LINES) : next;
    });
  };

  useEffect(() => {
    let alive = true;
    setLines([]);
    partial.current = {};
    call('boxes:logs', { boxId, tail: 1000 }).then(
      (text) => alive && append('stdout', text.endsWith('\n') || !text ? text : `${text}\n`),
      (e) => alive && setError(errorInfo(e)),
    );
    return () => {
      alive = false;
    };
  }, [boxId]);

  useEffect(() => {
    if (!follow) return;
    return listen(
      'logs:follow',
      { boxId },
      {
        data: (c) => append(c.stream, c.text),
        end: (e) => e && setError(e),
      },
    );
  }, [boxId, follow]);

  useEffect(() => {
    if (follow) bottom.current?.scrollIntoView?.({ block: 'end' });
  }, [lines, follow]);

  const q = query.trim().toLowerCase();
  const shown = useMemo(
    () => (q && onlyMatches ? lines.filter((l) => l.text.toLowerCase().includes(q)) : lines),
    [lines, q, onlyMatches],
  );
  const hits = useMemo(() => (q ? lines.filter((l) => l.text.toLowerCase().includes(q)).length : 0), [lines, q]);

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
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} />
          Follow
        </label>
      </div>
      {error && <div className="notice notice-error">{error.message}</div>}
      <pre className="logs-body" aria-label="Box logs">
        {shown.length === 0 && <span className="muted">{follow ? 'Waiting for output…' : 'No output.'}</span>}
        {shown.map((l) => (
          <div
            key={l.n}
            className={`log-line log-${l.stream}${q && l.text.toLowerCase().includes(q) ? ' log-hit' : ''}`}
          >
            {l.text || ' '}
          </div>
        ))}
        <div ref={bottom} />
      </pre>
    </div>
  );
}
