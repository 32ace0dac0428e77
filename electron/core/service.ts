/**
 * The core's one entry, behind every host: `call` and `listen` of
 * shared/api.ts, with every argument validated here — for the Electron
 * utility process, browser mode and the CLI alike. Hosts only carry messages.
 */
import { boxLifecycleHandlers } from './handlers/box-lifecycle.js';
import { boxSessionHandlers, boxSessionStreams, closeSessions } from './handlers/box-session.js';
import type { ArgList, BoxscopeApi, CallOptions, Channel, ListenHandlers, StreamName } from '../../shared/api.js';
import { BoxscopeError, toErrorInfo } from '../../shared/errors.js';
import { parseCall, parseListen } from '../../shared/schemas.js';
import { ensureDirs, paths as resolvePaths, resolveHome } from './config.js';
import type { CoreContext, CoreEntry, SecretBackend } from './contracts.js';
import { createEvents } from './events.js';
import { createLogger } from './log.js';
import { createTelemetry } from './telemetry/index.js';
import { appHandlers } from './handlers/app.js';
import { boxesHandlers, boxesStreams } from './handlers/boxes.js';
import { registriesHandlers } from './handlers/registries.js';
import { tracesHandlers, tracesStreams } from './handlers/traces.js';
import type { HandlerMap, StreamMap } from './handlers/types.js';
import { closeRunner, runnerFor } from './runner/instances.js';

export interface CoreOptions {
  home?: string;
  env?: NodeJS.ProcessEnv;
  host: 'electron' | 'browser' | 'cli';
  /** Start the OTLP receiver (TCP port; 0 picks one). Hosts that stay up do; the CLI starts one on demand. */
  otlpPort?: number;
  /** The Electron host passes one on safeStorage (through its main process); Node hosts pick one themselves. */
  secretBackend?: SecretBackend;
  /** A CLI command that needs no traces (registries, login, listing boxes) goes on when the store cannot open. */
  tracesOptional?: boolean;
}

export interface Core extends CoreEntry {
  ctx: CoreContext;
  /** The same entry, typed: what the CLI and in-process tests use. */
  api: BoxscopeApi;
  /** The OTLP endpoint this process receives on, when it runs a receiver. */
  otlpEndpoint(): string | undefined;
  close(): Promise<void>;
}

export async function createCore(opts: CoreOptions): Promise<Core> {
  const env = opts.env ?? process.env;
  const p = resolvePaths(opts.home ?? resolveHome(env));
  ensureDirs(p);
  const log = createLogger(p, opts.host);
  const events = createEvents();
  const telemetry = await createTelemetry({
    paths: p,
    env,
    log,
    events,
    otlpPort: opts.otlpPort,
    tracesOptional: opts.tracesOptional,
  });
  const ctx: CoreContext = {
    paths: p,
    env,
    events,
    log,
    tracer: telemetry.tracer,
    store: telemetry.store,
    daemon: telemetry.daemon,
    secretBackend: opts.secretBackend,
  };
  const handlers: HandlerMap = {
    ...appHandlers(ctx, { host: opts.host === 'cli' ? 'browser' : opts.host, otlpEndpoint: telemetry.otlpEndpoint }),
    ...boxesHandlers(ctx),
    ...boxLifecycleHandlers(ctx),
    ...boxSessionHandlers(ctx),
    ...registriesHandlers(ctx),
    ...tracesHandlers(ctx),
  };
  const streams: StreamMap = { ...boxesStreams(ctx), ...boxSessionStreams(ctx), ...tracesStreams(ctx) };

  const entry: CoreEntry = {
    async call(channel, arg, signal) {
      const c = parseCall(channel, arg);
      if (signal.aborted) throw new BoxscopeError('CANCELLED', 'Cancelled');
      return (handlers[c.channel] as (a: unknown, o: { signal: AbortSignal }) => Promise<unknown>)(c.arg, { signal });
    },
    async listen(stream, arg, emit, signal) {
      const s = parseListen(stream, arg);
      if (signal.aborted) return;
      await (streams[s.stream] as (a: unknown, e: (i: unknown) => void, sg: AbortSignal) => Promise<void>)(
        s.arg,
        emit,
        signal,
      );
    },
  };

  // A host that stays up puts right at once what a killed launch left (creating/pulling/starting boxes,
  // their traces marked interrupted) instead of at its first list; an engine that is down is not an
  // error here (the first list says so), and the CLI reconciles when a command lists.
  const reconciled =
    opts.host === 'cli'
      ? Promise.resolve()
      : runnerFor(ctx)
          .list()
          .then(
            () => undefined,
            (err) => log.info('no reconcile at start', { error: toErrorInfo(err).message }),
          );

  return {
    ...entry,
    ctx,
    api: inProcessApi(entry),
    otlpEndpoint: telemetry.otlpEndpoint,
    async close() {
      // Not held by an engine that does not answer: the runner's close ends what is in flight.
      await Promise.race([reconciled, new Promise((r) => setTimeout(r, 2000).unref())]);
      closeSessions(ctx);
      closeRunner(ctx);
      await telemetry.close();
    },
  };
}

/** BoxscopeApi over the entry in this process: the same validation and cancellation as over a wire. */
function inProcessApi(entry: CoreEntry): BoxscopeApi {
  return {
    call(channel: Channel, ...[arg, options]: ArgList<unknown, CallOptions>) {
      const ac = new AbortController();
      const given = options?.signal;
      if (given?.aborted) ac.abort();
      given?.addEventListener('abort', () => ac.abort(), { once: true });
      return entry.call(channel, arg, ac.signal) as never;
    },
    listen(stream: StreamName, arg: unknown, handlers: ListenHandlers<unknown> | ((item: unknown) => void)) {
      const h = typeof handlers === 'function' ? { data: handlers } : handlers;
      const ac = new AbortController();
      entry
        .listen(stream, arg, (item) => h.data(item), ac.signal)
        .then(
          () => !ac.signal.aborted && h.end?.(),
          (err) => !ac.signal.aborted && h.end?.(toErrorInfo(err)),
        );
      return () => ac.abort();
    },
  } as BoxscopeApi;
}
