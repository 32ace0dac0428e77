import { describe, expect, it } from 'vitest';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { BoxscopeError } from '../../../../shared/errors.js';
import type { TraceSearchResult } from '../../../../shared/models.js';
import { renderApp } from '../../../test/render-app.js';
import { label, launchTrace, sid, span } from '../../../test/spans.js';
import { useTraceView } from '../../state/trace-view-store.js';
import { useApp } from '../../state/app-store.js';
import { parseHash } from '../../state/route.js';
import { spanIdOf } from '../../model/trace-model.js';

const TRACE = 'a'.repeat(32);
const rows = () => screen.getAllByTestId('span-row');
const names = () => rows().map((r) => label(r.getAttribute('data-span-id')));
const row = (l: string) => rows().find((r) => label(r.getAttribute('data-span-id')) === l)!;
const key = (k: string) => fireEvent.keyDown(window, { key: k });
const selectedLabel = () => {
  const s = useTraceView.getState();
  return s.selected >= 0 ? label(spanIdOf(s.model!, s.selected)) : '';
};

async function openTrace(spans = launchTrace()) {
  const r = await renderApp(`#/traces/${TRACE}`, { traces: { [TRACE]: spans } });
  await screen.findByTestId('trace-timeline');
  return r;
}

const search = (q: string) => {
  const input = screen.getByLabelText('Search spans');
  fireEvent.change(input, { target: { value: q } });
  fireEvent.keyDown(input, { key: 'Enter' });
};

describe('Timeline growth', () => {
  it('draws the first stored batch at once and says it is loading until the store is done', async () => {
    const { fake } = await renderApp('#/settings');
    // Batches come from the test alone: the store is still being read.
    fake.serveStoredColumns = false;
    act(() => useApp.getState().setRoute(parseHash(`#/traces/${TRACE}`)));
    expect(await screen.findByText('Loading trace…')).toBeTruthy();
    const all = launchTrace();
    act(() => fake.emitColumns(TRACE, all.slice(0, 4), 'stored'));
    await waitFor(() => expect(names()).toEqual(['ui', 'run', 'auth', 'pull']));
    expect(screen.getByTestId('trace-loading').textContent).toBe('Loading… 4 spans');
    act(() => fake.emitColumns(TRACE, all.slice(4), 'stored', { storedDone: true, storedTotal: 9 }));
    await waitFor(() => expect(names()).toHaveLength(9));
    expect(screen.queryByTestId('trace-loading')).toBeNull();
  });

  it('keeps folding, selection, zoom and search across rebuilds, with parents arriving after children', async () => {
    const { fake } = await openTrace();
    fireEvent.click(screen.getByRole('button', { name: 'Collapse box.launch' }));
    expect(names()).toEqual(['ui', 'run']);
    fireEvent.click(row('ui'));
    act(() => useTraceView.getState().setZoom([0.1, 0.9]));
    search('name:late');
    const before = useTraceView.getState().model;
    // A grandchild first, its parent in the next batch: an orphan until the parent comes.
    act(() => fake.emitColumns(TRACE, [span('kid', 'late', 986, 987, { name: 'late.kid' })]));
    await waitFor(() => expect(useTraceView.getState().model).not.toBe(before));
    expect(useTraceView.getState().model!.orphanCount).toBe(1);
    act(() => fake.emitColumns(TRACE, [span('late', 'ui', 985, 999, { name: 'late.parent' })]));
    await waitFor(() => expect(names()).toEqual(['ui', 'run', 'late', 'kid']));
    const s = useTraceView.getState();
    expect(s.model!.orphanCount).toBe(0);
    expect(selectedLabel()).toBe('ui');
    expect(row('ui').getAttribute('aria-selected')).toBe('true');
    expect(s.zoom).toEqual([0.1, 0.9]);
    expect(s.query).toBe('name:late');
    expect(screen.getByTestId('search-count').textContent).toContain('2 matches');
    expect(screen.getByTestId('trace-loading').textContent).toBe('Loading… 11 spans');
  });
});

