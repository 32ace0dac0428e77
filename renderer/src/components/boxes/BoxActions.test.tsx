import { describe, expect, it } from 'vitest';
import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import type { Box, TraceSummary } from '../../../../shared/models.js';
import { renderApp } from '../../../test/render-app.js';

const LAUNCH = 'a'.repeat(32);
const START = 'b'.repeat(32);
const box = (over: Partial<Box> = {}): Box => ({
  boxId: 'b1',
  name: 'api-dev',
  image: 'ghcr.io/acme/api:1',
  state: 'running',
  containerId: 'c'.repeat(64),
  traceId: LAUNCH,
  createdAt: Date.now() - 60_000,
  daemon: true,
  ...over,
});
const summary = (traceId: string, rootName: string, startMs: number): TraceSummary => ({
  traceId,
  rootName,
  boxId: 'b1',
  spanCount: 7,
  errorCount: 0,
  startMs,
  durationMs: 300,
  services: ['boxscope-runner'],
});
const has = (id: string) => screen.queryByTestId(id) !== null;

describe('box actions', () => {
  it('offers restart and stop for a running box, start for a stopped one, none for one without a container', async () => {
    const { fake } = await renderApp('#/boxes', { boxes: [box()] });
    expect([has('box-start'), has('box-restart'), has('box-stop'), has('box-remove')]).toEqual([
      false,
      true,
      true,
      true,
    ]);
    fireEvent.click(screen.getByTestId('box-restart'));
    await waitFor(() => expect(fake.callsTo('boxes:restart')).toEqual([{ boxId: 'b1' }]));
    act(() => fake.emit('boxes:changed', box({ state: 'stopped' })));
    expect([has('box-start'), has('box-restart'), has('box-stop')]).toEqual([true, false, false]);
    fireEvent.click(screen.getByTestId('box-start'));
    await waitFor(() => expect(fake.callsTo('boxes:start')).toEqual([{ boxId: 'b1' }]));
    act(() => fake.emit('boxes:changed', box({ state: 'failed', containerId: undefined, reason: 'pull failed' })));
    expect([has('box-start'), has('box-remove')]).toEqual([false, true]);
    act(() => fake.emit('boxes:changed', box({ state: 'failed', reason: 'Start failed: no such file' })));
    expect(has('box-start')).toBe(true);
    act(() => fake.emit('boxes:changed', box({ state: 'removed-outside' })));
    expect([has('box-start'), has('box-stop'), has('box-remove')]).toEqual([false, false, true]);
  });

  it('asks before a remove: Escape keeps the box, Enter removes it', async () => {
    const { fake } = await renderApp('#/boxes', { boxes: [box()] });
    fireEvent.click(screen.getByTestId('box-remove'));
    const dialog = screen.getByTestId('box-remove-confirm');
    expect(dialog.getAttribute('role')).toBe('alertdialog');
    expect(dialog.textContent).toContain('Remove api-dev?');
    expect(document.activeElement?.textContent).toBe('Remove box');
    fireEvent.keyDown(document.activeElement!, { key: 'Escape' });
    expect(has('box-remove-confirm')).toBe(false);
    expect(fake.callsTo('boxes:remove')).toEqual([]);

    fireEvent.click(screen.getByTestId('box-remove'));
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(has('box-remove-confirm')).toBe(false);

    fireEvent.click(screen.getByTestId('box-remove'));
    fireEvent.keyDown(document.activeElement!, { key: 'Enter' });
    await waitFor(() => expect(fake.callsTo('boxes:remove')).toEqual([{ boxId: 'b1' }]));
  });
});

describe('box page', () => {
  it('says an exit at once in words with its last output, and lists the launch and start traces', async () => {
    const reason = 'Box api-dev exited at once with code 3; last output: about to fail | bad config <b>x</b>';
    await renderApp('#/boxes/b1', {
      boxes: [box({ state: 'exited', exitCode: 3, reason, lastTraceId: START, restartCount: 1 })],
      summaries: [summary(LAUNCH, 'box.create', Date.now() - 60_000), summary(START, 'box.start', Date.now() - 1000)],
    });
    const notice = screen.getByRole('status');
    expect(notice.textContent).toContain('Exited at once with code 3; last output:');
    expect(notice.querySelector('pre')?.textContent).toBe('about to fail\nbad config <b>x</b>');
    expect(notice.querySelector('b')).toBeNull();
    expect(has('box-start')).toBe(true);
    await waitFor(() => expect(screen.getByRole('navigation', { name: 'Traces of this box' })).toBeTruthy());
    const links = screen.getByRole('navigation', { name: 'Traces of this box' }).querySelectorAll('a');
    expect([...links].map((a) => [a.textContent, a.getAttribute('href')])).toEqual([
      ['Start', `#/traces/${START}`],
      ['Launch', `#/traces/${LAUNCH}`],
    ]);
    expect(screen.getByRole('tab', { selected: true }).textContent).toBe('Latest trace');
  });

  it('explains a box removed outside Boxscope and one killed outside', async () => {
    const { fake } = await renderApp('#/boxes/b1', {
      boxes: [box({ state: 'removed-outside', reason: 'removed outside Boxscope' })],
    });
    expect(screen.getByRole('status').textContent).toMatch(/Removed outside Boxscope\..*docker rm -f.*traces are kept/);
    expect(has('box-remove')).toBe(true);
    act(() =>
      fake.emit(
        'boxes:changed',
        box({ state: 'exited', exitCode: 137, killedOutside: true, reason: 'killed outside Boxscope (SIGKILL)' }),
      ),
    );
    expect(screen.getByRole('status').textContent).toMatch(/Killed outside Boxscope \(SIGKILL, exit code 137\)/);
    expect(has('box-start')).toBe(true);
  });
});
