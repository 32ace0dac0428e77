import { create } from 'zustand';
import type { TraceSearchResult } from '../../../shared/models.js';
import { isEmptyQuery, needsAttributes, parseQuery } from '../../../shared/trace-query.js';
import { spanIdOf, traceBounds, type TraceModel } from '../model/trace-model.js';
import type { FeedStatus } from '../model/trace-feed.js';
import { adjustClockSkew, type SkewResult } from '../model/skew.js';
import { criticalPath, type CriticalPath } from '../model/critical-path.js';
import { coreMask, filterSpans, type FilterResult } from '../model/filter.js';
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
  model?: TraceModel;
  /** How the trace is arriving; `growing` while live spans keep coming. */
  feed?: FeedStatus & { growing: boolean };
  skew?: SkewResult;
  mode: ClockMode;
  start: Float64Array;
  finish: Float64Array;
  bounds: { min: number; max: number };
  phases: Phase[];
  collapsed: Set<string>;
  /** `collapsed` as a mask over the model's rows (null: nothing folded). */
  mask: Uint8Array | null;
  rows: Int32Array;
  selected: number;
  query: string;
  filter?: FilterResult;
  /** The core's answer for the attribute terms of `query` (when it has any). */
  core?: { query: string } & TraceSearchResult;
  /** The query waits for the core's attribute search. */
  searching: boolean;
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

  /** Shows a trace: a fresh view, with `model` if it is already built. */
  open(traceId: string, model?: TraceModel): void;
  /**
   * A rebuilt or appended-to model of the open trace: folding, selection, zoom and search stay. `selectedId`:
   * the selected span's id, read before an append changed the shown model's columns.
   */
  setModel(model: TraceModel, selectedId?: string): void;
  setFeed(feed: TraceViewState['feed']): void;
  /** The core's search result for `query` (null: it failed or is not needed). */
  setCoreResult(query: string, result: TraceSearchResult | null): void;
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

type RowInput = Pick<TraceViewState, 'model' | 'collapsed' | 'filter' | 'filterOn'>;

function rowsFor(s: RowInput): { rows: Int32Array; mask: Uint8Array | null } {
  if (!s.model) return { rows: new Int32Array(0), mask: null };
  const mask = collapsedMask(s.model, s.collapsed);
  return { rows: visibleRows(s.model, mask, s.filterOn && s.filter ? s.filter.keep : null), mask };
}

function timesFor(model: TraceModel, skew: SkewResult, mode: ClockMode) {
  const start = mode === 'adjusted' ? skew.start : model.start;
  const finish = mode === 'adjusted' ? skew.finish : model.finish;
  return { start, finish, bounds: traceBounds(start, finish), phases: phaseSummary(model, start, finish) };
}

function filterFor(
  model: TraceModel,
  q: string,
  start: Float64Array,
  finish: Float64Array,
  core: TraceViewState['core'],
) {
  const parsed = parseQuery(q);
  if (isEmptyQuery(parsed)) return undefined;
  const mask = core && core.query === q ? coreMask(model, core.spanIds) : null;
  return filterSpans(model, parsed, start, finish, mask);
}

const fresh = {
  model: undefined,
  skew: undefined,
  feed: undefined,
  mode: 'adjusted' as ClockMode,
  start: EMPTY,
  finish: EMPTY,
  bounds: { min: 0, max: 1 },
  phases: [] as Phase[],
  collapsed: new Set<string>(),
  mask: null,
  rows: new Int32Array(0),
  selected: -1,
  query: '',
  filter: undefined,
  core: undefined,
  searching: false,
  filterOn: false,
  criticalOn: false,
  critical: undefined,
  zoom: [0, 1] as [number, number],
  scrollTo: null,
};

