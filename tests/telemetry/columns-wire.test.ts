/** traces:columns through the real browser-mode server: each batch reaches a WebSocket client as one binary frame. */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { decodeColumns, idHex } from '../../shared/trace-columns.js';
import { decodeFrame } from '../../shared/wire.js';
import { createCore, type Core } from '../../electron/core/service.js';
import { startServer, type BrowserServer } from '../../electron/server/server.js';
import { hexId, tempHome } from './helpers.js';

let env: ReturnType<typeof tempHome>;
let core: Core;
let server: BrowserServer;

beforeAll(async () => {
  env = tempHome();
  const staticDir = path.join(env.home, 'dist');
  fs.mkdirSync(staticDir);
  fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>Boxscope</title>');
  core = await createCore({
    host: 'browser',
    home: env.home,
    otlpPort: 0,
    env: { ...process.env, BOXSCOPE_HOME: env.home, DOCKER_HOST: `unix://${env.home}/no-engine.sock` },
  });
  server = await startServer({ core, staticDir });
});

afterAll(async () => {
  await server?.close();
  await core?.close();
  env?.cleanup();
});

describe('traces:columns over WebSocket', () => {
  it('sends stored batches as binary frames that decode to the stored spans', async () => {
    const traceId = hexId(16);
    const ids = Array.from({ length: 5 }, () => hexId(8));
    const otlp = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'wire-svc' } }] },
          scopeSpans: [
            {
              spans: ids.map((spanId, i) => ({
                traceId,
                spanId,
                name: `s${i}`,
                kind: 1,
                startTimeUnixNano: `179500000000000000${i}`,
                endTimeUnixNano: `179500000100000000${i}`,
              })),
            },
          ],
        },
      ],
    };
    await core.api.call('traces:import', { fileName: 't.json', content: JSON.stringify(otlp) });

    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api?token=${server.token}`);
    await new Promise((r) => ws.once('open', r));
    const frames: { binary: boolean; data: Buffer }[] = [];
    ws.on('message', (data, isBinary) => frames.push({ binary: isBinary, data: data as Buffer }));
    ws.send(JSON.stringify({ t: 'listen', id: 3, stream: 'traces:columns', arg: { traceId } }));
    await expect.poll(() => frames.length, { timeout: 3000 }).toBeGreaterThan(0);
    ws.close();

    expect(frames[0]!.binary).toBe(true);
    const msg = decodeFrame(new Uint8Array(frames[0]!.data));
    expect(msg).toMatchObject({ t: 'data', id: 3 });
    const batch = decodeColumns((msg as { data: ArrayBuffer }).data);
    expect(batch).toMatchObject({ phase: 'stored', storedDone: true, storedTotal: 5, count: 5 });
    const got = Array.from({ length: 5 }, (_, i) => idHex(batch.spanId, i)).sort();
    expect(got).toEqual([...ids].sort());
    const starts = Array.from(batch.start, (s) => (batch.baseNsBig + BigInt(s)).toString()).sort();
    expect(starts).toEqual(ids.map((_, i) => `179500000000000000${i}`));
  });
});
