import { describe, expect, it } from 'vitest';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { renderApp } from '../../../test/render-app.js';

describe('Engine settings', () => {
  it('shows the engine in use and switches context, reloading the boxes', async () => {
    const { fake } = await renderApp('#/settings', {
      engine: {
        reachable: true,
        endpoint: 'context ci-tls at tcp://127.0.0.1:2376',
        context: 'ci-tls',
        version: '26.1',
      },
      contexts: {
        current: 'ci-tls',
        source: 'DOCKER_CONTEXT',
        contexts: [
          { name: 'ci-tls', host: 'tcp://127.0.0.1:2376', description: 'CI' },
          { name: 'default', host: 'unix:///var/run/docker.sock' },
        ],
      },
    });
    const root = await screen.findByTestId('engine-settings');
    expect(root.textContent).toContain('context ci-tls at tcp://127.0.0.1:2376');
    const select = (await screen.findByLabelText('Docker context')) as HTMLSelectElement;
    await waitFor(() => expect(select.value).toBe('ci-tls'));
    expect(root.textContent).toContain('from DOCKER_CONTEXT');
    const listsBefore = fake.callsTo('boxes:list').length;
    fireEvent.change(select, { target: { value: 'default' } });
    await waitFor(() => expect(fake.callsTo('engine:use')).toEqual([{ context: 'default' }]));
    await waitFor(() => expect(fake.callsTo('boxes:list').length).toBeGreaterThan(listsBefore));
  });
});
