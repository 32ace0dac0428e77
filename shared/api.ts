/**
 * The one contract between the renderer (or any other client) and the core,
 * in two verbs: `call` (request → one result, cancellable by an AbortSignal)
 * and `listen` (a stream of items until disposed or ended by the core). Every
 * host carries exactly these names over the wire protocol of `wire.ts`; both
 * sides compile against these maps. See docs/ARCHITECTURE.md.
 */
import type {
  AppInfo,
  Box,
  BoxInspect,
  BoxStats,
  ExecEvent,
  LaunchProblem,
  CredentialInfo,
  EngineContexts,
  EngineStatus,
  FetchedTrace,
  LaunchRequest,
  LaunchResult,
  LogChunk,
  PullProgress,
  RegistryCheckResult,
  SaveCredentialRequest,
  SecretStoreStatus,
  ImportProgress,
  SpanRecord,
  TraceSearchResult,
  TraceSource,
  TraceSummary,
} from './models.js';
import type { ErrorInfo } from './errors.js';

/** Calls: `service:method` → [argument, result]. */
export interface ApiChannels {
  'app:info': [void, AppInfo];
  'engine:status': [void, EngineStatus];
  'engine:contexts': [void, EngineContexts];
  /** Switches the engine this core talks to (a context name, or `default`), as `--context` does. */
  'engine:use': [{ context: string }, EngineStatus];

  'boxes:list': [void, Box[]];
  /** Aborting the call's signal cancels the launch down to the engine (pull, create). */
  'boxes:launch': [LaunchRequest, LaunchResult];
  /** Problems the core finds in a request without launching it (the form's inline checks; host paths too). */
  'boxes:validate': [LaunchRequest, LaunchProblem[]];
  /** Starts a stopped/exited box again: a `box.start` span rooting a new trace linked to the launch's. */
  'boxes:start': [{ boxId: string }, Box];
  /** Stops (within `timeout` seconds, then kills) and starts again, as one `box.start` trace. */
  'boxes:restart': [{ boxId: string; timeout?: number }, Box];
  /** `timeout`: seconds the process gets after SIGTERM before SIGKILL (default 5). */
  'boxes:stop': [{ boxId: string; timeout?: number }, void];
  'boxes:remove': [{ boxId: string }, void];
  'boxes:logs': [{ boxId: string; tail?: number }, string];
  'boxes:inspect': [{ boxId: string }, BoxInspect];
  /** Keystrokes (or pasted text) for a terminal session opened with the `boxes:exec` stream. */
  'boxes:execInput': [{ sessionId: string; data: string }, void];
  'boxes:execResize': [{ sessionId: string; cols: number; rows: number }, void];

  'registries:list': [void, CredentialInfo[]];
  'registries:save': [SaveCredentialRequest, CredentialInfo];
  'registries:remove': [{ key: string }, void];
  /** Test saved/env/docker credentials for a key, or the given ones before saving. */
  'registries:test': [{ key: string; username?: string; secret?: string }, RegistryCheckResult];
  'registries:forImage': [{ image: string }, CredentialInfo | null];
  'registries:storeStatus': [void, SecretStoreStatus];

  'traces:list': [{ boxId?: string; limit?: number }, TraceSummary[]];
  'traces:get': [{ traceId: string }, SpanRecord[]];
  /** One span in full (attributes, events, links, resource): what the timeline's columns leave out. */
  'traces:span': [{ traceId: string; spanId: string }, SpanRecord];
  /**
   * Span ids of a trace matching a search-box query (see shared/trace-query.ts), evaluated
   * on the stored spans; duration terms are left to the caller (it knows the adjusted times).
   */
  'traces:search': [{ traceId: string; query: string; limit?: number }, TraceSearchResult];
  /** OTLP JSON (ExportTraceServiceRequest) of one trace. */
  'traces:export': [{ traceId: string }, string];
  /** OTLP JSON or Jaeger JSON text; returns the trace ids stored. */
  'traces:import': [{ fileName: string; content: string }, { traceIds: string[] }];
  /** The renderer's own spans (box.create), as an OTLP JSON ExportTraceServiceRequest. */
  'traces:recordUi': [{ otlpJson: string }, void];
  /**
   * Copies a trace from a trace source (a Jaeger query endpoint, e.g. the cloud runner's) into the store.
   * `from`: a saved source's name or a URL; left out, each saved source is asked in turn.
   */
  'traces:fetch': [{ traceId: string; from?: string }, FetchedTrace];
  /** The saved trace sources, in the order they are asked. */
  'sources:list': [void, TraceSource[]];
  /** Adds a source, or changes the URL of the one with that name; returns the list. */
  'sources:save': [TraceSource, TraceSource[]];
  'sources:remove': [{ name: string }, TraceSource[]];
}

