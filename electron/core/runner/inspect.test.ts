import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { SECRET_MASK } from '../../../shared/constants.js';
import type { Box } from '../../../shared/models.js';
import { toBoxInspect } from './inspect.js';

const box: Box = { boxId: 'bx-1', name: 'web', image: 'nginx:1', state: 'running', createdAt: 0, daemon: false };
const TP = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

const info = (over: Record<string, unknown> = {}) =>
  ({
    Id: 'c'.repeat(64),
    Name: '/web',
    RestartCount: 3,
    Config: {
      Image: 'docker.io/library/nginx:1',
      Env: [
        'PLAIN=a=b',
        `BOXLITE_TRACEPARENT=${TP}`,
        'OTEL_EXPORTER_OTLP_HEADERS=box-auth-token=0123456789abcdef',
        'NOVALUE',
      ],
      Cmd: ['nginx', '-g', 'daemon off;'],
      Entrypoint: null,
      Labels: { app: 'web' },
      WorkingDir: '/srv',
      User: '101:101',
    },
    HostConfig: {
      NetworkMode: 'bridge',
      RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 5 },
      PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }], '53/udp': [{ HostIp: '', HostPort: '' }] },
    },
    NetworkSettings: { Ports: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }] }, Networks: { bridge: {} } },
    Mounts: [
      { Type: 'bind', Source: '/home/u/run', Destination: '/.boxlite/run', RW: false },
      { Type: 'volume', Name: 'data', Source: '/var/lib/docker/volumes/data/_data', Destination: '/data', RW: true },
    ],
    State: {
      Status: 'exited',
      Running: false,
      ExitCode: 2,
      StartedAt: '2026-01-01T00:00:00Z',
      FinishedAt: '0001-01-01T00:00:00Z',
    },
    ...over,
  }) as unknown as Docker.ContainerInspectInfo;

describe('inspect', () => {
  it('reads the engine view: env flags and mask, ports once, mounts, restart, state, the traceparent span', () => {
    const i = toBoxInspect(box, info());
    expect(JSON.stringify(i)).not.toContain('0123456789abcdef');
    expect(i.env).toEqual([
      { name: 'PLAIN', value: 'a=b', reserved: false },
      { name: 'BOXLITE_TRACEPARENT', value: TP, reserved: true },
      { name: 'OTEL_EXPORTER_OTLP_HEADERS', value: SECRET_MASK, reserved: true, secret: true },
      { name: 'NOVALUE', value: '', reserved: false },
    ]);
    expect(i.traceparentSpan).toEqual({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331' });
    expect(i.ports).toEqual([
      { containerPort: 80, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 8080 },
      { containerPort: 53, protocol: 'udp' },
    ]);
    expect(i.mounts).toEqual([
      { type: 'bind', source: '/home/u/run', target: '/.boxlite/run', readOnly: true, boxscope: true },
      { type: 'volume', source: 'data', target: '/data', readOnly: false, boxscope: false },
    ]);
    expect(i).toMatchObject({
      name: 'web',
      image: 'nginx:1',
      entrypoint: [],
      cmd: ['nginx', '-g', 'daemon off;'],
      workdir: '/srv',
      user: '101:101',
      network: 'bridge',
      restartPolicy: 'on-failure',
      restartCount: 3,
      state: 'exited',
      exitCode: 2,
      startedAt: '2026-01-01T00:00:00Z',
    });
    expect(i.finishedAt).toBeUndefined();
  });

  it('keeps to safe values when the engine answers oddly', () => {
    const i = toBoxInspect(
      box,
      info({
        RestartCount: -1,
        HostConfig: { RestartPolicy: { Name: 'sometimes' } },
        NetworkSettings: { Ports: { 'abc/tcp': null } },
        Config: { Env: [`BOXLITE_TRACEPARENT=not-a-traceparent`] },
        Mounts: undefined,
        State: undefined,
      }),
    );
    expect(i.restartPolicy).toBe('no');
    expect(i.restartCount).toBe(0);
    expect(i.ports).toEqual([]);
    expect(i.mounts).toEqual([]);
    expect(i.traceparent).toBe('not-a-traceparent');
    expect(i.traceparentSpan).toBeUndefined();
    expect(i.state).toBe('running');
  });
});
