import { create } from 'zustand';
import type { SpanRecord } from '../../../shared/models.js';
import { buildTraceModel, traceBounds, type TraceModel } from '../model/trace-model.js';
import { adjustClockSkew, type SkewResult } from '../model/skew.js';
import { criticalPath, type CriticalPath } from '../model/critical-path.js';
import { filterSpans, isEmptyQuery, parseQuery, type FilterResult } from '../model/filter.js';
import { phaseSummary, type Phase } from '../model/phases.js';
import {
  collapseAllIds,
  collapseOneLevel,
  collapsedMask,
  expandOneLevel,
  revealIds,
  stepIn,
  visibleRows,
} from '../model/visible.js';

export type ClockMode = 'adjusted' | 'raw';

interface TraceViewState {
  traceId?: string;
  spans: SpanRecord[];
  model?: TraceModel;
  skew?: SkewResult;
  mode: ClockMode;
  start: Float64Array;
  finish: Float64Array;
  bounds: { min: number; max: number };
  phases: Phase[];
  collapsed: Set<string>;
  rows: Int32Array;
  selected: number;
  query: string;
  filter?: FilterResult;
  filterOn: boolean;
  criticalOn: boolean;
  critical?: CriticalPath;
  /** Visible time window as fractions of the trace. */
  zoom: [number, number];
  /** Width of the service & operation column, kept across traces. */
  nameWidth: number;
  setNameWidth(px: number): void;
  /** Row the list should scroll to once (set by keyboard/error/search jumps). */
  scrollTo: { row: number; seq: number } | null;

  open(traceId: string, spans: SpanRecord[]): void;
  addSpans(spans: SpanRecord[]): void;
  setMode(m: ClockMode): void;
  toggle(i: number): void;
  expandAll(): void;
  collapseAll(): void;
  expandLevel(): void;
  collapseLevel(): void;
  select(i: number, scroll?: boolean): void;
  setQuery(q: string): void;
  setFilterOn(on: boolean): void;
  setCritical(on: boolean): void;
  setZoom(z: [number, number]): void;
  step(list: 'errors' | 'matches', dir: 1 | -1): void;
  moveSelection(delta: number): void;
}

const EMPTY = new Float64Array(0);
let scrollSeq = 0;

function rowsFor(s: Pick<TraceViewState, 'model' | 'collapsed' | 'filter' | 'filterOn'>): Int32Array {
  if (!s.model) return new Int32Array(0);
  return visibleRows(s.model, collapsedMask(s.model, s.collapsed), s.filterOn && s.filter ? s.filter.keep : null);
}

function timesFor(model: TraceModel, skew: SkewResult, mode: ClockMode) {
  const start = mode === 'adjusted' ? skew.start : model.start;
  const finish = mode === 'adjusted' ? skew.finish : model.finish;
  return { start, finish, bounds: traceBounds(start, finish), phases: phaseSummary(model, start, finish) };
}

function filterFor(model: TraceModel, q: string, start: Float64Array, finish: Float64Array) {
  const parsed = parseQuery(q);
  return isEmptyQuery(parsed) ? undefined : filterSpans(model, parsed, start, finish);
}

