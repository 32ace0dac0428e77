import { describe, expect, it } from 'vitest';
import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import { SECRET_MASK } from '../../../../shared/constants.js';
import type { Box, BoxInspect } from '../../../../shared/models.js';
import { renderApp } from '../../../test/render-app.js';
import { shellWords } from './InspectView.js';
import { sparkPoints } from './StatsChart.js';
import { currentStats, formatBytes, KEEP, pushStats, useStats } from './stats-store.js';

const box = (over: Partial<Box> = {}): Box => ({
  boxId: 'b1',
  name: 'api-dev',
  image: 'ghcr.io/acme/api:1',
  state: 'running',
  containerId: 'c'.repeat(64),
  traceId: 'a'.repeat(32),
  createdAt: Date.now(),
  daemon: true,
  ...over,
});

const TP = `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`;

describe('inside a box', () => {
  it('inspect marks reserved env, masks the secret and links the traceparent to its span', async () => {
    const { fake } = await renderApp('#/boxes/b1', { boxes: [box()] });
    fake.handlers['boxes:inspect'] = (): BoxInspect => ({
      boxId: 'b1',
      containerId: 'c'.repeat(64),
      name: 'api-dev',
      image: 'ghcr.io/acme/api:1',
      entrypoint: ['/.boxlite/boxlite-daemon', '--', 'sh', '-c', "echo 'hi'; sleep 1"],
      cmd: [],
      env: [
        { name: 'GREETING', value: 'hello', reserved: false },
        { name: 'BOXLITE_TRACEPARENT', value: TP, reserved: true },
        { name: 'OTEL_EXPORTER_OTLP_HEADERS', value: SECRET_MASK, reserved: true, secret: true },
      ],
      mounts: [{ type: 'bind', source: '/x/run', target: '/.boxlite/run', readOnly: true, boxscope: true }],
      labels: { 'boxlite.box.id': 'b1' },
      network: 'none',
      ports: [{ containerPort: 80, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 8080 }],
      restartPolicy: 'on-failure',
      restartCount: 2,
      state: 'running',
      traceparent: TP,
      traceparentSpan: { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16) },
    });
    fireEvent.click(screen.getByRole('tab', { name: 'Inspect' }));
    const view = await screen.findByTestId('box-inspect');
    await waitFor(() => expect(view.textContent).toContain('GREETING'));
    const row = (name: string) => [...view.querySelectorAll('tr')].find((r) => r.textContent!.includes(name))!;
    expect(row('BOXLITE_TRACEPARENT').textContent).toContain('set by Boxscope');
    expect(row('GREETING').textContent).not.toContain('set by Boxscope');
    expect(row('OTEL_EXPORTER_OTLP_HEADERS').textContent).toContain(SECRET_MASK);
    expect(view.textContent).toContain("sh -c 'echo '\\''hi'\\''; sleep 1'");
    expect(view.textContent).toContain('127.0.0.1:8080 → 80/tcp');
    expect(view.textContent).toContain("Boxscope's own");
    const link = screen.getByRole('link', { name: 'b'.repeat(16) });
    expect(link.getAttribute('href')).toBe(`#/traces/${'a'.repeat(32)}?span=${'b'.repeat(16)}`);
  });

  it('shows the terminal, inspect and stats tabs only where they mean something', async () => {
    const { fake } = await renderApp('#/boxes/b1', { boxes: [box({ state: 'exited', exitCode: 0 })] });
    expect(screen.getByRole('tab', { name: 'Terminal' })).toBeTruthy();
    fireEvent.click(screen.getByRole('tab', { name: 'Terminal' }));
    expect(screen.getByText('The box is not running')).toBeTruthy();
    expect(fake.listens.filter((l) => l.stream === 'boxes:exec')).toHaveLength(0);
    act(() => fake.emit('boxes:changed', box({ boxId: 'b1', containerId: undefined, state: 'failed' })));
    expect(screen.queryByRole('tab', { name: 'Terminal' })).toBeNull();
    expect(screen.getByRole('tab', { name: 'Logs' })).toBeTruthy();
  });

  it('keeps a bounded window of stats per box and shows the current one in the list', async () => {
    const { fake } = await renderApp('#/boxes', { boxes: [box()] });
    await waitFor(() => expect(fake.listens.filter((l) => l.stream === 'boxes:stats')).toHaveLength(1));
    act(() =>
      fake.emit('boxes:stats', {
        boxId: 'b1',
        at: Date.now(),
        cpuPercent: 42.4,
        memBytes: 3 * 1024 ** 2,
        memLimitBytes: 1e9,
      }),
    );
    await waitFor(() => expect(screen.getByTestId('box-row').textContent).toContain('42%'));
    expect(screen.getByTestId('box-row').textContent).toContain('3.0 MiB');
    for (let i = 0; i < KEEP + 10; i++) pushStats({ boxId: 'b9', at: i, cpuPercent: i, memBytes: 1, memLimitBytes: 2 });
    expect(useStats.getState().byBox.b9).toHaveLength(KEEP);
    expect(useStats.getState().byBox.b9!.at(-1)!.cpuPercent).toBe(KEEP + 9);
    expect(currentStats(useStats.getState().byBox.b9, 10_000)).toBeUndefined();
  });

  it('formats and scales defensively', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(5 * 1024 ** 3)).toBe('5.0 GiB');
    expect(sparkPoints([], 100)).toBe('');
    expect(sparkPoints([1, 2], 0)).toBe('');
    const pts = sparkPoints([0, 50, 500, -3], 100)
      .split(' ')
      .map((p) => p.split(',').map(Number));
    expect(pts).toHaveLength(4);
    for (const [x, y] of pts) {
      expect(x).toBeGreaterThanOrEqual(0);
      expect(y).toBeGreaterThanOrEqual(0);
      expect(y).toBeLessThanOrEqual(48);
    }
    expect(shellWords(['a b', "it's", 'plain'])).toBe("'a b' 'it'\\''s' plain");
  });
});
