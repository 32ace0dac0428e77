import { describe, expect, it } from 'vitest';
import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import type { Box } from '../../../../shared/models.js';
import { renderApp } from '../../../test/render-app.js';
import { parseHash, routeHash } from '../../state/route.js';

const failed: Box = {
  boxId: 'b9',
  name: 'api-9',
  image: 'busybox:1',
  state: 'failed',
  reason: 'Image busybox:1 is not present locally and the pull policy is "never"',
  createdAt: Date.now(),
  daemon: true,
  spec: { image: 'busybox:1', name: 'api-9', pull: 'never', cmd: ['sh', '-c', 'echo hi'], network: 'none' },
};

describe('Run again and Retry', () => {
  it('Retry relaunches a failed launch’s spec in one click and opens the new box', async () => {
    const { fake } = await renderApp('#/boxes/b9', { boxes: [failed] });
    await act(async () => {
      fireEvent.click(await screen.findByRole('button', { name: 'Retry' }));
    });
    const [req] = fake.callsTo('boxes:launch');
    expect(req).toMatchObject(failed.spec!);
    expect(req.traceparent).toMatch(/^00-/);
    await waitFor(() => expect(window.location.hash).toBe('#/boxes/box-2'));
  });

  it('Run again (on the box page) links to the launch form prefilled from the box; a running box has no Retry', async () => {
    await renderApp('#/boxes/b7', { boxes: [{ ...failed, boxId: 'b7', state: 'running', containerId: 'c7' }] });
    const link = await screen.findByRole('link', { name: 'Run again' });
    expect(link.getAttribute('href')).toBe('#/launch?from=b7');
    expect(screen.queryByRole('button', { name: 'Retry' })).toBeNull();
  });

  it('the list’s rows carry Retry for a failed launch, Run again only on the box page', async () => {
    await renderApp('#/boxes', { boxes: [failed] });
    expect(await screen.findByRole('button', { name: 'Retry' })).toBeTruthy();
    expect(screen.queryByRole('link', { name: 'Run again' })).toBeNull();
  });

  it('the route: #/launch?from=BOX both ways', () => {
    expect(parseHash('#/launch?from=bx-1')).toEqual({ page: 'launch', from: 'bx-1' });
    expect(parseHash('#/launch')).toEqual({ page: 'launch' });
    expect(routeHash({ page: 'launch', from: 'bx 1' })).toBe('#/launch?from=bx%201');
  });
});
