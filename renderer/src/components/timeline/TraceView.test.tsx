import { describe, expect, it } from 'vitest';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { BoxscopeError } from '../../../../shared/errors.js';
import { notifyReconnect } from '../../api/client.js';
import { renderApp } from '../../../test/render-app.js';
import { label, launchTrace, sid, span } from '../../../test/spans.js';
import { indexOfId, spanIdOf } from '../../model/trace-model.js';
import { useTraceView } from '../../state/trace-view-store.js';

const TRACE = 'a'.repeat(32);
const rows = () => screen.getAllByTestId('span-row');
const names = () => rows().map((r) => label(r.getAttribute('data-span-id')));
const key = (k: string) => fireEvent.keyDown(window, { key: k });

async function openTrace(spans = launchTrace(-300)) {
  const r = await renderApp(`#/traces/${TRACE}`, { traces: { [TRACE]: spans } });
  await screen.findByTestId('trace-timeline');
  return r;
}

describe('Trace timeline', () => {
  it('draws one row per span with the QA hooks, and the phase summary', async () => {
    await openTrace();
    expect(names()).toEqual(['ui', 'run', 'auth', 'pull', 'create', 'start', 'wait', 'boot', 'proc']);
    const boot = rows()[7];
    expect(boot.getAttribute('data-span-id')).toBe(sid('boot'));
    expect(boot.getAttribute('data-span-name')).toBe('sandbox.boot');
    expect(boot.getAttribute('data-service')).toBe('boxlite-daemon');
    const phases = screen.getByLabelText('Launch phases');
    expect(phases.textContent).toContain('Pull');
    expect(phases.textContent).toContain('540 ms');
  });

  it('adjusts box clock skew with a badge and a raw toggle', async () => {
    await openTrace();
    expect(screen.getByTestId('skew-badge').textContent).toContain('adjusted by +280 ms');
    const bootStart = () => useTraceView.getState().start[indexOfId(useTraceView.getState().model!, sid('boot'))];
    expect(bootStart()).toBeCloseTo(800, 3);
    fireEvent.click(screen.getByRole('button', { name: 'Raw' }));
    expect(bootStart()).toBeCloseTo(520, 3);
    expect(screen.getByTestId('skew-badge').textContent).toContain('raw');
  });

  it('opens span detail with attributes, events, status and resource', async () => {
    await openTrace([
      ...launchTrace(),
      span('bad', 'pull', 100, 200, {
        name: 'layer.pull',
        status: { code: 2, message: 'connection reset' },
        attributes: { 'layer.index': 3 },
        resource: { 'host.name': 'devbox' },
        events: [{ timeUnixNano: '1764000000000150000', name: 'retry', attributes: { attempt: 2 } }],
      }),
    ]);
    fireEvent.click(rows().find((r) => label(r.getAttribute('data-span-id')) === 'bad')!);
    const detail = screen.getByTestId('span-detail');
    expect(detail.textContent).toContain('Loading attributes…');
    await within(detail).findByText('layer.index');
    expect(detail.textContent).toContain('connection reset');
    expect(detail.textContent).toContain('retry');
    expect(detail.textContent).toContain('host.name');
    expect(screen.getByText('1/1 error')).toBeTruthy();
  });

  it('shows self time: the part of a span no child covers', async () => {
    await openTrace(launchTrace());
    fireEvent.click(rows()[1]);
    const detail = screen.getByTestId('span-detail');
    expect(detail.textContent).toMatch(/Self time15\.0 ms/);
  });

  it('zooms by dragging across the minimap or the time scale, and resets', async () => {
    await openTrace(launchTrace());
    const rect = { left: 0, top: 0, width: 1000, height: 50, right: 1000, bottom: 50, x: 0, y: 0, toJSON: () => ({}) };
    const minimap = document.querySelector('.minimap') as HTMLElement;
    minimap.getBoundingClientRect = () => rect as DOMRect;
    fireEvent.pointerDown(minimap, { clientX: 200, pointerId: 1 });
    fireEvent.pointerMove(minimap, { clientX: 600, pointerId: 1 });
    fireEvent.pointerUp(minimap, { clientX: 600, pointerId: 1 });
    expect(useTraceView.getState().zoom).toEqual([0.2, 0.6]);
    const scale = document.querySelector('.timeline-header-ticks') as HTMLElement;
    scale.getBoundingClientRect = () => rect as DOMRect;
    fireEvent.pointerDown(scale, { clientX: 500, pointerId: 1 });
    fireEvent.pointerMove(scale, { clientX: 1000, pointerId: 1 });
    fireEvent.pointerUp(scale, { clientX: 1000, pointerId: 1 });
    const [a, b] = useTraceView.getState().zoom;
    expect(a).toBeCloseTo(0.4, 6);
    expect(b).toBeCloseTo(0.6, 6);
    fireEvent.click(screen.getByRole('button', { name: 'Reset zoom' }));
    expect(useTraceView.getState().zoom).toEqual([0, 1]);
    const resizer = screen.getByRole('separator', { name: 'Resize the name column' });
    const before = useTraceView.getState().nameWidth;
    fireEvent.pointerDown(resizer, { clientX: 300, pointerId: 2 });
    fireEvent.pointerMove(resizer, { clientX: 420, pointerId: 2 });
    fireEvent.pointerUp(resizer, { clientX: 420, pointerId: 2 });
    expect(useTraceView.getState().nameWidth).toBe(before + 120);
    expect((rows()[0].querySelector('.span-name') as HTMLElement).style.width).toBe(`${before + 120}px`);
  });

  it('collapses, expands and keeps what the user opened across live updates', async () => {
    const { fake } = await openTrace();
    fireEvent.click(screen.getByRole('button', { name: 'Collapse all' }));
    expect(names()).toEqual(['ui', 'run']);
    fireEvent.click(screen.getByRole('button', { name: 'Expand box.launch' }));
    expect(names()).toContain('wait');
    expect(names()).not.toContain('boot');
    act(() => fake.emitColumns(TRACE, [span('late', 'run', 985, 989, { name: 'box.ready' })]));
    await waitFor(() => expect(names()).toContain('late'));
    expect(names()).not.toContain('boot');
    fireEvent.click(screen.getByRole('button', { name: 'Expand all' }));
    expect(names()).toHaveLength(10);
  });

  it('searches, filters keeping ancestors, and steps through matches', async () => {
    await openTrace();
    const input = screen.getByLabelText('Search spans');
    fireEvent.change(input, { target: { value: 'service:daemon' } });
    fireEvent.keyDown(input, { key: 'Enter' });
    expect(screen.getByTestId('search-count').textContent).toContain('2 matches');
    expect(label(spanIdOf(useTraceView.getState().model!, useTraceView.getState().selected))).toBe('boot');
    fireEvent.click(screen.getByLabelText(/Filter/));
    expect(names()).toEqual(['ui', 'run', 'wait', 'boot', 'proc']);
    expect(rows().filter((r) => r.className.includes('is-match'))).toHaveLength(2);
  });

  it('marks orphans as incomplete and highlights the critical path', async () => {
    await openTrace([...launchTrace(), span('lost', 'gone', 10, 20, { name: 'orphan.work' })]);
    expect(screen.getByTestId('incomplete-badge').textContent).toContain('1 orphan');
    fireEvent.click(screen.getByRole('button', { name: 'Critical path' }));
    expect(document.querySelectorAll('.span-bar-critical').length).toBeGreaterThan(0);
  });

  it('moves with j/k, folds with arrows and opens help with ?', async () => {
    await openTrace();
    key('j');
    key('j');
    expect(within(rows()[1]).getByText('box.launch')).toBeTruthy();
    expect(rows()[1].getAttribute('aria-selected')).toBe('true');
    key('ArrowLeft');
    expect(names()).toEqual(['ui', 'run']);
    key('ArrowRight');
    expect(names()).toHaveLength(9);
    key('e');
    key('?');
    expect(screen.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeTruthy();
  });

  it('says in words why an export failed', async () => {
    const { fake } = await openTrace();
    fake.handlers['traces:export'] = () => {
      throw new BoxscopeError('TRACE_NOT_FOUND', 'The trace store has no trace with this id');
    };
    fireEvent.click(screen.getByRole('button', { name: 'Export OTLP' }));
    const banner = await screen.findByTestId('error-banner');
    expect(banner.textContent).toContain('Export failed: The trace store has no trace with this id');
  });

  it('says so when the store holds no spans for a trace', async () => {
    await renderApp('#/traces/ffffffffffffffffffffffffffffffff');
    expect(await screen.findByText('No spans in this trace')).toBeTruthy();
  });
});

describe('Live launch trace', () => {
  it('waits for the first spans of a launch under way and shows them as they arrive', async () => {
    const { fake } = await renderApp('#/boxes/b1', {
      boxes: [
        { boxId: 'b1', name: 'api', image: 'x', state: 'pulling', createdAt: Date.now(), daemon: true, traceId: TRACE },
      ],
    });
    expect(await screen.findByText('Waiting for the first spans…')).toBeTruthy();
    act(() => fake.emitColumns(TRACE, launchTrace().slice(0, 4)));
    await waitFor(() => expect(names()).toEqual(['ui', 'run', 'auth', 'pull']));
    act(() => fake.emitColumns('other'.padEnd(32, '0'), [span('zzz', undefined, 0, 1)]));
    act(() => fake.emitColumns(TRACE, launchTrace().slice(4)));
    await waitFor(() => expect(names()).toHaveLength(9));
    expect(names()).not.toContain('zzz');
  });

  it('reads the trace again after a dropped connection, keeping what the user folded', async () => {
    const { fake } = await renderApp('#/boxes/b1', {
      boxes: [
        {
          boxId: 'b1',
          name: 'api',
          image: 'x',
          state: 'starting',
          createdAt: Date.now(),
          daemon: true,
          traceId: TRACE,
        },
      ],
      traces: { [TRACE]: launchTrace().slice(0, 7) },
    });
    await waitFor(() => expect(names()).toHaveLength(7));
    fireEvent.click(screen.getByRole('button', { name: 'Collapse box.launch' }));
    // The boot spans were pushed while the connection was down.
    fake.data.traces[TRACE] = launchTrace();
    await act(async () => notifyReconnect());
    await waitFor(() => expect(useTraceView.getState().model!.size).toBe(9));
    expect(names()).toEqual(['ui', 'run']);
  });
});
