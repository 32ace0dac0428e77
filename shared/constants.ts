/** Names fixed by the BoxLite contract (docs/CONTRACTS.md). Pure data: no DOM, no Node built-ins. */
import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';
import { ATTR_CONTAINER_ID } from '@opentelemetry/semantic-conventions/incubating';

export const ENV = {
  boxId: 'BOXLITE_BOX_ID',
  traceparent: 'BOXLITE_TRACEPARENT',
  tracestate: 'BOXLITE_TRACESTATE',
  otelEndpoint: 'BOXLITE_OTEL_ENDPOINT',
  otelTraceparent: 'TRACEPARENT',
  otelTracestate: 'TRACESTATE',
  otlpEndpoint: 'OTEL_EXPORTER_OTLP_ENDPOINT',
  otlpHeaders: 'OTEL_EXPORTER_OTLP_HEADERS',
} as const;

/** Env names a user may not set on a box: the runner owns them. */
export const RESERVED_BOX_ENV: readonly string[] = Object.values(ENV);

/** Env read by the app itself. */
export const APP_ENV = {
  home: 'BOXSCOPE_HOME',
  dockerHost: 'DOCKER_HOST',
  ghcrUser: 'GHCR_USERNAME',
  ghcrToken: 'GHCR_TOKEN',
  dockerhubUser: 'DOCKERHUB_USERNAME',
  dockerhubToken: 'DOCKERHUB_TOKEN',
  insecureRegistries: 'INSECURE_REGISTRIES',
  otlpForward: 'OTEL_EXPORTER_OTLP_ENDPOINT',
} as const;

/** Header that authenticates a box's OTLP export to the receiver. */
export const BOX_AUTH_HEADER = 'box-auth-token';

export const SERVICE = {
  ui: 'boxscope-ui',
  runner: 'boxscope-runner',
  daemon: 'boxlite-daemon',
} as const;

export const SPAN = {
  boxCreate: 'box.create',
  registryAuth: 'registry.auth',
  imagePull: 'image.pull',
  containerCreate: 'container.create',
  containerStart: 'container.start',
  daemonWait: 'daemon.wait',
  sandboxBoot: 'sandbox.boot',
  /** Newer BoxLite daemons name the boot phase this way; treated as sandboxBoot. */
  boxBoot: 'box.boot',
  processStart: 'process.start',
  processExit: 'process.exit',
  /** Root of a trace of its own for each start after the launch (start, restart), linked to the launch's trace. */
  boxStart: 'box.start',
  /** One terminal session in a box, in the box's latest trace. */
  boxExec: 'box.exec',
} as const;

export const ATTR = {
  boxId: 'boxlite.box.id',
  errorType: ATTR_ERROR_TYPE,
  registry: 'boxscope.registry',
  credentialSource: 'boxscope.credential.source',
  imageRef: 'boxscope.image.reference',
  imageDigest: 'boxscope.image.digest',
  pullBytes: 'boxscope.pull.bytes',
  pullLayers: 'boxscope.pull.layers',
  containerId: ATTR_CONTAINER_ID,
  /** On the daemon's sandbox.boot: its child ended before the daemon booted (an exit at once). */
  exitedAtOnce: 'boxlite.process.exited_at_once',
} as const;

/** Docker labels the runner puts on every box, so the list survives a restart. */
export const LABEL = {
  boxId: 'boxlite.box.id',
  traceId: 'boxlite.trace.id',
  name: 'boxlite.box.name',
  image: 'boxlite.image',
  managedBy: 'boxscope.managed',
} as const;

/** UI hooks for QA (docs/CONTRACTS.md, "Test ids"). */
export const TEST_ID = {
  launchImage: 'launch-image',
  launchSubmit: 'launch-submit',
  boxRow: 'box-row',
  pullProgress: 'pull-progress',
  traceTimeline: 'trace-timeline',
  spanRow: 'span-row',
  spanDetail: 'span-detail',
  errorBanner: 'error-banner',
  registrySettings: 'registry-settings',
  launchCommand: 'launch-command',
  launchEntrypoint: 'launch-entrypoint',
  launchWorkdir: 'launch-workdir',
  launchMounts: 'launch-mounts',
  launchPorts: 'launch-ports',
  boxStart: 'box-start',
  boxRestart: 'box-restart',
  boxStop: 'box-stop',
  boxRemove: 'box-remove',
  /** The confirmation a Remove opens (Enter removes, Escape keeps the box). */
  boxRemoveConfirm: 'box-remove-confirm',
  boxTerminal: 'box-terminal',
  boxInspect: 'box-inspect',
  boxStats: 'box-stats',
  traceFilter: 'trace-filter',
} as const;

/** What the inspect view shows instead of a secret env value (the box's OTLP token). */
export const SECRET_MASK = "•••••• (hidden: the box's own receiver token)";

export const DEFAULT_OTLP_PORT = 4318;

/** A W3C trace id as the store and every API keep it: 32 lowercase hex characters. */
export const TRACE_ID_RE = /^[0-9a-f]{32}$/;