export const useTraceView = create<TraceViewState>((set, get) => ({
  ...fresh,
  nameWidth: 340,
  setNameWidth: (px) => set({ nameWidth: Math.round(Math.max(180, Math.min(900, px))) }),

  open(traceId, model) {
    set({ ...fresh, collapsed: new Set(), traceId });
    if (model) get().setModel(model);
  },

  setModel(model, keep) {
    const s = get();
    const selectedId = keep ?? (s.model && s.selected >= 0 ? spanIdOf(s.model, s.selected) : undefined);
    const skew = adjustClockSkew(model);
    const t = timesFor(model, skew, s.mode);
    const filter = filterFor(model, s.query, t.start, t.finish, s.core);
    const critical = s.criticalOn ? criticalPath(model, t.start, t.finish) : undefined;
    const selected = selectedId !== undefined ? model.ids.findHex(selectedId) : -1;
    // The user's collapse set is kept by span id, so new spans never fold what was opened.
    const next = { ...s, model, skew, ...t, filter, critical, selected };
    set({ model, skew, ...t, filter, critical, selected, ...rowsFor(next) });
  },

  setFeed(feed) {
    set({ feed });
  },

  setCoreResult(query, result) {
    const s = get();
    if (query !== s.query) return;
    const core = result ? { query, ...result } : undefined;
    if (!s.model) return set({ core, searching: false });
    const filter = filterFor(s.model, query, s.start, s.finish, core);
    set({ core, searching: false, filter, ...rowsFor({ ...s, filter }) });
  },

  setMode(mode) {
    const s = get();
    if (!s.model || !s.skew) return set({ mode });
    const t = timesFor(s.model, s.skew, mode);
    const filter = filterFor(s.model, s.query, t.start, t.finish, s.core);
    const critical = s.criticalOn ? criticalPath(s.model, t.start, t.finish) : undefined;
    const next = { ...s, mode, ...t, filter, critical };
    set({ mode, ...t, filter, critical, ...rowsFor(next) });
  },

  toggle(i) {
    const s = get();
    if (!s.model || s.model.childCount[i] === 0) return;
    const id = spanIdOf(s.model, i);
    const collapsed = new Set(s.collapsed);
    if (collapsed.has(id)) collapsed.delete(id);
    else collapsed.add(id);
    set({ collapsed, ...rowsFor({ ...s, collapsed }) });
  },
  expandAll() {
    const s = get();
    const collapsed = new Set<string>();
    set({ collapsed, ...rowsFor({ ...s, collapsed }) });
  },
  collapseAll() {
    const s = get();
    if (!s.model) return;
    const collapsed = collapseAllIds(s.model);
    set({ collapsed, ...rowsFor({ ...s, collapsed }) });
  },
  expandLevel() {
    const s = get();
    if (!s.model) return;
    const collapsed = expandOneLevel(s.model, s.collapsed);
    set({ collapsed, ...rowsFor({ ...s, collapsed }) });
  },
  collapseLevel() {
    const s = get();
    if (!s.model) return;
    const collapsed = collapseOneLevel(s.model, s.collapsed);
    set({ collapsed, ...rowsFor({ ...s, collapsed }) });
  },

  select(i, scroll = false) {
    const s = get();
    if (!s.model || i < 0) return set({ selected: -1 });
    const collapsed = revealIds(s.model, s.collapsed, i);
    let filterOn = s.filterOn;
    if (filterOn && s.filter && !s.filter.keep[i]) filterOn = false;
    const changed = collapsed !== s.collapsed || filterOn !== s.filterOn;
    const next = changed ? rowsFor({ ...s, collapsed, filterOn }) : { rows: s.rows, mask: s.mask };
    const rows = next.rows;
    const patch: Partial<TraceViewState> = { selected: i, collapsed, filterOn, ...next };
    if (scroll) {
      const row = rows.indexOf(i);
      if (row >= 0) patch.scrollTo = { row, seq: ++scrollSeq };
    }
    set(patch);
  },

  setQuery(query) {
    const s = get();
    const core = s.core?.query === query ? s.core : undefined;
    const q = parseQuery(query);
    const searching = !core && !isEmptyQuery(q) && needsAttributes(q);
    if (!s.model) return set({ query, core, searching });
    const filter = filterFor(s.model, query, s.start, s.finish, core);
    set({ query, core, searching, filter, ...rowsFor({ ...s, filter }) });
  },
  setFilterOn(filterOn) {
    const s = get();
    set({ filterOn, ...rowsFor({ ...s, filterOn }) });
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
