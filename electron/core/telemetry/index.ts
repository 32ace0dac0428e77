/**
 * The core's telemetry: the trace store, the runner's tracer (its spans go
 * straight into the store), the OTLP receiver (TCP for hosts that stay up,
 * the unix socket for boxes) and optional forwarding to the app's collector.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Tracer } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOnSampler,
  BasicTracerProvider,
  SimpleSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { SERVICE } from '../../../shared/constants.js';
import { makeBoxRunDir, removeBoxRunDir, storeLimits, type Paths } from '../config.js';
import type { CoreEvents, DaemonSupport, Logger } from '../contracts.js';
import type { SqliteTraceStore } from '../store/trace-store.js';
import { openStoreOrStandIn, openStoreSafely } from './store-open.js';
import { createDaemonSupport } from './daemon-support.js';
import type { Forwarder } from './forward.js';
import { BoxQuotas, quotaFromEnv } from './quota.js';
import { readableToRecord } from './readable.js';
import type { RunningServer } from './receiver.js';

export interface Telemetry {
  tracer: Tracer;
  store: SqliteTraceStore;
  daemon: DaemonSupport;
  /** `http://127.0.0.1:PORT` when this process listens on TCP. */
  otlpEndpoint(): string | undefined;
  /** The collector spans are forwarded to, if any. */
  forwardUrl?: string;
  close(): Promise<void>;
}

const EVENT_SLICE = 5000;
/** How soon a host that stays up notices a box socket whose launcher exited. */
const ADOPT_EVERY_MS = 1000;

/** Box ids with a socket directory left from an earlier process. */
function existingBoxDirs(paths: Paths): string[] {
  try {
    return fs.readdirSync(path.join(paths.runDir, 'boxes')).filter((d) => /^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/.test(d));
  } catch {
    return [];
  }
}

/** Writes each ended runner span into the store synchronously, so a CLI that exits right after still has it. */
function storeExporter(store: SqliteTraceStore, log: Logger): SpanExporter {
  return {
    export(spans: ReadableSpan[], done: (r: ExportResult) => void) {
      try {
        store.addSpans(spans.map(readableToRecord));
        done({ code: ExportResultCode.SUCCESS });
      } catch (err) {
        log.warn('could not store runner spans', { error: (err as Error).message });
        done({ code: ExportResultCode.FAILED, error: err as Error });
      }
    },
    shutdown: async () => {},
    forceFlush: async () => {},
  };
}

