/** Data that crosses the process boundary. Plain JSON-safe objects only. */

export type BoxState =
  'creating' | 'pulling' | 'starting' | 'running' | 'stopping' | 'stopped' | 'exited' | 'failed' | 'removed';

export const PULL_POLICIES = ['always', 'missing', 'never'] as const;
export type PullPolicy = (typeof PULL_POLICIES)[number];

export interface Box {
  boxId: string;
  name: string;
  image: string;
  imageDigest?: string;
  containerId?: string;
  traceId?: string;
  state: BoxState;
  /** Set with state `exited` (and `failed` when the process ended badly). */
  exitCode?: number;
  /** Set with state `failed`: words a user can act on. */
  reason?: string;
  /** ms since epoch */
  createdAt: number;
  daemon: boolean;
}

export interface LaunchRequest {
  image: string;
  name?: string;
  env?: Record<string, string>;
  network?: string;
  pull?: PullPolicy;
  /** W3C traceparent of the caller's span (the UI's box.create, or a CI job's). */
  traceparent?: string;
  tracestate?: string;
  /** false: launch without the in-box daemon (`--no-daemon`). Default true. */
  daemon?: boolean;
  /** Chosen by the caller so it can match progress events and cancel. */
  requestId?: string;
}

export interface LaunchResult {
  boxId: string;
  containerId: string;
  image: string;
  imageDigest: string;
  traceId: string;
  state: BoxState;
  /** Problems that did not stop the launch (e.g. a malformed --traceparent). */
  warnings?: string[];
}

export interface LayerProgress {
  id: string;
  status: string;
  current: number;
  total: number;
  done: boolean;
}

export interface PullProgress {
  requestId: string;
  boxId: string;
  image: string;
  layers: LayerProgress[];
  layersDone: number;
  layersTotal: number;
  bytesCurrent: number;
  bytesTotal: number;
  done: boolean;
}

export type CredentialSource = 'app' | 'env' | 'docker-config' | 'docker-cred-helper' | 'none';

/** What the renderer may know about a credential: never the secret. */
export interface CredentialInfo {
  /** Registry host with optional repository prefix, e.g. `ghcr.io/acme/`. */
  key: string;
  registry: string;
  source: CredentialSource;
  /** e.g. `GHCR_USERNAME/GHCR_TOKEN`, `~/.docker/config.json`, `docker-credential-pass`. */
  sourceDetail: string;
  username?: string;
  readOnly: boolean;
}

export interface SecretStoreStatus {
  backend: string;
  secure: boolean;
  message?: string;
}

export type RegistryCheckOutcome =
  'ok' | 'unauthorized' | 'forbidden' | 'tls-untrusted' | 'unreachable' | 'not-found' | 'error';

export interface RegistryCheckResult {
  registry: string;
  outcome: RegistryCheckOutcome;
  message: string;
  source: CredentialSource;
}

export interface SaveCredentialRequest {
  /** `host` or `host/repo/prefix/` */
  key: string;
  username: string;
  secret: string;
  /** Required when the only secret store is plaintext-equivalent. */
  acceptInsecureStore?: boolean;
}

export type AttrValue = string | number | boolean | AttrValue[] | null;
export type Attributes = Record<string, AttrValue>;

export interface SpanEventRecord {
  timeUnixNano: string;
  name: string;
  attributes: Attributes;
}

export interface SpanLinkRecord {
  traceId: string;
  spanId: string;
  attributes: Attributes;
}

/** 0 unset, 1 ok, 2 error (OTLP StatusCode). */
export type StatusCode = 0 | 1 | 2;

/** A span as stored and shown; ids are lowercase hex, times nanosecond strings. */
export interface SpanRecord {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** OTLP SpanKind: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer */
  kind: number;
  serviceName: string;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: Attributes;
  events: SpanEventRecord[];
  links: SpanLinkRecord[];
  status: { code: StatusCode; message?: string };
  resource: Attributes;
  scope?: { name: string; version?: string };
}

export interface TraceSummary {
  traceId: string;
  rootName: string;
  boxId?: string;
  spanCount: number;
  errorCount: number;
  /** ms since epoch */
  startMs: number;
  durationMs: number;
  services: string[];
}

/** Where a trace file import stands: sent as it goes, the last one with `done`. */
export interface ImportProgress {
  /** Traces seen so far, in the order their first span was stored. */
  traceIds: string[];
  /** Spans stored so far. */
  spans: number;
  /** Bytes of the file read so far, and its size when known. */
  bytes: number;
  totalBytes?: number;
  done: boolean;
}

/** Spans of a trace whose stored data (attributes, resource, events) match a search. */
export interface TraceSearchResult {
  spanIds: string[];
  /** More spans matched than were returned. */
  truncated: boolean;
}

export interface EngineStatus {
  reachable: boolean;
  /** Where the app looked: a context, DOCKER_HOST or the default socket. */
  endpoint: string;
  /** The Docker context in use (`default` when none). */
  context?: string;
  version?: string;
  message?: string;
}

/** The engines a user can switch between: Docker's contexts (and `default`), and the one in use. */
export interface EngineContexts {
  current: string;
  /** What chose it: the app's own switch / --context, DOCKER_HOST, DOCKER_CONTEXT, currentContext, or nothing. */
  source: 'flag' | 'DOCKER_HOST' | 'DOCKER_CONTEXT' | 'config' | 'default';
  contexts: Array<{ name: string; host: string; description?: string }>;
}

export interface LogChunk {
  boxId: string;
  stream: 'stdout' | 'stderr';
  text: string;
}

export interface AppInfo {
  version: string;
  home: string;
  otlpEndpoint?: string;
  host: 'electron' | 'browser';
}