/** Streams: name → [argument, item]. Disposing the listener ends the work on the core's side. */
export interface ApiStreams {
  /** Every change of a box's state, from any launch or the engine's events. */
  'boxes:changed': [void, Box];
  /** Pull progress of every launch (`requestId` names the launch that asked). */
  'pull:progress': [void, PullProgress];
  /**
   * A box's log output from now on (with `tail`, that many recent lines first). Ends when the box stops.
   * `timestamps`: each chunk carries the engine's time of its first line.
   */
  'logs:follow': [{ boxId: string; tail?: number; timestamps?: boolean }, LogChunk];
  /**
   * A terminal in a running box: exec with a TTY (`cmd`, default the first shell found), its output
   * as it comes and its exit; input and size through `boxes:execInput` / `boxes:execResize` with the
   * caller-chosen `sessionId`. Disposing ends the session. A `box.exec` span in the box's trace.
   */
  'boxes:exec': [{ boxId: string; sessionId: string; cmd?: string[]; cols: number; rows: number }, ExecEvent];
  /** Engine stats of one box (or, without `boxId`, of every running box), about one sample a second per box. */
  'boxes:stats': [{ boxId?: string }, BoxStats];
  /** Spans as they reach the store; with `traceId`, only that trace's. */
  'traces:spans': [{ traceId?: string }, { traceId: string; spans: SpanRecord[] }];
  /**
   * One trace as column batches (bytes, see shared/trace-columns.ts): first what the store
   * holds (phase 'stored', the last one flagged storedDone), then spans as they arrive ('live').
   */
  'traces:columns': [{ traceId: string }, ArrayBuffer];
  /** Imports a trace file the core can read by path (Electron); progress items, the last one done. */
  'traces:importFile': [{ path: string }, ImportProgress];
}

export type Channel = keyof ApiChannels;
export type ArgOf<C extends Channel> = ApiChannels[C][0];
export type ResultOf<C extends Channel> = ApiChannels[C][1];
export type StreamName = keyof ApiStreams;
export type StreamArgOf<S extends StreamName> = ApiStreams[S][0];
export type ItemOf<S extends StreamName> = ApiStreams[S][1];

/** The part of an AbortSignal the contract uses: the DOM's and Node's both fit (shared/ has neither's types). */
export interface CancelSignal {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

export interface CallOptions {
  /** Aborting it cancels the call on the core's side; the call then rejects with CANCELLED. */
  signal?: CancelSignal;
}

/** Arguments of a call or listen: omitted where the argument is void. */
export type ArgList<A, O> = [A] extends [void] ? [arg?: undefined, opts?: O] : [arg: A, opts?: O];

export interface ListenHandlers<T> {
  data(item: T): void;
  /** The stream ended on the core's side: by itself (no error) or with an error. Not called after dispose. */
  end?(error?: ErrorInfo): void;
}

export type Dispose = () => void;

/** What `window.boxscope` is, in Electron (a MessagePort to the core) and in browser mode (a WebSocket). */
export interface BoxscopeApi {
  call<C extends Channel>(channel: C, ...args: ArgList<ArgOf<C>, CallOptions>): Promise<ResultOf<C>>;
  listen<S extends StreamName>(
    stream: S,
    arg: StreamArgOf<S>,
    handlers: ListenHandlers<ItemOf<S>> | ((item: ItemOf<S>) => void),
  ): Dispose;
}

export const CHANNELS = [
  'app:info',
  'engine:status',
  'engine:contexts',
  'engine:use',
  'boxes:list',
  'boxes:launch',
  'boxes:validate',
  'boxes:start',
  'boxes:restart',
  'boxes:stop',
  'boxes:remove',
  'boxes:logs',
  'boxes:inspect',
  'boxes:execInput',
  'boxes:execResize',
  'registries:list',
  'registries:save',
  'registries:remove',
  'registries:test',
  'registries:forImage',
  'registries:storeStatus',
  'traces:list',
  'traces:get',
  'traces:span',
  'traces:search',
  'traces:export',
  'traces:import',
  'traces:recordUi',
  'traces:fetch',
  'sources:list',
  'sources:save',
  'sources:remove',
] as const satisfies readonly Channel[];

export const STREAMS = [
  'boxes:changed',
  'pull:progress',
  'logs:follow',
  'boxes:exec',
  'boxes:stats',
  'traces:spans',
  'traces:columns',
  'traces:importFile',
] as const satisfies readonly StreamName[];
