/**
 * The core behind every host: one `invoke(channel, arg)` and one event
 * stream, exactly the BoxscopeApi of shared/. Hosts (Electron IPC, browser
 * mode, CLI) validate input and carry envelopes; the work happens here.
 */
import type { ApiEvents, ArgOf, Channel, EventName, ResultOf } from '../../shared/api.js';
import { BoxscopeError } from '../../shared/errors.js';
import { ensureDirs, paths as resolvePaths, resolveHome } from './config.js';
import type { CoreContext, SecretBackend } from './contracts.js';
import { createEvents } from './events.js';
import { createLogger } from './log.js';
import { createTelemetry } from './telemetry/index.js';
import { boxesHandlers } from './handlers/boxes.js';
import { registriesHandlers } from './handlers/registries.js';
import { tracesHandlers } from './handlers/traces.js';
import { appHandlers } from './handlers/app.js';
import { closeRunner } from './runner/instances.js';

export type HandlerMap = { [C in Channel]: (arg: ArgOf<C>) => Promise<ResultOf<C>> };

export interface CoreOptions {
  home?: string;
  env?: NodeJS.ProcessEnv;
  host: 'electron' | 'browser' | 'cli';
  /** Start the OTLP receiver (TCP port; 0 picks one). Hosts that stay up do; the CLI starts one on demand. */
  otlpPort?: number;
  /** The Electron host passes a safeStorage backend; Node hosts pick one themselves. */
  secretBackend?: SecretBackend;
}

export interface Core {
  ctx: CoreContext;
  invoke<C extends Channel>(channel: C, arg: ArgOf<C>): Promise<ResultOf<C>>;
  on<E extends EventName>(event: E, listener: (payload: ApiEvents[E]) => void): () => void;
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
  const telemetry = await createTelemetry({ paths: p, env, log, events, otlpPort: opts.otlpPort });
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
    ...registriesHandlers(ctx),
    ...tracesHandlers(ctx),
  };
  return {
    ctx,
    async invoke(channel, arg) {
      const h = handlers[channel] as ((a: unknown) => Promise<unknown>) | undefined;
      if (!h) throw new BoxscopeError('INVALID_INPUT', `Unknown channel ${String(channel)}`);
      return h(arg) as never;
    },
    on: (event, listener) => events.on(event, listener),
    otlpEndpoint: telemetry.otlpEndpoint,
    async close() {
      closeRunner(ctx);
      await telemetry.close();
    },
  };
}