describe('Exception marks', () => {
  it('draws the exception event of a live span in the error colour and its other events plainly', async () => {
    const { fake } = await openTrace();
    const at = (ms: number) => span('x', undefined, ms, ms).startTimeUnixNano;
    act(() =>
      fake.emitColumns(TRACE, [
        span('late', 'ui', 985, 999, {
          name: 'late.fail',
          events: [
            { timeUnixNano: at(986), name: 'retry', attributes: {} },
            { timeUnixNano: at(990), name: 'exception', attributes: { 'exception.message': 'boom' } },
          ],
        }),
      ]),
    );
    await waitFor(() => expect(names()).toContain('late'));
    const marks = Array.from(row('late').querySelectorAll('.span-event'));
    expect(marks.map((m) => m.classList.contains('span-event-exception'))).toEqual([false, true]);
    expect(marks[1]!.getAttribute('title')).toMatch(/^exception at \+/);
    expect(row('ui').querySelectorAll('.span-event-exception')).toHaveLength(0);
  });
});

describe('A link to one span', () => {
  const detailName = () => screen.getByTestId('span-detail').querySelector('h3')?.textContent;

  it('opens the trace with that span selected, scrolled to and its detail open', async () => {
    await renderApp(`#/traces/${TRACE}?span=${sid('pull')}`, { traces: { [TRACE]: launchTrace() } });
    await screen.findByTestId('trace-timeline');
    await waitFor(() => expect(selectedLabel()).toBe('pull'));
    expect(row('pull').getAttribute('aria-selected')).toBe('true');
    expect(detailName()).toBe('image.pull');
    expect(useTraceView.getState().scrollTo).not.toBeNull();
    // The selection is the user's after that: a rebuild does not take it back.
    fireEvent.click(row('auth'));
    expect(selectedLabel()).toBe('auth');
  });

  it('selects a span that arrives in a later live batch, once the model has it', async () => {
    const { fake } = await renderApp(`#/traces/${TRACE}?span=${sid('late')}`, { traces: { [TRACE]: launchTrace() } });
    await screen.findByTestId('trace-timeline');
    expect(selectedLabel()).toBe('');
    expect(screen.queryByTestId('span-detail')).toBeNull();
    const before = useTraceView.getState().model;
    act(() => fake.emitColumns(TRACE, [span('other', 'ui', 980, 985, { name: 'other.span' })]));
    await waitFor(() => expect(useTraceView.getState().model).not.toBe(before));
    expect(selectedLabel()).toBe('');
    act(() => fake.emitColumns(TRACE, [span('late', 'run', 985, 999, { name: 'late.span' })]));
    await waitFor(() => expect(selectedLabel()).toBe('late'));
    expect(row('late').getAttribute('aria-selected')).toBe('true');
    expect(detailName()).toBe('late.span');
  });

  it('copies a link to the shown span from its detail', async () => {
    await openTrace();
    const copied: string[] = [];
    Object.defineProperty(navigator, 'clipboard', {
      configurable: true,
      value: { writeText: async (t: string) => void copied.push(t) },
    });
    fireEvent.click(row('auth'));
    fireEvent.click(screen.getByRole('button', { name: 'Copy span link' }));
    await waitFor(() => expect(copied).toHaveLength(1));
    expect(copied[0]).toMatch(new RegExp(`#/traces/${TRACE}\\?span=${sid('auth')}$`));
    expect(parseHash(copied[0].slice(copied[0].indexOf('#')))).toEqual({
      page: 'traces',
      traceId: TRACE,
      spanId: sid('auth'),
    });
  });
});

describe('Span detail', () => {
  it('fetches a span once and serves it from the cache when shown again', async () => {
    const { fake } = await openTrace();
    fireEvent.click(row('auth'));
    await within(screen.getByTestId('span-detail')).findByText('boxscope.registry');
    fireEvent.click(row('pull'));
    await within(screen.getByTestId('span-detail')).findByText('boxscope.pull.bytes');
    fireEvent.click(row('auth'));
    expect(within(screen.getByTestId('span-detail')).getByText('boxscope.registry')).toBeTruthy();
    expect(fake.callsTo('traces:span')).toEqual([
      { traceId: TRACE, spanId: sid('auth') },
      { traceId: TRACE, spanId: sid('pull') },
    ]);
  });

  it('shows what the columns know and says in words when the rest cannot be loaded', async () => {
    const { fake } = await openTrace();
    fake.handlers['traces:span'] = () => {
      throw new BoxscopeError('TRACE_NOT_FOUND', 'No such span in the store');
    };
    fireEvent.click(row('wait'));
    const detail = screen.getByTestId('span-detail');
    expect(detail.textContent).toContain('daemon.wait');
    expect(detail.textContent).toContain('180 ms');
    expect((await within(detail).findByRole('alert')).textContent).toContain('No such span in the store');
  });
});

