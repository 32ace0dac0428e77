import { describe, expect, it } from 'vitest';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { renderApp } from '../../../test/render-app.js';
import { launchTrace } from '../../../test/spans.js';

const C = 'c'.repeat(32);

describe('Opening a trace from a trace source', () => {
  it('copies it through the core, opens it, and remembers the source', async () => {
    localStorage.removeItem('boxscope.traceSource');
    const { fake } = await renderApp('#/traces', { traces: { [C]: launchTrace() } });
    const open = screen.getByRole('button', { name: 'Open' }) as HTMLButtonElement;
    expect(open.disabled).toBe(true);
    fireEvent.change(screen.getByLabelText('Trace source URL'), { target: { value: 'http://127.0.0.1:16686' } });
    fireEvent.change(screen.getByLabelText('Trace id'), { target: { value: C.toUpperCase() } });
    expect(open.disabled).toBe(false);
    fireEvent.click(open);
    await waitFor(() => expect(fake.callsTo('traces:fetch')).toEqual([{ traceId: C, from: 'http://127.0.0.1:16686' }]));
    await waitFor(() => expect(window.location.hash).toBe(`#/traces/${C}`));
    expect(localStorage.getItem('boxscope.traceSource')).toBe('http://127.0.0.1:16686');
  });

  it('says why when the source does not have it', async () => {
    const { fake } = await renderApp('#/traces');
    fireEvent.change(screen.getByLabelText('Trace source URL'), { target: { value: 'http://127.0.0.1:16686' } });
    fireEvent.change(screen.getByLabelText('Trace id'), { target: { value: 'd'.repeat(32) } });
    fireEvent.click(screen.getByRole('button', { name: 'Open' }));
    await waitFor(() => expect(fake.callsTo('traces:fetch')).toHaveLength(1));
    expect(await screen.findByText(/is not there/)).toBeTruthy();
  });
});

describe('Saved trace sources', () => {
  it('are kept in Settings, picked on the Traces page, and "any" asks the core without a source', async () => {
    const { fake } = await renderApp('#/settings', { traces: { [C]: launchTrace() } });
    const settings = await screen.findByTestId('trace-source-settings');
    expect(settings.textContent).toContain('No trace sources');
    for (const [name, url] of [
      ['cloud', 'https://jaeger.cloud.example'],
      ['staging', 'https://jaeger.staging.example'],
    ]) {
      fireEvent.change(screen.getByLabelText('Source name'), { target: { value: name } });
      fireEvent.change(screen.getByLabelText('Source query URL'), { target: { value: url } });
      fireEvent.click(screen.getByRole('button', { name: 'Save source' }));
      await screen.findByText(url);
    }
    expect(fake.callsTo('sources:save')).toEqual([
      { name: 'cloud', url: 'https://jaeger.cloud.example' },
      { name: 'staging', url: 'https://jaeger.staging.example' },
    ]);

    window.location.hash = '#/traces';
    const picker = (await screen.findByLabelText('Trace source')) as HTMLSelectElement;
    await waitFor(() => expect(picker.value).toBe('*any'));
    expect(screen.queryByLabelText('Trace source URL')).toBeNull();
    fireEvent.change(screen.getByLabelText('Trace id'), { target: { value: C } });
    fireEvent.click(screen.getByRole('button', { name: 'Open' }));
    await waitFor(() => expect(fake.callsTo('traces:fetch')).toEqual([{ traceId: C }]));
    await waitFor(() => expect(window.location.hash).toBe(`#/traces/${C}`));

    window.location.hash = '#/traces';
    const again = (await screen.findByLabelText('Trace source')) as HTMLSelectElement;
    fireEvent.change(again, { target: { value: 'staging' } });
    fireEvent.change(screen.getByLabelText('Trace id'), { target: { value: C } });
    fireEvent.click(screen.getByRole('button', { name: 'Open' }));
    await waitFor(() => expect(fake.callsTo('traces:fetch')).toHaveLength(2));
    expect(fake.callsTo('traces:fetch')[1]).toEqual({ traceId: C, from: 'staging' });

    window.location.hash = '#/traces';
    fireEvent.change(await screen.findByLabelText('Trace source'), { target: { value: '*url' } });
    expect(screen.getByLabelText('Trace source URL')).toBeTruthy();
  });

  it('removing one in Settings takes it off the list', async () => {
    const { fake } = await renderApp('#/settings', {
      sources: [{ name: 'cloud', url: 'https://jaeger.cloud.example' }],
    });
    fireEvent.click(await screen.findByRole('button', { name: 'Remove cloud' }));
    await waitFor(() => expect(fake.callsTo('sources:remove')).toEqual([{ name: 'cloud' }]));
    expect(await screen.findByText('No trace sources')).toBeTruthy();
  });
});
