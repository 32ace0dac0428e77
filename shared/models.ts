/** Data that crosses the process boundary. Plain JSON-safe objects only. */

export type BoxState =
  | 'creating'
  | 'pulling'
  | 'starting'
  | 'running'
  | 'stopping'
  | 'stopped'
  | 'exited'
  | 'failed'
  | 'removed'
  /** Its container was removed by someone else (e.g. `docker rm -f`): kept in the list with its trace until removed here. */
  | 'removed-outside';

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
  /** The trace of the box's latest start (start/restart), when it is not the launch's `traceId`. */
  lastTraceId?: string;
  /** What the box was launched with (for "Run again" / "Retry"); no trace context, no request id. */
  spec?: LaunchSpec;
  /** Times the box was started again after its launch (by the user or its restart policy). */
  restartCount?: number;
  /** Set with `exited` when the box was killed outside Boxscope (e.g. `docker kill`). */
  killedOutside?: boolean;
}

export const RESTART_POLICIES = ['no', 'on-failure', 'always', 'unless-stopped'] as const;
export type RestartPolicy = (typeof RESTART_POLICIES)[number];

/** A host path (bind) or a named volume, mounted at `target` in the box. */
export interface MountSpec {
  type: 'bind' | 'volume';
  /** Absolute host path (bind) or volume name (volume). */
  source: string;
  /** Absolute path in the box. */
  target: string;
  readOnly?: boolean;
}

/** A published port: the engine binds hostIp:hostPort to the box's containerPort. */
export interface PortSpec {
  containerPort: number;
  /** Omitted or 0: the engine picks one. */
  hostPort?: number;
  /** Default 127.0.0.1 (a box's port is not published beyond this machine unless asked). */
  hostIp?: string;
  protocol?: 'tcp' | 'udp';
}

/** What a box is launched with, and what "Run again" prefills. */
export interface LaunchSpec {
  image: string;
  name?: string;
  env?: Record<string, string>;
  network?: string;
  pull?: PullPolicy;
  /** Replaces the image's CMD (docker run IMAGE CMD...). */
  cmd?: string[];
  /** Replaces the image's ENTRYPOINT (`[]` clears it). */
  entrypoint?: string[];
  workdir?: string;
  /** `uid`, `uid:gid`, `name` or `name:group`. */
  user?: string;
  mounts?: MountSpec[];
  ports?: PortSpec[];
  /** The user's own labels (names Boxscope uses, `boxlite.*` and `boxscope.*`, are refused). */
  labels?: Record<string, string>;
  restart?: RestartPolicy;
  /** With restart `on-failure`: at most this many restarts (0 or omitted: no limit). */
  restartMaxRetries?: number;
  /** false: launch without the in-box daemon (`--no-daemon`). Default true. */
  daemon?: boolean;
}

export interface LaunchRequest extends LaunchSpec {
  /** W3C traceparent of the caller's span (the UI's box.create, or a CI job's). */
  traceparent?: string;
  tracestate?: string;
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

/** A place traces are kept besides this machine's store: a Jaeger query endpoint (e.g. the cloud runner's). */
export interface TraceSource {
  /** Short name, unique: what `--from NAME` and the Traces page's picker use. */
  name: string;
  /** http(s) base URL of the query API, without credentials (e.g. http://127.0.0.1:16686). */
  url: string;
}

/** What `traces:fetch` copied, and from which source. */
export interface FetchedTrace {
  traceIds: string[];
  spans: number;
  /** The source's name when it was a saved one, else its URL. */
  source: string;
}

export interface TraceSummary {
  traceId: string;
  rootName: string;
  boxId?: string;
  /** From the spans' `boxscope.image.reference` and the box's name, when known. */
  image?: string;
  boxName?: string;
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
  /** The engine's timestamp of the chunk's first line (RFC 3339), when asked for. */
  time?: string;
}

export interface AppInfo {
  version: string;
  home: string;
  otlpEndpoint?: string;
  host: 'electron' | 'browser';
}

/** A field of a launch request that the core refuses, in words a user can act on (inline in the form). */
export interface LaunchProblem {
  /** `image`, `name`, `env`, `cmd`, `entrypoint`, `workdir`, `user`, `mounts.N`, `ports.N`, `labels`, `restart`… */
  field: string;
  message: string;
}

/** What the inspect tab shows: the engine's view of a box, with nothing secret in it. */
export interface BoxInspect {
  boxId: string;
  containerId: string;
  name: string;
  image: string;
  imageDigest?: string;
  /** The process as the engine runs it (with the daemon: its wrapper first). */
  entrypoint: string[];
  cmd: string[];
  workdir?: string;
  user?: string;
  /** Every env entry; reserved ones (docs/CONTRACTS.md) flagged, secret values (the box's OTLP token) replaced by SECRET_MASK (constants.ts). */
  env: Array<{ name: string; value: string; reserved: boolean; secret?: boolean }>;
  mounts: Array<{ type: string; source: string; target: string; readOnly: boolean; boxscope: boolean }>;
  labels: Record<string, string>;
  network: string;
  ports: Array<{ containerPort: number; protocol: string; hostIp?: string; hostPort?: number }>;
  restartPolicy: RestartPolicy;
  restartCount: number;
  state: string;
  exitCode?: number;
  /** ISO times from the engine. */
  startedAt?: string;
  finishedAt?: string;
  /** The BOXLITE_TRACEPARENT the box got, and the span (trace id, span id) it names. */
  traceparent?: string;
  traceparentSpan?: { traceId: string; spanId: string };
}

/** One sample of a box's engine stats. */
export interface BoxStats {
  boxId: string;
  /** ms since epoch */
  at: number;
  /** Percent of one CPU (100 = one full core), as `docker stats` computes it. */
  cpuPercent: number;
  memBytes: number;
  memLimitBytes: number;
}

/** An item of a terminal session (`boxes:exec`): output as it comes, then its end. */
export type ExecEvent =
  | { kind: 'started'; sessionId: string; shell: string }
  | { kind: 'output'; data: string }
  | { kind: 'exit'; exitCode: number };