describe('Search with the core', () => {
  it('shows local matches at once, then adds the spans whose attributes match', async () => {
    const { fake } = await openTrace();
    let answer: (r: TraceSearchResult) => void = () => {};
    fake.handlers['traces:search'] = () => new Promise((r) => (answer = r));
    // "pull" names image.pull locally; the core also finds it in auth's attribute (pretend).
    search('pull');
    expect(screen.getByTestId('search-count').textContent).toContain('1/1 match');
    expect(screen.getByTestId('search-count').textContent).toContain('searching attributes…');
    await waitFor(() => expect(fake.callsTo('traces:search')).toEqual([{ traceId: TRACE, query: 'pull' }]));
    await act(async () => answer({ spanIds: [sid('auth'), sid('pull')], truncated: false }));
    const count = screen.getByTestId('search-count').textContent;
    expect(count).toContain('2 matches');
    expect(count).not.toContain('searching');
  });

  it('answers KEY=VALUE only from the core, and cancels a search a newer query replaced', async () => {
    const { fake } = await openTrace();
    const pending: Array<(r: TraceSearchResult) => void> = [];
    fake.handlers['traces:search'] = () => new Promise((r) => pending.push(r));
    search('boxscope.registry=ghcr.io');
    expect(screen.getByTestId('search-count').textContent).toContain('searching attributes…');
    await waitFor(() => expect(pending).toHaveLength(1));
    search('boxscope.registry=docker.io');
    await waitFor(() => expect(pending).toHaveLength(2));
    const calls = fake.calls.filter((c) => c.channel === 'traces:search');
    expect(calls[0].signal?.aborted).toBe(true);
    expect(calls[1].signal?.aborted).toBe(false);
    // The stale answer lands late and changes nothing.
    await act(async () => pending[0]({ spanIds: [sid('auth')], truncated: false }));
    expect(screen.getByTestId('search-count').textContent).toContain('searching attributes…');
    await act(async () => pending[1]({ spanIds: [], truncated: false }));
    expect(screen.getByTestId('search-count').textContent).toContain('no match');
  });

  it('does not ask the core for what the columns answer alone', async () => {
    const { fake } = await openTrace();
    search('service:daemon is:error');
    await new Promise((r) => setTimeout(r, 200));
    expect(fake.callsTo('traces:search')).toEqual([]);
  });
});

describe('Folding shortcuts', () => {
  it('collapses all with Shift+[ and expands all with Shift+], listed in help', async () => {
    await openTrace();
    key('{');
    expect(names()).toEqual(['ui', 'run']);
    key('}');
    expect(names()).toHaveLength(9);
    key('?');
    const help = screen.getByRole('dialog', { name: 'Keyboard shortcuts' });
    expect(help.textContent).toContain('Shift+[ / Shift+]');
    expect(help.textContent).toContain('Collapse all / expand all');
  });
});

describe('Scroll across rebuilds', () => {
  it('keeps the span at the top of the view in place when spans arrive above it', async () => {
    const { fake } = await openTrace();
    const list = document.querySelector('.span-list') as HTMLElement;
    list.scrollTop = 26 * 3 + 5;
    fireEvent.scroll(list);
    // Two spans that sort before "pull" (row 3): the view moves down by two rows with it.
    act(() => fake.emitColumns(TRACE, [span('e1', 'ui', 1, 2), span('e2', 'ui', 2, 3)]));
    await waitFor(() => expect(useTraceView.getState().model!.size).toBe(11));
    expect(list.scrollTop).toBe(26 * 5 + 5);
  });
});
