import { describe, expect, it, vi } from 'vitest';
import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import { BoxscopeError } from '../../../../shared/errors.js';
import { renderApp } from '../../../test/render-app.js';
import { parseEnv } from './Launcher.js';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;

describe('Launcher', () => {
  it('shows which credential covers the image: source and username only', async () => {
    const { fake } = await renderApp('#/launch', {
      creds: [
        {
          key: 'ghcr.io',
          registry: 'ghcr.io',
          source: 'env',
          sourceDetail: 'GHCR_USERNAME/GHCR_TOKEN',
          username: 'octocat',
          readOnly: true,
        },
      ],
    });
    fireEvent.change(screen.getByTestId('launch-image'), { target: { value: 'ghcr.io/acme/api:1' } });
    const hint = await screen.findByTestId('credential-hint', {}, { timeout: 2000 });
    expect(hint.textContent).toContain('octocat');
    expect(hint.textContent).toContain('GHCR_USERNAME/GHCR_TOKEN');
    expect(fake.callsTo('registries:forImage')).toContainEqual({ image: 'ghcr.io/acme/api:1' });
  });

  it('starts box.create, passes its traceparent with a request id, and records the UI span', async () => {
    const { fake } = await renderApp('#/launch');
    fireEvent.change(screen.getByTestId('launch-image'), { target: { value: 'ghcr.io/acme/api:1' } });
    fireEvent.change(screen.getByPlaceholderText(/KEY=value/), { target: { value: 'MODE=dev\n# comment\nPORT=8080' } });
    await act(async () => {
      fireEvent.click(screen.getByTestId('launch-submit'));
    });
    await waitFor(() => expect(fake.callsTo('traces:recordUi')).toHaveLength(1));
    const [req] = fake.callsTo('boxes:launch');
    expect(req.image).toBe('ghcr.io/acme/api:1');
    expect(req.env).toEqual({ MODE: 'dev', PORT: '8080' });
    expect(req.requestId).toMatch(/.{8,}/);
    const tp = TRACEPARENT.exec(req.traceparent ?? '');
    expect(tp).not.toBeNull();
    const otlp = JSON.parse(fake.callsTo('traces:recordUi')[0].otlpJson);
    const rs = otlp.resourceSpans[0];
    expect(JSON.stringify(rs.resource.attributes)).toContain('boxscope-ui');
    const span = rs.scopeSpans[0].spans[0];
    expect(span.name).toBe('box.create');
    expect(span.traceId).toBe(tp![1]);
    expect(span.spanId).toBe(tp![2]);
    expect(JSON.stringify(span.attributes)).toContain('boxlite.box.id');
    await waitFor(() => expect(window.location.hash).toBe('#/boxes/box-1'));
  });

  it('shows a failed launch in words and ends the span with an error', async () => {
    const { fake } = await renderApp('#/launch');
    fake.handlers['boxes:launch'] = () => {
      throw new BoxscopeError(
        'REGISTRY_UNAUTHORIZED',
        'ghcr.io refused the credential from GHCR_USERNAME/GHCR_TOKEN (401)',
        { boxId: 'box-9' },
      );
    };
    fireEvent.change(screen.getByTestId('launch-image'), { target: { value: 'ghcr.io/acme/private:1' } });
    await act(async () => {
      fireEvent.click(screen.getByTestId('launch-submit'));
    });
    const banner = await screen.findByTestId('error-banner');
    expect(banner.textContent).toContain('refused the credential');
    await waitFor(() => expect(fake.callsTo('traces:recordUi')).toHaveLength(1));
    const span = JSON.parse(fake.callsTo('traces:recordUi')[0].otlpJson).resourceSpans[0].scopeSpans[0].spans[0];
    expect(span.status.code).toBe(2);
    expect(span.events.map((e: { name: string }) => e.name)).toContain('exception');
    const attrs = Object.fromEntries(
      span.attributes.map((a: { key: string; value: { stringValue?: string } }) => [a.key, a.value.stringValue]),
    );
    expect(attrs['error.type']).toBe('REGISTRY_UNAUTHORIZED');
    expect(attrs['boxlite.box.id']).toBe('box-9');
  });

  it('refuses env names the runner owns', () => {
    expect(parseEnv('BOXLITE_TRACEPARENT=x').problem).toMatch(/set by Boxscope/);
    expect(parseEnv('1BAD=x').problem).toMatch(/not a valid/);
    expect(parseEnv('A=b=c').env).toEqual({ A: 'b=c' });
  });

  it('says when no engine is found, and notices when one starts', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      const { fake } = await renderApp('#/boxes', {
        engine: { reachable: false, endpoint: 'unix:///var/run/docker.sock' },
      });
      expect(screen.getByText('No Docker engine found')).toBeTruthy();
      fake.data.engine = { reachable: true, endpoint: 'unix:///var/run/docker.sock', version: '20.10' };
      fake.data.boxes = [
        { boxId: 'b1', name: 'api', image: 'x', state: 'running', createdAt: Date.now(), daemon: true },
      ];
      await act(async () => {
        await vi.advanceTimersByTimeAsync(5100);
      });
      await waitFor(() => expect(screen.getByTestId('box-row').getAttribute('data-box-id')).toBe('b1'));
      expect(screen.queryByText('No Docker engine found')).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });
});
