/** Shared setup for the telemetry tests: a throwaway BOXSCOPE_HOME and a telemetry instance in it. */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { boxRunDir, ensureDirs, paths, type Paths } from '../../electron/core/config.js';
import { createEvents } from '../../electron/core/events.js';
import type { Logger } from '../../electron/core/contracts.js';
import { createTelemetry, type Telemetry } from '../../electron/core/telemetry/index.js';

export const quietLog: Logger = { info() {}, warn() {}, error() {} };

export function tempHome(): { home: string; paths: Paths; cleanup: () => void } {
  // Short path: unix socket paths are limited to ~107 bytes.
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'bxs-'));
  const p = paths(home);
  ensureDirs(p);
  return { home, paths: p, cleanup: () => fs.rmSync(home, { recursive: true, force: true }) };
}

export async function startTelemetry(
  p: Paths,
  opts: { env?: NodeJS.ProcessEnv; otlpPort?: number } = {},
): Promise<Telemetry & { events: ReturnType<typeof createEvents> }> {
  const events = createEvents();
  const t = await createTelemetry({ paths: p, env: opts.env ?? {}, log: quietLog, events, otlpPort: opts.otlpPort });
  return Object.assign(t, { events });
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A plain HTTP request over TCP or a unix socket, without any OTLP client in between. */
export function rawPost(
  target: { url?: string; socketPath?: string },
  body: Buffer | string,
  headers: Record<string, string>,
  method = 'POST',
  reqPath = '/v1/traces',
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const u = target.url ? new URL(target.url) : undefined;
    const req = http.request(
      {
        method,
        ...(u ? { host: u.hostname, port: u.port } : { socketPath: target.socketPath }),
        path: reqPath,
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export function otlpJson(spans: Record<string, unknown>[], service = 'test-svc'): string {
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeSpans: [{ scope: { name: 'test' }, spans }],
      },
    ],
  });
}

export function hexId(bytes: number): string {
  let s = '';
  for (let i = 0; i < bytes; i++)
    s += Math.floor(Math.random() * 256)
      .toString(16)
      .padStart(2, '0');
  return s;
}

export function jsonSpan(traceId: string, name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    traceId,
    spanId: hexId(8),
    name,
    kind: 1,
    startTimeUnixNano: '1795000000123456789',
    endTimeUnixNano: '1795000000223456789',
    ...extra,
  };
}

/** Host path of one box's own OTLP socket. */
export function boxSocket(p: Paths, boxId: string): string {
  return path.join(boxRunDir(p, boxId), 'otlp.sock');
}
