import { describe, expect, it } from 'vitest';
import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import type { Box, PullProgress } from '../../../../shared/models.js';
import { notifyReconnect } from '../../api/client.js';
import { launchBox } from '../../state/launch.js';
import { useApp } from '../../state/app-store.js';
import { renderApp } from '../../../test/render-app.js';

const box = (over: Partial<Box> = {}): Box => ({
  boxId: 'b1',
  name: 'api-dev',
  image: 'ghcr.io/acme/api:1',
  state: 'pulling',
  createdAt: Date.now(),
  daemon: true,
  ...over,
});

describe('Boxes', () => {
  it('lists boxes and follows their live state', async () => {
    const { fake } = await renderApp('#/boxes', { boxes: [box()] });
    const row = screen.getByTestId('box-row');
    expect(row.getAttribute('data-box-id')).toBe('b1');
    expect(row.getAttribute('data-state')).toBe('pulling');
    act(() => fake.emit('boxes:changed', box({ state: 'running' })));
    expect(screen.getByTestId('box-row').getAttribute('data-state')).toBe('running');
    act(() => fake.emit('boxes:changed', box({ boxId: 'b2', name: 'second', state: 'creating' })));
    expect(screen.getAllByTestId('box-row')).toHaveLength(2);
    act(() => fake.emit('boxes:changed', box({ boxId: 'b2', state: 'removed' })));
    expect(screen.getAllByTestId('box-row')).toHaveLength(1);
  });

  it('offers a terminal, inspect and stats only while the box has a container', async () => {
    await renderApp('#/boxes/b1', { boxes: [box({ state: 'running', containerId: 'c'.repeat(64) })] });
    const tabs = () => screen.getAllByRole('tab').map((t) => t.textContent);
    expect(tabs()).toEqual(['Launch trace', 'Logs', 'Terminal', 'Inspect', 'Stats']);
    act(() =>
      useApp
        .getState()
        .upsertBox(box({ state: 'removed-outside', containerId: 'c'.repeat(64), traceId: 'a'.repeat(32) })),
    );
    expect(tabs()).toEqual(['Launch trace', 'Logs']);
    expect(screen.getByTestId('box-row').getAttribute('data-state')).toBe('removed-outside');
  });

  it('reads the list again after a dropped connection comes back', async () => {
    const { fake } = await renderApp('#/boxes', { boxes: [box({ state: 'running' })] });
    // While the connection was down b1 stopped and b2 appeared; no event reached the page.
    fake.data.boxes = [box({ state: 'stopped' }), box({ boxId: 'b2', name: 'second', state: 'running' })];
    await act(async () => notifyReconnect());
    await waitFor(() => expect(screen.getAllByTestId('box-row')).toHaveLength(2));
    const states = screen.getAllByTestId('box-row').map((r) => r.getAttribute('data-state'));
    expect(states.sort()).toEqual(['running', 'stopped']);
  });

  it('filters the list by name, image or state', async () => {
    await renderApp('#/boxes', {
      boxes: [box(), box({ boxId: 'b2', name: 'worker', image: 'ghcr.io/acme/worker:2', state: 'running' })],
    });
    fireEvent.change(screen.getByLabelText('Filter boxes'), { target: { value: 'running' } });
    expect(screen.getAllByTestId('box-row').map((r) => r.getAttribute('data-box-id'))).toEqual(['b2']);
    fireEvent.change(screen.getByLabelText('Filter boxes'), { target: { value: 'nothing-like-this' } });
    expect(screen.getByText('No box matches')).toBeTruthy();
  });

  it('shows pull progress per layer, and Cancel aborts the launch call this page made', async () => {
    const { fake } = await renderApp('#/boxes', { boxes: [box()] });
    // A launch under way: its call stays open until its signal aborts.
    fake.handlers['boxes:launch'] = (_req, { signal }) =>
      new Promise((_resolve, reject) => signal?.addEventListener('abort', () => reject(new Error('cancelled'))));
    const launched = launchBox({ image: 'ghcr.io/acme/api:1' }).catch(() => 'cancelled');
    await waitFor(() => expect(fake.callsTo('boxes:launch')).toHaveLength(1));
    const requestId = fake.callsTo('boxes:launch')[0]!.requestId!;
    const progress: PullProgress = {
      requestId,
      boxId: 'b1',
      image: 'ghcr.io/acme/api:1',
      layers: [
        { id: 'sha256:aaaaaaaaaaaaaaaa', status: 'Downloading', current: 512, total: 1024, done: false },
        { id: 'sha256:bbbbbbbbbbbbbbbb', status: 'Pull complete', current: 2048, total: 2048, done: true },
      ],
      layersDone: 1,
      layersTotal: 2,
      bytesCurrent: 2560,
      bytesTotal: 3072,
      done: false,
    };
    act(() => fake.emit('pull:progress', progress));
    const bar = screen.getByTestId('pull-progress');
    expect(bar.getAttribute('aria-valuenow')).toBe('83');
    expect(bar.textContent).toContain('1/2 layers');
    expect(bar.querySelectorAll('.layers li')).toHaveLength(2);
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    });
    expect(fake.calls.find((c) => c.channel === 'boxes:launch')!.signal!.aborted).toBe(true);
    expect(await launched).toBe('cancelled');
    // A pull this page did not start (another page's, the CLI's) has no Cancel here.
    act(() => fake.emit('pull:progress', { ...progress, requestId: 'someone-else' }));
    expect(screen.queryByRole('button', { name: 'Cancel' })).toBeNull();
  });

  it('explains a failed box and a failed stop in words', async () => {
    const { fake } = await renderApp('#/boxes', {
      boxes: [
        box({ state: 'failed', reason: 'ghcr.io refused the credential (401)' }),
        box({ boxId: 'b3', name: 'web', state: 'running' }),
      ],
    });
    expect(screen.getByText('ghcr.io refused the credential (401)')).toBeTruthy();
    fake.handlers['boxes:stop'] = () => {
      throw Object.assign(new Error('x'), {
        code: 'BOX_NOT_FOUND',
        message: 'No box b3: it was removed outside Boxscope',
      });
    };
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Stop' }));
    });
    expect((await screen.findByTestId('error-banner')).textContent).toContain('removed outside Boxscope');
  });

  it('follows logs of a box and searches them', async () => {
    const { fake } = await renderApp('#/boxes/b1', {
      boxes: [box({ state: 'running', traceId: undefined })],
      logs: { b1: 'hello\nworld\n' },
    });
    fireEvent.click(screen.getByRole('tab', { name: 'Logs' }));
    await screen.findByText('world');
    await waitFor(() =>
      expect(fake.listens.filter((l) => l.stream === 'logs:follow')).toEqual([
        { stream: 'logs:follow', arg: { boxId: 'b1', tail: 1000, timestamps: true } },
      ]),
    );
    act(() =>
      fake.emit('logs:follow', {
        boxId: 'b1',
        stream: 'stderr',
        text: 'boom happened\n',
        time: '2026-12-02T06:00:01.250Z',
      }),
    );
    const line = screen.getByText('boom happened').closest('.log-line')!;
    expect(line.getAttribute('data-stream')).toBe('stderr');
    expect(line.textContent).toContain('err');
    expect(line.querySelector('.log-time')?.getAttribute('title')).toBe('2026-12-02T06:00:01.250Z');
    fireEvent.change(screen.getByLabelText('Search logs'), { target: { value: 'boom' } });
    expect(screen.getByText('1 matching lines')).toBeTruthy();
    // The search outlives the tab: leave Logs and come back.
    const tabs = screen.getAllByRole('tab');
    const other = tabs.find((t) => t.textContent !== 'Logs');
    if (other) {
      fireEvent.click(other);
      fireEvent.click(screen.getByRole('tab', { name: 'Logs' }));
      expect((screen.getByLabelText('Search logs') as HTMLInputElement).value).toBe('boom');
    }
  });
});
