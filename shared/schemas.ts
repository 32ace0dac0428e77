/**
 * Runtime validation of every call's and stream's argument, done once at the
 * core's entry for every host (Electron, browser mode, the CLI). zod is pure,
 * so this stays in shared/.
 */
import { z } from 'zod';
import type { ArgOf, Channel, StreamArgOf, StreamName } from './api.js';
import { TRACE_ID_RE } from './constants.js';
import { BoxscopeError } from './errors.js';
import { PULL_POLICIES, RESTART_POLICIES } from './models.js';

const id = z.string().min(1).max(200);
const traceId = z.string().trim().toLowerCase().regex(TRACE_ID_RE, 'a trace id is 32 hex characters');
const none = z
  .undefined()
  .or(z.null())
  .transform(() => undefined);

const sourceName = z
  .string()
  .trim()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/,
    'a source name is letters, digits, . _ - (up to 64), starting with a letter or digit',
  );

const word = z.string().max(32_768);
const argv = z.array(word).max(1000);
const mount = z.strictObject({
  type: z.enum(['bind', 'volume']),
  source: z.string().min(1).max(4096),
  target: z.string().min(1).max(4096),
  readOnly: z.boolean().optional(),
});
const port = z.strictObject({
  containerPort: z.number().int(),
  hostPort: z.number().int().optional(),
  hostIp: z.string().max(64).optional(),
  protocol: z.enum(['tcp', 'udp']).optional(),
});
// Shapes only: the rules (shared/launch-rules.ts) are the runner's, so a refusal names the field in words.
const launch = z.strictObject({
  image: z.string().min(1).max(500),
  name: z.string().max(200).optional(),
  env: z.record(z.string().min(1).max(200), z.string().max(32_768)).optional(),
  network: z.string().max(100).optional(),
  pull: z.enum(PULL_POLICIES).optional(),
  cmd: argv.optional(),
  entrypoint: argv.optional(),
  workdir: z.string().max(4096).optional(),
  user: z.string().max(200).optional(),
  mounts: z.array(mount).max(100).optional(),
  ports: z.array(port).max(200).optional(),
  labels: z.record(z.string().min(1).max(500), z.string().max(4096)).optional(),
  restart: z.enum(RESTART_POLICIES).optional(),
  restartMaxRetries: z.number().int().optional(),
  traceparent: z.string().max(100).optional(),
  tracestate: z.string().max(512).optional(),
  daemon: z.boolean().optional(),
  requestId: id.optional(),
});

const boxRef = z.strictObject({ boxId: id });
const stopTimeout = z.number().int().min(0).max(3600).optional();
const sessionId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'a session id is 8-64 letters, digits, _ or -');

/** One schema per channel; `satisfies` keeps this map in step with ApiChannels. */
export const CHANNEL_SCHEMAS = {
  'app:info': none,
  'engine:status': none,
  'engine:contexts': none,
  'engine:use': z.strictObject({ context: z.string().min(1).max(200) }),
  'boxes:list': none,
  'boxes:launch': launch,
  'boxes:validate': launch,
  'boxes:start': boxRef,
  'boxes:restart': z.strictObject({ boxId: id, timeout: stopTimeout }),
  'boxes:stop': z.strictObject({ boxId: id, timeout: stopTimeout }),
  'boxes:remove': boxRef,
  'boxes:logs': z.strictObject({ boxId: id, tail: z.number().int().min(0).max(1_000_000).optional() }),
  'boxes:inspect': boxRef,
  // One keystroke or one paste: a paste over 1 MiB is refused rather than cut.
  'boxes:execInput': z.strictObject({ sessionId, data: z.string().max(1024 * 1024) }),
  'boxes:execResize': z.strictObject({
    sessionId,
    cols: z.number().int().min(1).max(1000),
    rows: z.number().int().min(1).max(1000),
  }),
  'registries:list': none,
  'registries:save': z.strictObject({
    key: z.string().min(1).max(500),
    username: z.string().min(1).max(500),
    secret: z.string().min(1).max(16_384),
    acceptInsecureStore: z.boolean().optional(),
  }),
  'registries:remove': z.strictObject({ key: z.string().min(1).max(500) }),
  'registries:test': z.strictObject({
    key: z.string().min(1).max(500),
    username: z.string().max(500).optional(),
    secret: z.string().max(16_384).optional(),
  }),
  'registries:forImage': z.strictObject({ image: z.string().min(1).max(500) }),
  'registries:storeStatus': none,
  'traces:list': z
    .strictObject({ boxId: id.optional(), limit: z.number().int().min(1).max(10_000).optional() })
    .optional()
    .transform((v) => v ?? {}),
  'traces:get': z.strictObject({ traceId }),
  'traces:span': z.strictObject({ traceId, spanId: z.string().regex(/^[0-9a-f]{16}$/) }),
  'traces:search': z.strictObject({
    traceId,
    query: z.string().max(2000),
    limit: z.number().int().min(1).max(2_000_000).optional(),
  }),
  'traces:export': z.strictObject({ traceId }),
  // Text sent whole in one message; bigger files go as a stream (traces:importFile, browser mode's upload).
  'traces:import': z.strictObject({
    fileName: z.string().max(1000),
    content: z
      .string()
      .max(
        64 * 1024 * 1024,
        'a trace file sent as text may have at most 64 MiB; open it from the Traces page, which streams it',
      ),
  }),
  'traces:recordUi': z.strictObject({ otlpJson: z.string().max(16 * 1024 * 1024) }),
  'traces:fetch': z.strictObject({ traceId, from: z.string().trim().min(1).max(2000).optional() }),
  'sources:list': none,
  'sources:save': z.strictObject({ name: sourceName, url: z.string().trim().min(1).max(2000) }),
  'sources:remove': z.strictObject({ name: sourceName }),
} satisfies { [C in Channel]: z.ZodType<unknown> };