export async function createTelemetry(opts: {
  paths: Paths;
  env: NodeJS.ProcessEnv;
  log: Logger;
  events: CoreEvents;
  otlpPort?: number;
  /** The command needs no traces: an unusable store is said once and stands aside (see store-open). */
  tracesOptional?: boolean;
}): Promise<Telemetry> {
  const { paths, env, log, events } = opts;
  const quotas = new BoxQuotas(quotaFromEnv(env));
  const store = (opts.tracesOptional ? openStoreOrStandIn : openStoreSafely)(paths.db, storeLimits(env), log);
  // Bounded events: an imported 100k-span trace reaches the UI in slices, not one huge message.
  const unsubscribeEvents = store.subscribe((traceId, spans) => {
    for (let i = 0; i < spans.length; i += EVENT_SLICE) {
      events.emit('spans:added', { traceId, spans: spans.slice(i, i + EVENT_SLICE) });
    }
  });

  // The exporter and the receiver (protobuf schema included) load only when used: a CLI call stays quick.
  let forwarder: Forwarder | undefined;
  try {
    if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT)
      forwarder = (await import('./forward.js')).createForwarder(env, log);
  } catch (err) {
    log.warn('span forwarding disabled', { error: (err as Error).message });
  }
  const unsubscribeForward = forwarder ? store.onLocalAdd((spans) => forwarder!.forward(spans)) : () => {};

  // Not registered globally: the CLI and tests run several cores in one process.
  // Always on: a caller's unsampled traceparent (flags 00, e.g. a CI job's) must not silently drop the launch.
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': SERVICE.runner }),
    sampler: new AlwaysOnSampler(),
    spanProcessors: [new SimpleSpanProcessor(storeExporter(store, log))],
  });
  const tracer = provider.getTracer(SERVICE.runner);

  const servers: RunningServer[] = [];
  let tcpPort: number | undefined;
  let socketServer: RunningServer | undefined;
  let socketStarting: Promise<void> | undefined;

  const ensureSocket = (): Promise<void> => {
    if (socketServer) return Promise.resolve();
    socketStarting ??= import('./receiver.js')
      .then(({ listenSocket, createOtlpHandler }) =>
        listenSocket(createOtlpHandler({ store, log, quotas }, 'socket'), paths.otlpSocket),
      )
      .then((s) => {
        if (s) {
          socketServer = s;
          servers.push(s);
        }
      })
      .catch((err: Error) => {
        log.warn('could not listen on the OTLP socket', { path: paths.otlpSocket, error: err.message });
      })
      .finally(() => {
        socketStarting = undefined;
      });
    return socketStarting;
  };

  // One socket per box, listened on by the process that launched it: the socket itself says which box is talking.
  const boxSockets = new Map<string, Promise<RunningServer | undefined>>();
  const ensureBoxSocket = async (boxId: string): Promise<void> => {
    let p = boxSockets.get(boxId);
    if (!p) {
      const file = path.join(makeBoxRunDir(paths, boxId), 'otlp.sock');
      p = import('./receiver.js')
        .then(async ({ listenSocket, createOtlpHandler, warmDecoder }) => {
          const server = await listenSocket(createOtlpHandler({ store, log, quotas }, 'socket', boxId), file);
          // Its protobuf decoder is built in the next turn, while the launch waits on the engine (otlp/decode.ts).
          setImmediate(warmDecoder);
          return server;
        })
        .catch((err: Error) => {
          log.warn('could not listen on the box OTLP socket', { path: file, error: err.message });
          boxSockets.delete(boxId);
          return undefined;
        });
      boxSockets.set(boxId, p);
    }
    await p;
  };
  const releaseBox = async (boxId: string): Promise<void> => {
    const p = boxSockets.get(boxId);
    boxSockets.delete(boxId);
    await (await p)?.close();
    removeBoxRunDir(paths, boxId);
  };

  let adoptTimer: NodeJS.Timeout | undefined;
  let adopting: Promise<void> | undefined;
  const adoptOrphans = (): Promise<void> =>
    (adopting ??= (async () => {
      const dirs = existingBoxDirs(paths);
      // A box removed by another process: its directory is gone, so stop listening for it.
      for (const [boxId, held] of [...boxSockets]) {
        if (dirs.includes(boxId)) continue;
        boxSockets.delete(boxId);
        await (await held)?.close();
      }
      for (const boxId of dirs) {
        const held = boxSockets.get(boxId);
        if (held && (await held)) continue;
        boxSockets.delete(boxId);
        await ensureBoxSocket(boxId).catch(() => undefined);
      }
    })().finally(() => (adopting = undefined)));

  try {
    if (opts.otlpPort !== undefined) {
      const { createOtlpHandler, listenTcp } = await import('./receiver.js');
      const handler = createOtlpHandler({ store, log, quotas }, 'tcp');
      // 4318 is every collector's default port: when one already runs there, take a free port
      // rather than fail to start; the endpoint the host prints says which.
      const tcp = await listenTcp(handler, opts.otlpPort).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'EADDRINUSE' || opts.otlpPort === 0) throw err;
        log.warn('OTLP port in use; receiving on a free port instead', { port: opts.otlpPort });
        return listenTcp(handler, 0);
      });
      servers.push(tcp);
      tcpPort = tcp.port;
      await ensureSocket();
      // A host that stays up takes over the sockets of boxes that outlived their launcher (a restarted
      // app, a CLI that exited before or while it runs); a socket another live process holds is left to it.
      await adoptOrphans();
      adoptTimer = setInterval(() => void adoptOrphans(), ADOPT_EVERY_MS);
      adoptTimer.unref();
    }
  } catch (err) {
    await Promise.all(servers.map((s) => s.close()));
    store.close();
    throw err;
  }

  const daemon = createDaemonSupport({ env, store, ensureReceiver: ensureBoxSocket, releaseBox });

  return {
    tracer,
    store,
    daemon,
    forwardUrl: forwarder?.url,
    otlpEndpoint: () => (tcpPort !== undefined ? `http://127.0.0.1:${tcpPort}` : undefined),
    async close() {
      clearInterval(adoptTimer);
      await adopting;
      await provider.shutdown().catch(() => undefined);
      await Promise.all(servers.map((s) => s.close()));
      const boxServers = await Promise.all(boxSockets.values());
      boxSockets.clear();
      await Promise.all(boxServers.map((s) => s?.close()));
      unsubscribeForward();
      unsubscribeEvents();
      if (forwarder) await forwarder.close();
      store.close();
    },
  };
}
