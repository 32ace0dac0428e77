/**
 * Seams between the core's modules (runner, credentials, telemetry, store).
 * Each module implements its side; `service.ts` wires them together.
 */
import type { Tracer } from '@opentelemetry/api';
import type { Box, PullProgress, SpanRecord, TraceSearchResult, TraceSummary } from '../../shared/models.js';
import type { ColumnSpanInput } from '../../shared/trace-columns.js';
import type { Paths } from './config.js';

/** What the core's modules tell each other; the streams of shared/api.ts relay them to clients. */
export interface CoreEventMap {
  'boxes:changed': Box;
  'pull:progress': PullProgress;
  'spans:added': { traceId: string; spans: SpanRecord[] };
}
type EventName = keyof CoreEventMap;
type ApiEvents = CoreEventMap;

export interface CoreEvents {
  emit<E extends EventName>(event: E, payload: ApiEvents[E]): void;
  on<E extends EventName>(event: E, listener: (payload: ApiEvents[E]) => void): () => void;
}

/**
 * The core's one entry, what every host's transport serves: untrusted names
 * and arguments in, validated here. (Implemented by service.ts.)
 */
export interface CoreEntry {
  call(channel: unknown, arg: unknown, signal: AbortSignal): Promise<unknown>;
  /** Resolves when the stream ends by itself; aborting `signal` ends it from outside. */
  listen(stream: unknown, arg: unknown, emit: (item: unknown) => void, signal: AbortSignal): Promise<void>;
}

export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** The embedded trace store (SQLite under BOXSCOPE_HOME). */
/** One trace's column fields, a page at a time in write order (see store/columns.ts). */
export interface ColumnReader {
  /** Up to pageSize spans; `done` once the rows the trace had when reading began are all read. */
  next(pageSize: number): { spans: ColumnSpanInput[]; done: boolean };
}

export interface TraceStore {
  addSpans(spans: SpanRecord[]): void;
  getTrace(traceId: string): SpanRecord[];
  /** One span in full, by an indexed lookup (undefined if the store has no such span). */
  getSpan(traceId: string, spanId: string): SpanRecord | undefined;
  /** Whether the store holds any span of the trace. */
  hasTrace(traceId: string): boolean;
  /** Ids of the trace's spans matching a query (shared/trace-query.ts, duration terms aside); in pages, cancellable. */
  searchSpans(traceId: string, query: string, limit: number, signal?: AbortSignal): Promise<TraceSearchResult>;
  /** The trace's column fields a page at a time, as far as the store held them at this call. */
  columns(traceId: string): ColumnReader;
  listTraces(opts?: { boxId?: string; limit?: number }): TraceSummary[];
  /** Pushes spans as they are added, from this process or (polled) from others sharing the file. */
  subscribe(listener: (traceId: string, spans: SpanRecord[]) => void): () => void;
  /** Per-box OTLP tokens; only a hash is kept. */
  /** `traceId`: the box's launch trace, the only trace the token may write. */
  registerBoxToken(boxId: string, token: string, traceId?: string): void;
  boxForToken(token: string): string | undefined;
  /**
   * `traceIds`, when the box was started again (boxes:start/restart): every trace the token may write
   * (the launch's first, then each start's); without it only `traceId`.
   */
  grantForToken(token: string): { boxId: string; traceId?: string; traceIds?: string[] } | undefined;
  /** Lets a bound token of `boxId` write `traceId` too (the trace of a start after the launch). */
  grantBoxTrace(boxId: string, traceId: string): void;
  /** A removed box's tokens (and trace grants) stop working at once. */
  revokeBoxTokens(boxId: string): void;
  close(): void;
}

/** What the runner needs to put the in-box daemon into a box. */
export interface DaemonSupport {
  /** Host path of the static daemon for a Docker architecture (`amd64`, `arm64`), or undefined if not built. */
  binaryPath(arch: string): string | undefined;
  /**
   * Listens on this box's own socket (`run/boxes/<boxId>/otlp.sock`); the
   * launching process owns it, and spans arriving on it belong to that box.
   */
  ensureReceiver(boxId: string): Promise<void>;
  /** Stops listening for a removed box and deletes its socket directory. */
  releaseBox(boxId: string): Promise<void>;
  /** Resolves with the daemon's boot span of this box, or undefined after timeoutMs or once `signal` aborts. */
  waitForBoot(boxId: string, traceId: string, timeoutMs: number, signal?: AbortSignal): Promise<SpanRecord | undefined>;
}

export interface CoreContext {
  paths: Paths;
  env: NodeJS.ProcessEnv;
  events: CoreEvents;
  log: Logger;
  /** Tracer of service `boxscope-runner`; spans end up in `store`. */
  tracer: Tracer;
  store: TraceStore;
  daemon: DaemonSupport;
  /** Set by the Electron host; otherwise the credentials module chooses a backend. */
  secretBackend?: SecretBackend;
}

/**
 * Where saved registry secrets live. Node hosts use a docker credential
 * helper (e.g. docker-credential-pass) or, only with the user's consent, a
 * plaintext-equivalent file; the Electron host supplies one on safeStorage.
 */
export interface SecretBackend {
  /** e.g. `safeStorage (gnome_libsecret)`, `docker-credential-pass`, `plaintext file` */
  readonly name: string;
  /** false when secrets at rest are only as safe as a plain file. */
  readonly secure: boolean;
  get(key: string): Promise<{ username: string; secret: string } | undefined>;
  set(key: string, username: string, secret: string): Promise<void>;
  delete(key: string): Promise<void>;
}
