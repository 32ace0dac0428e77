import { useCallback, useEffect, useLayoutEffect, useMemo, useRef } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useTraceView } from '../../state/trace-view-store.js';
import type { CriticalSegment } from '../../model/critical-path.js';
import { nameOf, spanIdOf, type TraceModel } from '../../model/trace-model.js';
import { SpanBarRow } from './SpanBarRow.js';
import { Ticks } from './Ticks.js';
import { serviceColor } from './colors.js';
import './SpanList.css';

export /**
 * A child starting this much after its parent's end is drawn as "after parent" (clock noise stays
 * quiet). Children of the root are left unmarked: work that follows a launch (a terminal's box.exec)
 * hangs from its root by design.
 */
const FOLLOWS_SLACK_MS = 0.05;
const ROW_HEIGHT = 26;

interface Props {
  from: number;
  to: number;
  nameWidth: number;
}

/** The waterfall body: only the rows in view (plus a margin) exist in the DOM. */
export function SpanList({ from, to, nameWidth }: Props) {
  const model = useTraceView((s) => s.model)!;
  const rows = useTraceView((s) => s.rows);
  const start = useTraceView((s) => s.start);
  const finish = useTraceView((s) => s.finish);
  const mask = useTraceView((s) => s.mask);
  const selected = useTraceView((s) => s.selected);
  const filter = useTraceView((s) => s.filter);
  const criticalOn = useTraceView((s) => s.criticalOn);
  const critical = useTraceView((s) => s.critical);
  const scrollTo = useTraceView((s) => s.scrollTo);
  const toggle = useTraceView((s) => s.toggle);
  const select = useTraceView((s) => s.select);
  const scroller = useRef<HTMLDivElement>(null);

  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 6,
    initialRect: { width: 1000, height: 600 },
  });

  useEffect(() => {
    if (scrollTo) virtualizer.scrollToIndex(scrollTo.row, { align: 'auto' });
  }, [scrollTo, virtualizer]);

  // A rebuilt model (more spans arrived) keeps the span at the top of the view where it was.
  const anchor = useRef<{ model: TraceModel; spanId: string; offset: number } | null>(null);
  const shown = useRef({ model, rows });
  shown.current = { model, rows };
  const remember = useCallback(() => {
    const el = scroller.current;
    const { model: m, rows: r } = shown.current;
    if (!el || el.scrollTop <= 0) return void (anchor.current = null);
    const row = Math.floor(el.scrollTop / ROW_HEIGHT);
    if (row < r.length)
      anchor.current = { model: m, spanId: spanIdOf(m, r[row]), offset: el.scrollTop - row * ROW_HEIGHT };
  }, []);
  useLayoutEffect(() => {
    const el = scroller.current;
    const a = anchor.current;
    if (el && a && a.model !== model) {
      const i = model.ids.findHex(a.spanId);
      const row = i >= 0 ? rows.indexOf(i) : -1;
      if (row >= 0) el.scrollTop = row * ROW_HEIGHT + a.offset;
    }
    remember();
  }, [model, rows, remember]);

  const colors = useMemo(() => model.services.map(serviceColor), [model]);
  const segs = useMemo(() => {
    const map = new Map<number, CriticalSegment[]>();
    if (!critical) return map;
    for (const seg of critical.segments) {
      const list = map.get(seg.index);
      if (list) list.push(seg);
      else map.set(seg.index, [seg]);
    }
    return map;
  }, [critical]);
  const onSelect = useCallback((i: number) => select(i), [select]);

  const items = virtualizer.getVirtualItems();
  return (
    <div className="span-list" ref={scroller} role="grid" aria-rowcount={rows.length} onScroll={remember}>
      <div className="span-list-inner" style={{ height: virtualizer.getTotalSize() }}>
        <div className="span-list-grid" style={{ left: nameWidth }}>
          <Ticks from={from} to={to} />
        </div>
        {items.map((item) => {
          const i = rows[item.index];
          return (
            <SpanBarRow
              // Keyed by slot: a window of n contiguous rows maps onto n distinct slots, so a row that
              // scrolls out hands its elements to the row that scrolls in instead of unmounting.
              key={item.index % items.length}
              index={i}
              row={item.index}
              spanId={spanIdOf(model, i)}
              name={nameOf(model, i)}
              service={model.services[model.serviceOf[i]]}
              error={model.status[i] === 2}
              eventMs={model.eventMs}
              eventFrom={model.eventStart[i]}
              eventTo={model.eventEnd[i]}
              eventKind={model.eventKind}
              depth={model.depth[i]}
              childCount={model.childCount[i]}
              collapsed={mask !== null && mask[i] === 1}
              orphan={model.orphan[i] === 1}
              afterParent={
                model.parent[i] >= 0 &&
                model.parent[model.parent[i]] >= 0 &&
                start[i] > finish[model.parent[i]] + FOLLOWS_SLACK_MS
              }
              color={colors[model.serviceOf[i]]}
              start={start[i]}
              finish={finish[i]}
              shift={start[i] - model.start[i]}
              from={from}
              to={to}
              selected={i === selected}
              match={filter ? filter.hit[i] === 1 : false}
              critical={segs.get(i)}
              criticalOn={criticalOn}
              top={item.start}
              height={ROW_HEIGHT}
              nameWidth={nameWidth}
              onToggle={toggle}
              onSelect={onSelect}
            />
          );
        })}
      </div>
    </div>
  );
}
