/**
 * Runtime validation of every channel's argument, for the hosts that take
 * input from a renderer they do not trust (Electron IPC, browser-mode
 * WebSocket). zod is pure, so this stays in shared/.
 */
import { z } from 'zod';
import type { ArgOf, Channel } from './api.js';
import { BoxscopeError } from './errors.js';

const id = z.string().min(1).max(200);
const traceId = z.string().regex(/^[0-9a-f]{32}$/, 'a traceId is 32 lowercase hex characters');
const none = z
  .undefined()
  .or(z.null())
  .transform(() => undefined);

const launch = z.strictObject({
  image: z.string().min(1).max(500),
  name: z.string().max(200).optional(),
  env: z.record(z.string().min(1).max(200), z.string().max(32_768)).optional(),
  network: z.string().max(100).optional(),
  pull: z.enum(['always', 'missing', 'never']).optional(),
  traceparent: z.string().max(100).optional(),
  tracestate: z.string().max(512).optional(),
  daemon: z.boolean().optional(),
  requestId: id.optional(),
});

/** One schema per channel; `satisfies` keeps this map in step with ApiChannels. */
export const CHANNEL_SCHEMAS = {
  'app:info': none,
  'engine:status': none,
  'boxes:list': none,
  'boxes:launch': launch,
  'boxes:cancel': z.strictObject({ requestId: id }),
  'boxes:stop': z.strictObject({ boxId: id }),
  'boxes:remove': z.strictObject({ boxId: id }),
  'boxes:logs': z.strictObject({ boxId: id, tail: z.number().int().min(0).max(1_000_000).optional() }),
  'boxes:followLogs': z.strictObject({ boxId: id }),
  'boxes:unfollowLogs': z.strictObject({ boxId: id }),
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
  'traces:export': z.strictObject({ traceId }),
  // Trace files are large by nature; the hosts cap whole messages separately.
  'traces:import': z.strictObject({ fileName: z.string().max(1000), content: z.string().max(512 * 1024 * 1024) }),
  'traces:recordUi': z.strictObject({ otlpJson: z.string().max(16 * 1024 * 1024) }),
} satisfies { [C in Channel]: z.ZodType<unknown> };

export function isChannel(name: unknown): name is Channel {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(CHANNEL_SCHEMAS, name);
}

/** Validates a channel's argument; throws INVALID_INPUT naming the first bad field (never echoing values). */
export function parseArg<C extends Channel>(channel: C, arg: unknown): ArgOf<C> {
  const r = CHANNEL_SCHEMAS[channel].safeParse(arg);
  if (r.success) return r.data as ArgOf<C>;
  const issue = r.error.issues[0];
  const where = issue && issue.path.length ? issue.path.join('.') : 'argument';
  throw new BoxscopeError('INVALID_INPUT', `Invalid ${where} for ${channel}: ${issue?.message ?? 'bad input'}`);
}