export const STREAM_SCHEMAS = {
  'boxes:changed': none,
  'pull:progress': none,
  'logs:follow': z.strictObject({
    boxId: id,
    tail: z.number().int().min(0).max(100_000).optional(),
    timestamps: z.boolean().optional(),
  }),
  'boxes:exec': z.strictObject({
    boxId: id,
    sessionId,
    cmd: z.array(word).min(1).max(100).optional(),
    cols: z.number().int().min(1).max(1000),
    rows: z.number().int().min(1).max(1000),
  }),
  'boxes:stats': z
    .strictObject({ boxId: id.optional() })
    .optional()
    .transform((v) => v ?? {}),
  'traces:spans': z
    .strictObject({ traceId: traceId.optional() })
    .optional()
    .transform((v) => v ?? {}),
  'traces:columns': z.strictObject({ traceId }),
  'traces:importFile': z.strictObject({ path: z.string().min(1).max(4096) }),
} satisfies { [S in StreamName]: z.ZodType<unknown> };

export function isStream(name: unknown): name is StreamName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(STREAM_SCHEMAS, name);
}

export function isChannel(name: unknown): name is Channel {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(CHANNEL_SCHEMAS, name);
}

function check(schema: z.ZodType<unknown>, name: string, arg: unknown): unknown {
  const r = schema.safeParse(arg);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const where = issue && issue.path.length ? issue.path.join('.') : 'argument';
  throw new BoxscopeError('INVALID_INPUT', `Invalid ${where} for ${name}: ${issue?.message ?? 'bad input'}`);
}

/** Validates a call's channel and argument; throws INVALID_INPUT naming the first bad field (never echoing values). */
export function parseCall(channel: unknown, arg: unknown): { channel: Channel; arg: unknown } {
  if (!isChannel(channel)) throw new BoxscopeError('INVALID_INPUT', `Unknown channel ${describe(channel)}`);
  return { channel, arg: check(CHANNEL_SCHEMAS[channel], channel, arg) };
}

/** The same for a stream's name and argument. */
export function parseListen(stream: unknown, arg: unknown): { stream: StreamName; arg: unknown } {
  if (!isStream(stream)) throw new BoxscopeError('INVALID_INPUT', `Unknown stream ${describe(stream)}`);
  return { stream, arg: check(STREAM_SCHEMAS[stream], stream, arg) };
}

export function parseArg<C extends Channel>(channel: C, arg: unknown): ArgOf<C> {
  return parseCall(channel, arg).arg as ArgOf<C>;
}

export function parseStreamArg<S extends StreamName>(stream: S, arg: unknown): StreamArgOf<S> {
  return parseListen(stream, arg).arg as StreamArgOf<S>;
}

/** A name as a short quoted string, whatever was sent (an object, a number, a long string). */
function describe(name: unknown): string {
  return JSON.stringify(typeof name === 'string' ? name.slice(0, 80) : typeof name);
}
