/** The `boxscope` CLI contract for boxes: launch (traceparent, --json), boxes, logs, stop, rm, and one-line errors. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SPAN } from '../../shared/constants.js';
import type { SpanRecord } from '../../shared/models.js';
import { buildCli, buildImage, removeBoxesOfHome, runCli, tempHome, type TempHome } from '../fixtures/index.js';

const IMAGE = 'boxscope-test/cli-box:1';
let h: TempHome;

beforeAll(async () => {
  await buildCli();
  await buildImage(IMAGE);
  h = tempHome();
});

afterAll(async () => {
  if (h) {
    await removeBoxesOfHome(h.home);
    h.cleanup();
  }
});

describe('boxscope launch', () => {
  it('--traceparent continues the caller trace: box.create is its child, the runner spans are box.create’s', async () => {
    const tp = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const r = await runCli(['launch', IMAGE, '--no-daemon', '--json', '--traceparent', tp, '--name', 'cli-traced'], {
      env: h.env,
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    const spans = JSON.parse((await runCli(['trace', out.traceId, '--json'], { env: h.env })).stdout) as
      SpanRecord[] | { spans: SpanRecord[] };
    const list = Array.isArray(spans) ? spans : spans.spans;
    const root = list.find((s) => s.name === SPAN.boxCreate)!;
    expect(root.parentSpanId).toBe('b7ad6b7169203331');
    expect(root.attributes['boxlite.box.id']).toBe(out.boxId);
    for (const n of [SPAN.registryAuth, SPAN.imagePull, SPAN.containerCreate, SPAN.containerStart])
      expect(list.find((s) => s.name === n)?.parentSpanId).toBe(root.spanId);
  });

  it('a malformed --traceparent: one line on stderr, and a new trace', async () => {
    const r = await runCli(['launch', IMAGE, '--no-daemon', '--json', '--traceparent', 'not-a-traceparent'], {
      env: h.env,
    });
    expect(r.code).toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('not a valid W3C traceparent');
    expect(JSON.parse(r.stdout).traceId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('reserved env and bad input fail with one clear line', async () => {
    const reserved = await runCli(['launch', IMAGE, '--env', 'OTEL_EXPORTER_OTLP_HEADERS=x'], { env: h.env });
    expect(reserved.code).not.toBe(0);
    expect(reserved.stderr).toBe(
      'boxscope: OTEL_EXPORTER_OTLP_HEADERS is set by Boxscope for every box and cannot be given by the user\n',
    );
    const badPull = await runCli(['launch', IMAGE, '--pull', 'sometimes'], { env: h.env });
    expect(badPull.code).toBe(2);
    expect(badPull.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('engine down: one line naming where it looked', async () => {
    const r = await runCli(['launch', IMAGE], { env: { ...h.env, DOCKER_HOST: `unix://${h.dir}/no-engine.sock` } });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toBe(
      `boxscope: Docker engine not reachable at unix://${h.dir}/no-engine.sock (DOCKER_HOST): no socket there. Start dockerd or set DOCKER_HOST.\n`,
    );
  });
});

describe('boxscope boxes, logs, stop, rm', () => {
  it('finds a box by name, box id or container id prefix', async () => {
    const boxes = JSON.parse((await runCli(['boxes', '--json'], { env: h.env })).stdout);
    const b = boxes.find((x: { name: string }) => x.name === 'cli-traced');
    expect(b).toMatchObject({ state: 'running', image: IMAGE });
    expect((await runCli(['logs', 'cli-traced'], { env: h.env })).stdout).toContain('box up');
    expect((await runCli(['stop', b.boxId], { env: h.env })).code).toBe(0);
    const table = (await runCli(['boxes'], { env: h.env })).stdout;
    expect(table).toMatch(new RegExp(`${b.boxId}\\s+cli-traced\\s+stopped`));
    expect((await runCli(['rm', b.containerId.slice(0, 10)], { env: h.env })).code).toBe(0);
    const after = JSON.parse((await runCli(['boxes', '--json'], { env: h.env })).stdout);
    expect(after.some((x: { boxId: string }) => x.boxId === b.boxId)).toBe(false);
    const gone = await runCli(['stop', 'cli-traced'], { env: h.env });
    expect(gone.code).not.toBe(0);
    expect(gone.stderr).toContain('No box "cli-traced"');
  });
});
