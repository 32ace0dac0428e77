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

describe('Launcher: launch options', () => {
  const type = (testId: string, value: string) => fireEvent.change(screen.getByTestId(testId), { target: { value } });

  it('sends command, mounts, ports and the advanced options as a LaunchSpec', async () => {
    const { fake } = await renderApp('#/launch');
    type('launch-image', 'busybox:1');
    type('launch-command', `sh -c 'echo "hi there"; sleep 1'`);
    type('launch-mounts', '/srv/data:/data:ro\ncache:/cache');
    fireEvent.change(screen.getByLabelText('Network'), { target: { value: 'host' } });
    fireEvent.click(screen.getByText('Advanced'));
    type('launch-entrypoint', "''");
    type('launch-workdir', '/data');
    fireEvent.change(screen.getByLabelText('User'), { target: { value: '1000:1000' } });
    fireEvent.change(screen.getByLabelText('Labels'), { target: { value: 'team=a\ntier=dev' } });
    fireEvent.change(screen.getByLabelText('Restart policy'), { target: { value: 'on-failure' } });
    fireEvent.change(screen.getByLabelText('Maximum restarts'), { target: { value: '3' } });
    await act(async () => {
      await new Promise((r) => setTimeout(r, 350));
    });
    expect((screen.getByTestId('launch-submit') as HTMLButtonElement).disabled).toBe(false);
    await act(async () => {
      fireEvent.click(screen.getByTestId('launch-submit'));
    });
    const [req] = fake.callsTo('boxes:launch');
    expect(req).toMatchObject({
      image: 'busybox:1',
      cmd: ['sh', '-c', 'echo "hi there"; sleep 1'],
      entrypoint: [],
      workdir: '/data',
      user: '1000:1000',
      network: 'host',
      mounts: [
        { type: 'bind', source: '/srv/data', target: '/data', readOnly: true },
        { type: 'volume', source: 'cache', target: '/cache' },
      ],
      labels: { team: 'a', tier: 'dev' },
      restart: 'on-failure',
      restartMaxRetries: 3,
    });
    // The core was asked about the bind's host path, once the typing settled.
    expect(fake.callsTo('boxes:validate').length).toBeGreaterThan(0);
  });

  it('shows the rules’ words under the field at once, and Launch stays disabled', async () => {
    await renderApp('#/launch');
    type('launch-image', 'busybox:1');
    type('launch-mounts', 'data:/data\n/ok:/.boxlite/x');
    const mounts = screen.getByTestId('launch-mounts');
    expect(mounts.getAttribute('aria-invalid')).toBe('true');
    const described = document.getElementById(mounts.getAttribute('aria-describedby')!)!;
    expect(described.textContent).toContain('/.boxlite is where Boxscope mounts its own files: mount elsewhere');
    expect((screen.getByTestId('launch-submit') as HTMLButtonElement).disabled).toBe(true);
    type('launch-ports', '8080:80');
    const ports = screen.getByTestId('launch-ports');
    expect(document.getElementById(ports.getAttribute('aria-describedby')!)!.textContent).toContain(
      'A box on network "none" has no ports to publish',
    );
    type('launch-mounts', '');
    type('launch-ports', '');
    expect(mounts.getAttribute('aria-invalid')).toBe('false');
    expect((screen.getByTestId('launch-submit') as HTMLButtonElement).disabled).toBe(false);
  });

  it('env names are judged in the core’s words', async () => {
    await renderApp('#/launch');
    type('launch-image', 'busybox:1');
    fireEvent.change(screen.getByPlaceholderText(/KEY=value, one per line$/), {
      target: { value: 'OK=1\nBOXLITE_TRACEPARENT=x\n1BAD=y\nnoequals' },
    });
    for (const m of [
      'Line 4: expected KEY=value',
      'BOXLITE_TRACEPARENT is set by Boxscope for every box and cannot be given by the user',
      'Invalid environment variable name "1BAD"',
    ])
      expect(screen.getByText(m)).toBeTruthy();
    expect((screen.getByTestId('launch-submit') as HTMLButtonElement).disabled).toBe(true);
  });

  it('a relative bind path and a bad workdir: problems under their fields; Advanced opens by itself', async () => {
    await renderApp('#/launch');
    type('launch-image', 'busybox:1');
    type('launch-workdir', 'app');
    expect(screen.getByText('Working directory "app" must be absolute (start with /)')).toBeTruthy();
    expect((document.querySelector('details.advanced') as HTMLDetailsElement).open).toBe(true);
    expect((screen.getByTestId('launch-submit') as HTMLButtonElement).disabled).toBe(true);
  });

  it('host paths the core cannot find show under Mounts after the debounce', async () => {
    const { fake } = await renderApp('#/launch');
    fake.handlers['boxes:validate'] = (req) =>
      (req.mounts ?? []).map((m, i) => ({
        field: `mounts.${i}`,
        message: `Host path ${m.source} does not exist on this machine`,
      }));
    type('launch-image', 'busybox:1');
    type('launch-mounts', '/nope/a:/a');
    type('launch-mounts', '/nope/b:/b');
    expect(screen.queryByText(/does not exist/)).toBeNull();
    expect(await screen.findByText('Host path /nope/b does not exist on this machine')).toBeTruthy();
    // Debounced: the first spelling was never sent.
    expect(fake.callsTo('boxes:validate').map((r) => r.mounts?.[0]?.source)).toEqual(['/nope/b']);
    expect((screen.getByTestId('launch-submit') as HTMLButtonElement).disabled).toBe(true);
  });

  it('Run again: #/launch?from=BOX prefills every field from the box’s spec, Advanced open, name left empty', async () => {
    await renderApp('#/launch?from=b1', {
      boxes: [
        {
          boxId: 'b1',
          name: 'api-1',
          image: 'busybox:1',
          state: 'exited',
          createdAt: Date.now(),
          daemon: true,
          containerId: 'c1',
          spec: {
            image: 'busybox:1',
            name: 'api-1',
            cmd: ['sh', '-c', 'echo hi'],
            workdir: '/srv',
            mounts: [{ type: 'bind', source: '/tmp/x', target: '/x', readOnly: true }],
            ports: [{ containerPort: 80, hostPort: 8080 }],
            network: 'host',
            env: { MODE: 'dev' },
            labels: { team: 'a' },
          },
        },
      ],
    });
    await waitFor(() => expect((screen.getByTestId('launch-image') as HTMLInputElement).value).toBe('busybox:1'));
    expect((screen.getByTestId('launch-command') as HTMLInputElement).value).toBe(`sh -c 'echo hi'`);
    expect((screen.getByTestId('launch-workdir') as HTMLInputElement).value).toBe('/srv');
    expect((screen.getByTestId('launch-mounts') as HTMLTextAreaElement).value).toBe('/tmp/x:/x:ro');
    expect((screen.getByTestId('launch-ports') as HTMLTextAreaElement).value).toBe('8080:80');
    expect((screen.getByLabelText('Labels') as HTMLTextAreaElement).value).toBe('team=a');
    expect((screen.getByPlaceholderText(/KEY=value, one per line$/) as HTMLTextAreaElement).value).toBe('MODE=dev');
    expect((screen.getByLabelText('Name') as HTMLInputElement).value).toBe('');
    expect((document.querySelector('details.advanced') as HTMLDetailsElement).open).toBe(true);
    expect(screen.getByTestId('launch-prefilled').textContent).toContain('api-1');
  });
});
