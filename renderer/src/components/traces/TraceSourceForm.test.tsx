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
