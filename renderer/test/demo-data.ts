import type { SpanRecord, TraceSummary } from '../../shared/models.js';
import { emptyData, type FakeData } from './fake-api.js';

const T0 = Date.UTC(2026, 10, 27, 23, 40, 12);
const ns = (ms: number) => (BigInt(Math.round((T0 + ms) * 1000)) * 1000n).toString();

let seq = 0;
const id = (n: number) => (++seq).toString(16).padStart(n, '0');

function launch(
  traceId: string,
  boxId: string,
  opts: { pullMs: number; skewMs: number; fail?: boolean; layers?: number },
): SpanRecord[] {
  const out: SpanRecord[] = [];
  const add = (
    name: string,
    service: string,
    parent: SpanRecord | undefined,
    from: number,
    to: number,
    attributes: SpanRecord['attributes'] = {},
    extra: Partial<SpanRecord> = {},
  ) => {
    const s: SpanRecord = {
      traceId,
      spanId: id(16),
      parentSpanId: parent?.spanId,
      name,
      kind: 1,
      serviceName: service,
      startTimeUnixNano: ns(from),
      endTimeUnixNano: ns(to),
      attributes: { 'boxlite.box.id': boxId, ...attributes },
      events: [],
      links: [],
      status: { code: 0 },
      resource: { 'service.name': service, 'host.name': service === 'boxlite-daemon' ? boxId : 'devbox' },
      ...extra,
    };
    out.push(s);
    return s;
  };
  const end = 120 + opts.pullMs + 420;
  const root = add(
    'box.create',
    'boxscope-ui',
    undefined,
    0,
    end,
    { 'boxscope.image.reference': 'ghcr.io/acme/api:1.4.2' },
    { scope: { name: 'boxscope-renderer', version: '0.1.0' } },
  );
  const run = add(
    'box.launch',
    'boxscope-runner',
    root,
    4,
    end - 3,
    { 'boxscope.image.reference': 'ghcr.io/acme/api:1.4.2' },
    { kind: 2 },
  );
  add('registry.auth', 'boxscope-runner', run, 8, 92, {
    'boxscope.registry': 'ghcr.io',
    'boxscope.credential.source': 'env',
  });
  const pull = add('image.pull', 'boxscope-runner', run, 95, 95 + opts.pullMs, {
    'boxscope.pull.bytes': 48_234_112,
    'boxscope.pull.layers': opts.layers ?? 4,
  });
  const layers = opts.layers ?? 4;
  for (let i = 0; i < layers; i++) {
    const from = 100 + (i * opts.pullMs) / (layers + 1);
    add(
      'layer.pull',
      'boxscope-runner',
      pull,
      from,
      from + opts.pullMs / 2.2,
      { 'layer.index': i, 'layer.digest': `sha256:${id(12)}` },
      i === 2 && opts.fail ? { status: { code: 2, message: 'connection reset by peer' } } : {},
    );
  }
  const c = 100 + opts.pullMs;
  add('container.create', 'boxscope-runner', run, c, c + 64, { 'container.id': id(12) });
  const st = add('container.start', 'boxscope-runner', run, c + 66, c + 140);
  const wait = add('daemon.wait', 'boxscope-runner', run, c + 142, end - 8);
  const sk = opts.skewMs;
  const boot = add(
    'sandbox.boot',
    'boxlite-daemon',
    wait,
    c + 150 + sk,
    c + 320 + sk,
    { 'boxlite.traceparent.source': 'BOXLITE_TRACEPARENT' },
    {
      events: [
        {
          timeUnixNano: ns(c + 210 + sk),
          name: 'entrypoint.resolved',
          attributes: { 'process.command': '/app/server' },
        },
      ],
    },
  );
  add('process.start', 'boxlite-daemon', boot, c + 230 + sk, c + 300 + sk, {
    'process.pid': 7,
    'process.command_line': '/app/server --port 8080',
  });
  void st;
  return out;
}

function summary(traceId: string, boxId: string, spans: SpanRecord[], minutesAgo: number): TraceSummary {
  const start = Number(BigInt(spans[0].startTimeUnixNano) / 1_000_000n);
  const end = Math.max(...spans.map((s) => Number(BigInt(s.endTimeUnixNano) / 1_000_000n)));
  return {
    traceId,
    rootName: 'box.create',
    boxId,
    spanCount: spans.length,
    errorCount: spans.filter((s) => s.status.code === 2).length,
    startMs: T0 - minutesAgo * 60_000,
    durationMs: end - start,
    services: [...new Set(spans.map((s) => s.serviceName))],
  };
}

/** A believable workspace for screenshots and manual checks. */
export function demoData(): FakeData {
  const d = emptyData();
  const ta = '4bf92f3577b34da6a3ce929d0e0e4736';
  const tb = '8c1e0f0a2b3c4d5e6f708192a3b4c5d6';
  const tc = '0af7651916cd43dd8448eb211c80319c';
  const a = launch(ta, 'b7f3c2a1', { pullMs: 1840, skewMs: -34, fail: true, layers: 6 });
  const b = launch(tb, 'c91d20e4', { pullMs: 260, skewMs: 0 });
  const c = launch(tc, 'e02a7d55', { pullMs: 610, skewMs: 0 });
  d.traces = { [ta]: a, [tb]: b, [tc]: c };
  d.summaries = [summary(ta, 'b7f3c2a1', a, 2), summary(tb, 'c91d20e4', b, 18), summary(tc, 'e02a7d55', c, 64)];
  d.boxes = [
    {
      boxId: 'b7f3c2a1',
      name: 'api-dev',
      image: 'ghcr.io/acme/api:1.4.2',
      imageDigest: 'sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
      containerId: '3f2a9c1be0d4',
      traceId: ta,
      state: 'running',
      createdAt: Date.now() - 120_000,
      daemon: true,
    },
    {
      boxId: 'c91d20e4',
      name: 'worker',
      image: 'ghcr.io/acme/worker:edge',
      traceId: tb,
      state: 'pulling',
      createdAt: Date.now() - 30_000,
      daemon: true,
    },
    {
      boxId: 'e02a7d55',
      name: 'migrate',
      image: 'registry.local:5000/tools/migrate:3',
      traceId: tc,
      state: 'exited',
      exitCode: 0,
      createdAt: Date.now() - 3_840_000,
      daemon: false,
    },
    {
      boxId: 'f1a0b9c8',
      name: 'private-ui',
      image: 'ghcr.io/acme/ui:2.0.0',
      state: 'failed',
      reason:
        'ghcr.io refused the credential from GHCR_USERNAME/GHCR_TOKEN (401): check the token and its read:packages scope',
      createdAt: Date.now() - 600_000,
      daemon: true,
    },
  ];
  d.creds = [
    {
      key: 'ghcr.io',
      registry: 'ghcr.io',
      source: 'env',
      sourceDetail: 'GHCR_USERNAME/GHCR_TOKEN',
      username: 'octocat',
      readOnly: true,
    },
    {
      key: 'registry.local:5000/',
      registry: 'registry.local:5000',
      source: 'app',
      sourceDetail: 'pass',
      username: 'ci-bot',
      readOnly: false,
    },
    {
      key: 'docker.io',
      registry: 'docker.io',
      source: 'docker-config',
      sourceDetail: '~/.docker/config.json',
      username: 'acme',
      readOnly: true,
    },
  ];
  d.logs = {
    b7f3c2a1:
      'boxlite-daemon: sandbox.boot ok\nlistening on :8080\nGET /healthz 200 1.2ms\nGET /v1/items 200 8.4ms\nwarn: slow query 412ms\n',
  };
  return d;
}
