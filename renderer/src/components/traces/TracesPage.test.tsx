import { describe, expect, it, vi } from 'vitest';
import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import type { TraceSummary } from '../../../../shared/models.js';
import { renderApp } from '../../../test/render-app.js';
import { launchTrace, span } from '../../../test/spans.js';
import { deepLink, parseHash, routeHash } from '../../state/route.js';
import { resetTraceFilter } from './TracesPage.js';

const A = 'a'.repeat(32);
const B = 'b'.repeat(32);
const summary = (traceId: string, boxId: string): TraceSummary => ({
  traceId,
  rootName: 'box.create',
  boxId,
  spanCount: 9,
  errorCount: 0,
  startMs: Date.now(),
  durationMs: 1000,
  services: ['boxscope-ui', 'boxscope-runner', 'boxlite-daemon'],
});

describe('Traces page', () => {
  it('says what to do when there are no traces', async () => {
    await renderApp('#/traces');
    expect(await screen.findByText('No traces yet')).toBeTruthy();
  });

  it('in Electron, has the core read the chosen file by path and opens the trace at its first batch', async () => {
    window.boxscopeHost = { kind: 'electron', pathForFile: (f) => `/home/u/${f.name}` };
    try {
      const { fake } = await renderApp('#/traces');
      const file = new File(['{"resourceSpans":[]}'], 'trace.json', { type: 'application/json' });
      await act(async () => {
        fireEvent.change(screen.getByLabelText('Open a trace file'), { target: { files: [file] } });
      });
      expect(fake.listens).toContainEqual({ stream: 'traces:importFile', arg: { path: '/home/u/trace.json' } });
      expect(fake.callsTo('traces:import')).toEqual([]);
      await act(async () =>
        fake.emit('traces:importFile', { traceIds: [A], spans: 2000, bytes: 2e6, totalBytes: 95e6, done: false }),
      );
      await waitFor(() => expect(window.location.hash).toBe(`#/traces/${A}`));
      // The import goes on under the open trace, with its progress.
      await waitFor(() =>
        expect(screen.getByTestId('import-progress').textContent).toContain('2,000 spans, 2.0 of 95 MB read'),
      );
      await act(async () =>
        fake.emit('traces:importFile', { traceIds: [A], spans: 9000, bytes: 95e6, totalBytes: 95e6, done: true }),
      );
      expect(fake.listenerCount('traces:importFile')).toBe(1);
      // Cancel disposes the stream (the core stops reading) and says nothing went wrong.
      fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
      await waitFor(() => expect(screen.queryByTestId('import-progress')).toBeNull());
      expect(fake.listenerCount('traces:importFile')).toBe(0);
      expect(screen.queryByTestId('error-banner')).toBeNull();
    } finally {
      delete window.boxscopeHost;
    }
  });

  it('in browser mode, posts the File in slices and reads the progress lines as they come', async () => {
    const sent: Array<{ url: string; body: unknown }> = [];
    let push: (line: object) => void = () => {};
    let finish = () => {};
    vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
      sent.push({ url, body: init.body });
      const enc = new TextEncoder();
      const body = new ReadableStream<Uint8Array>({
        start(c) {
          push = (line) => c.enqueue(enc.encode(JSON.stringify(line) + '\n'));
          finish = () => c.close();
        },
      });
      return new Response(body, { status: 200, headers: { 'Content-Type': 'application/x-ndjson' } });
    });
    try {
      const { fake } = await renderApp('#/traces');
      const file = new File(['{"resourceSpans":[]}'], 'big trace.json');
      await act(async () => {
        fireEvent.change(screen.getByLabelText('Open a trace file'), { target: { files: [file] } });
      });
      await waitFor(() => expect(sent).toHaveLength(1));
      // A slice of the File (read from disk by the browser as it sends), never its text.
      expect(sent[0]!.body).toBeInstanceOf(Blob);
      expect((sent[0]!.body as Blob).size).toBe(file.size);
      expect(sent[0]!.url).toMatch(
        /\/api\/traces\/import\?token=.*&name=big%20trace\.json&upload=[0-9a-f]{32}&size=20&part=0&last=1$/,
      );
      expect(fake.callsTo('traces:import')).toEqual([]);
      await act(async () => push({ traceIds: [B], spans: 2000, bytes: 1e6, totalBytes: 2e6, done: false }));
      await waitFor(() => expect(window.location.hash).toBe(`#/traces/${B}`));
      await act(async () => {
        push({ traceIds: [B], spans: 2100, bytes: 2e6, totalBytes: 2e6, done: false });
        push({
          error: {
            code: 'BAD_TRACE_FILE',
            message: 'big trace.json: truncated: the file ends inside a span at byte 2000000',
          },
        });
        finish();
      });
      await waitFor(() => expect(screen.getByTestId('error-banner').textContent).toContain('truncated'));
      await waitFor(() => expect(screen.queryByTestId('import-progress')).toBeNull());
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('lists launches per box and compares two launches phase by phase', async () => {
    const slow = launchTrace().map((s) => ({ ...s, traceId: B }));
    const fast = [
      span('ui', undefined, 0, 500, { name: 'box.create', serviceName: 'boxscope-ui' }),
      span('pull', 'ui', 10, 100, { name: 'image.pull' }),
    ];
    const { fake } = await renderApp('#/traces', {
      summaries: [summary(A, 'box-a'), summary(B, 'box-b')],
      traces: { [A]: fast, [B]: slow },
    });
    await screen.findAllByText('box.create');
    const picks = screen.getAllByLabelText('Pick for comparison');
    fireEvent.click(picks[0]);
    fireEvent.click(picks[1]);
    fireEvent.click(screen.getByRole('button', { name: /Compare 2\/2/ }));
    const cmp = await screen.findByTestId('trace-compare');
    await waitFor(() => expect(cmp.textContent).toContain('+450 ms'));
    fireEvent.change(screen.getByLabelText('Box'), { target: { value: '' } });
    expect(fake.callsTo('traces:list')[0]).toEqual({ boxId: undefined, limit: 1000 });
  });

  it("names each row's box and image and narrows the list by text, service, duration and errors", async () => {
    const C = 'c'.repeat(32);
    const box = (boxId: string, name: string, image: string) => ({
      boxId,
      name,
      image,
      state: 'running' as const,
      createdAt: Date.now(),
      daemon: true,
    });
    try {
      await renderApp('#/traces', {
        boxes: [box('box-a', 'web-a', 'ghcr.io/acme/web:1'), box('box-b', 'worker-b', 'ghcr.io/acme/worker:2')],
        summaries: [
          { ...summary(A, 'box-a'), durationMs: 40 },
          { ...summary(B, 'box-b'), errorCount: 2, durationMs: 2500 },
          { ...summary(C, 'box-b'), rootName: 'imported', services: ['checkout'], durationMs: 12_000 },
        ],
      });
      await screen.findByText('ghcr.io/acme/web:1');
      const rows = () => document.querySelectorAll('tr[data-trace-id]').length;
      expect(rows()).toBe(3);
      const bar = screen.getByTestId('trace-filter');
      expect(bar).toBeTruthy();
      fireEvent.change(screen.getByLabelText('Filter traces'), { target: { value: 'worker' } });
      expect(rows()).toBe(2);
      fireEvent.change(screen.getByLabelText('Filter traces'), { target: { value: 'ccccc' } });
      expect(rows()).toBe(1);
      fireEvent.change(screen.getByLabelText('Filter traces'), { target: { value: '' } });
      fireEvent.change(screen.getByLabelText('Service'), { target: { value: 'checkout' } });
      expect(rows()).toBe(1);
      fireEvent.change(screen.getByLabelText('Service'), { target: { value: '' } });
      fireEvent.change(screen.getByLabelText('Duration'), { target: { value: '1000' } });
      expect(rows()).toBe(2);
      fireEvent.click(screen.getByLabelText('With errors'));
      expect(rows()).toBe(1);
      expect(screen.getByText('1 of 3')).toBeTruthy();
      fireEvent.click(screen.getByRole('button', { name: 'Clear' }));
      expect(rows()).toBe(3);
      // A whole trace id opens that trace.
      fireEvent.change(screen.getByLabelText('Filter traces'), { target: { value: C } });
      fireEvent.keyDown(screen.getByLabelText('Filter traces'), { key: 'Enter' });
      await waitFor(() => expect(window.location.hash).toBe(`#/traces/${C}`));
    } finally {
      resetTraceFilter();
    }
  });

  it('shows the pair picked last, even when an earlier pair loads later', async () => {
    const C = 'c'.repeat(32);
    const one = (id: string, pullMs: number) => [
      span(`${id}-ui`, undefined, 0, 1000, { name: 'box.create', serviceName: 'boxscope-ui', traceId: id }),
      span(`${id}-pull`, `${id}-ui`, 10, 10 + pullMs, { name: 'image.pull', traceId: id }),
    ];
    const { fake } = await renderApp('#/traces', {
      summaries: [summary(A, 'box-a'), summary(B, 'box-b'), summary(C, 'box-c')],
      traces: { [A]: one(A, 100), [B]: one(B, 200), [C]: one(C, 700) },
    });
    let release = () => {};
    const gate = new Promise<void>((r) => (release = r));
    fake.handlers['traces:get'] = async ({ traceId }) => {
      if (traceId === B) await gate;
      return fake.data.traces[traceId];
    };
    await screen.findAllByText('box.create');
    const picks = () => screen.getAllByLabelText('Pick for comparison');
    fireEvent.click(picks()[0]);
    fireEvent.click(picks()[1]);
    fireEvent.click(screen.getByRole('button', { name: /Compare 2\/2/ }));
    fireEvent.click(picks()[1]);
    fireEvent.click(picks()[2]);
    fireEvent.click(screen.getByRole('button', { name: /Compare 2\/2/ }));
    const cmp = await screen.findByTestId('trace-compare');
    await waitFor(() => expect(cmp.textContent).toContain('+600 ms'));
    await act(async () => release());
    expect(screen.getByTestId('trace-compare').textContent).toContain('+600 ms');
    expect(screen.getByTestId('trace-compare').textContent).not.toContain('+100 ms');
  });
});

describe('routes', () => {
  it('reads and writes deep links', () => {
    expect(parseHash(`#/traces/${A}`)).toEqual({ page: 'traces', traceId: A });
    expect(parseHash('#/boxes/b1')).toEqual({ page: 'boxes', boxId: 'b1' });
    expect(parseHash('')).toEqual({ page: 'launch' });
    expect(routeHash({ page: 'boxes', boxId: 'b 1' })).toBe('#/boxes/b%201');
    expect(parseHash('#/boxes/%E0%A4%A')).toEqual({ page: 'boxes', boxId: '%E0%A4%A' });
  });

  it('reads and writes a link to one span, ignoring a span id that is not 16 hex digits', () => {
    const S = '00f067aa0ba902b7';
    expect(parseHash(`#/traces/${A}?span=${S}`)).toEqual({ page: 'traces', traceId: A, spanId: S });
    expect(parseHash(`#/traces/${A}?span=${S.toUpperCase()}`)).toEqual({ page: 'traces', traceId: A, spanId: S });
    expect(routeHash({ page: 'traces', traceId: A, spanId: S })).toBe(`#/traces/${A}?span=${S}`);
    expect(parseHash(routeHash({ page: 'traces', traceId: A, spanId: S }))).toEqual({
      page: 'traces',
      traceId: A,
      spanId: S,
    });
    for (const bad of ['xyz', `${S}0`, S.slice(1), '<b>0000000000</b>', ''])
      expect(parseHash(`#/traces/${A}?span=${encodeURIComponent(bad)}`)).toEqual({ page: 'traces', traceId: A });
    expect(parseHash(`#/traces?span=${S}`)).toEqual({ page: 'traces', traceId: undefined });
    expect(routeHash({ page: 'traces', traceId: A, spanId: 'nope' })).toBe(`#/traces/${A}`);
    const electron = { origin: 'null', protocol: 'app:', host: 'boxscope', pathname: '/index.html', search: '' };
    expect(deepLink({ page: 'traces', traceId: A, spanId: S }, electron)).toBe(`boxscope://traces/${A}?span=${S}`);
  });

  it('copies links others can open: the token query in browser mode, boxscope:// in Electron', () => {
    const browser = { origin: 'http://127.0.0.1:5000', protocol: 'http:', host: '127.0.0.1:5000', pathname: '/' };
    expect(deepLink({ page: 'traces', traceId: A }, { ...browser, search: '?token=abc' })).toBe(
      `http://127.0.0.1:5000/?token=abc#/traces/${A}`,
    );
    const electron = { origin: 'null', protocol: 'app:', host: 'boxscope', pathname: '/index.html', search: '' };
    expect(deepLink({ page: 'traces', traceId: A }, electron)).toBe(`boxscope://traces/${A}`);
    expect(deepLink({ page: 'boxes', boxId: 'b1' }, electron)).toBe('boxscope://boxes/b1');
  });
});