export const useTraceView = create<TraceViewState>((set, get) => ({
  spans: [],
  mode: 'adjusted',
  start: EMPTY,
  finish: EMPTY,
  bounds: { min: 0, max: 1 },
  phases: [],
  collapsed: new Set(),
  rows: new Int32Array(0),
  selected: -1,
  query: '',
  filterOn: false,
  criticalOn: false,
  zoom: [0, 1],
  scrollTo: null,
  nameWidth: 340,
  setNameWidth: (px) => set({ nameWidth: Math.round(Math.max(180, Math.min(900, px))) }),

  open(traceId, spans) {
    const model = buildTraceModel(spans);
    const skew = adjustClockSkew(model);
    const t = timesFor(model, skew, 'adjusted');
    const next = {
      traceId,
      spans,
      model,
      skew,
      mode: 'adjusted' as ClockMode,
      ...t,
      collapsed: new Set<string>(),
      selected: -1,
      query: '',
      filter: undefined,
      filterOn: false,
      criticalOn: false,
      critical: undefined,
      zoom: [0, 1] as [number, number],
      scrollTo: null,
    };
    set({ ...next, rows: rowsFor(next) });
  },

  addSpans(more) {
    const s = get();
    if (!more.length) return;
    const selectedId = s.model && s.selected >= 0 ? s.model.spans[s.selected].spanId : undefined;
    const byId = new Map(s.spans.map((x) => [x.spanId, x] as const));
    for (const x of more) byId.set(x.spanId, x);
    const spans = [...byId.values()];
    const model = buildTraceModel(spans);
    const skew = adjustClockSkew(model);
    const t = timesFor(model, skew, s.mode);
    const filter = filterFor(model, s.query, t.start, t.finish);
    const critical = s.criticalOn ? criticalPath(model, t.start, t.finish) : undefined;
    const selected = selectedId !== undefined ? (model.indexById.get(selectedId) ?? -1) : -1;
    // The user's collapse set is kept by span id, so new spans never fold what was opened.
    const next = { ...s, spans, model, skew, ...t, filter, critical, selected };
    set({ spans, model, skew, ...t, filter, critical, selected, rows: rowsFor(next) });
  },

  setMode(mode) {
    const s = get();
    if (!s.model || !s.skew) return set({ mode });
    const t = timesFor(s.model, s.skew, mode);
    const filter = filterFor(s.model, s.query, t.start, t.finish);
    const critical = s.criticalOn ? criticalPath(s.model, t.start, t.finish) : undefined;
    const next = { ...s, mode, ...t, filter, critical };
    set({ mode, ...t, filter, critical, rows: rowsFor(next) });
  },

  toggle(i) {
    const s = get();
    if (!s.model || s.model.childCount[i] === 0) return;
    const id = s.model.spans[i].spanId;
    const collapsed = new Set(s.collapsed);
    if (collapsed.has(id)) collapsed.delete(id);
    else collapsed.add(id);
    set({ collapsed, rows: rowsFor({ ...s, collapsed }) });
  },
  expandAll() {
    const s = get();
    const collapsed = new Set<string>();
    set({ collapsed, rows: rowsFor({ ...s, collapsed }) });
  },
  collapseAll() {
    const s = get();
    if (!s.model) return;
    const collapsed = collapseAllIds(s.model);
    set({ collapsed, rows: rowsFor({ ...s, collapsed }) });
  },
  expandLevel() {
    const s = get();
    if (!s.model) return;
    const collapsed = expandOneLevel(s.model, s.collapsed);
    set({ collapsed, rows: rowsFor({ ...s, collapsed }) });
  },
  collapseLevel() {
    const s = get();
    if (!s.model) return;
    const collapsed = collapseOneLevel(s.model, s.collapsed);
    set({ collapsed, rows: rowsFor({ ...s, collapsed }) });
  },

  select(i, scroll = false) {
    const s = get();
    if (!s.model || i < 0) return set({ selected: -1 });
    const collapsed = revealIds(s.model, s.collapsed, i);
    let filterOn = s.filterOn;
    if (filterOn && s.filter && !s.filter.keep[i]) filterOn = false;
    const changed = collapsed !== s.collapsed || filterOn !== s.filterOn;
    const rows = changed ? rowsFor({ ...s, collapsed, filterOn }) : s.rows;
    const patch: Partial<TraceViewState> = { selected: i, collapsed, filterOn, rows };
    if (scroll) {
      const row = rows.indexOf(i);
      if (row >= 0) patch.scrollTo = { row, seq: ++scrollSeq };
    }
    set(patch);
  },

  setQuery(query) {
    const s = get();
    if (!s.model) return set({ query });
    const filter = filterFor(s.model, query, s.start, s.finish);
    set({ query, filter, rows: rowsFor({ ...s, filter }) });
  },
  setFilterOn(filterOn) {
    const s = get();
    set({ filterOn, rows: rowsFor({ ...s, filterOn }) });
  },
  setCritical(criticalOn) {
    const s = get();
    const critical = criticalOn && s.model ? (s.critical ?? criticalPath(s.model, s.start, s.finish)) : s.critical;
    set({ criticalOn, critical });
  },
  setZoom(zoom) {
    const a = Math.max(0, Math.min(zoom[0], zoom[1]));
    const b = Math.min(1, Math.max(zoom[0], zoom[1]));
    set({ zoom: b - a < 0.0005 ? [a, Math.min(1, a + 0.0005)] : [a, b] });
  },
  step(list, dir) {
    const s = get();
    if (!s.model) return;
    const l = list === 'errors' ? s.model.errors : (s.filter?.matches ?? new Int32Array(0));
    const i = stepIn(l, s.selected, dir);
    if (i >= 0) get().select(i, true);
  },
  moveSelection(delta) {
    const s = get();
    if (!s.rows.length) return;
    const at = s.selected >= 0 ? s.rows.indexOf(s.selected) : -1;
    const row = Math.max(0, Math.min(s.rows.length - 1, at < 0 ? 0 : at + delta));
    set({ selected: s.rows[row], scrollTo: { row, seq: ++scrollSeq } });
  },
}));
