/**
 * The core in Electron's utility process (no `electron` import: it talks to
 * main through `process.parentPort` only). Every MessagePort main hands over
 * is one window's session of the wire protocol; secrets go through main.
 */
import { toErrorInfo } from '../../shared/errors.js';
import type { WireMessage } from '../../shared/wire.js';
import type { SecretBackend } from '../core/contracts.js';
import { createCore, type Core } from '../core/service.js';
import { serveWire } from '../host-common/wire-server.js';
import { parseSecretReply } from '../host-common/secret-protocol.js';

export interface PortLike {
  on(event: 'message', listener: (e: { data: unknown }) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  postMessage(msg: unknown): void;
  start(): void;
}

/** Electron's `process.parentPort` shape. */
export interface ParentPortLike {
  on(event: 'message', listener: (e: { data: unknown; ports: PortLike[] }) => void): unknown;
  postMessage(msg: unknown): void;
}

export interface CoreProcessOptions {
  home?: string;
  otlpPort?: number;
  env?: NodeJS.ProcessEnv;
}

function secretClient(parent: ParentPortLike) {
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let nextId = 1;
  const request = (msg: Record<string, unknown>): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      parent.postMessage({ type: 'secret', id, ...msg });
    });
  const receive = (raw: unknown): boolean => {
    const r = parseSecretReply(raw);
    if (!r) return false;
    const p = pending.get(r.id);
    pending.delete(r.id);
    if (r.ok) p?.resolve(r.value);
    else p?.reject(new Error(r.message));
    return true;
  };
  return { request, receive };
}

/** Whether a secret result has the shape the core expects (main is trusted, but not its bugs). */
function asCredential(v: unknown): { username: string; secret: string } | undefined {
  const c = v as { username?: unknown; secret?: unknown } | null;
  return c && typeof c.username === 'string' && typeof c.secret === 'string'
    ? { username: c.username, secret: c.secret }
    : undefined;
}

export async function runCoreProcess(parent: ParentPortLike, opts: CoreProcessOptions = {}): Promise<Core> {
  const secrets = secretClient(parent);
  const sessions = new Set<{ close(): void }>();
  let core: Core | undefined;
  const waiting: PortLike[] = [];

  const attach = (c: Core, port: PortLike) => {
    const session = serveWire(c, (msg: WireMessage) => port.postMessage(msg));
    sessions.add(session);
    port.on('message', (e) => session.receive(e.data));
    port.on('close', () => {
      session.close();
      sessions.delete(session);
    });
    port.start();
  };

  parent.on('message', (e) => {
    if (secrets.receive(e.data)) return;
    const type = (e.data as { type?: unknown } | null)?.type;
    if (type === 'connect' && e.ports?.[0]) {
      if (core) attach(core, e.ports[0]);
      else waiting.push(e.ports[0]);
    } else if (type === 'quit') {
      for (const s of sessions) s.close();
      void (core?.close() ?? Promise.resolve()).finally(() => process.exit(0));
    }
  });

  const info = (await secrets.request({ op: 'info' })) as { name?: unknown; secure?: unknown };
  const secretBackend: SecretBackend = {
    name: typeof info?.name === 'string' ? info.name : 'safeStorage',
    secure: info?.secure === true,
    async get(key) {
      return asCredential(await secrets.request({ op: 'get', key }));
    },
    async set(key, username, secret) {
      await secrets.request({ op: 'set', key, username, secret });
    },
    async delete(key) {
      await secrets.request({ op: 'delete', key });
    },
  };
  try {
    core = await createCore({
      host: 'electron',
      home: opts.home,
      env: opts.env,
      otlpPort: opts.otlpPort,
      secretBackend,
    });
  } catch (err) {
    parent.postMessage({ type: 'fatal', message: toErrorInfo(err).message });
    throw err;
  }
  for (const port of waiting.splice(0)) attach(core, port);
  parent.postMessage({ type: 'ready' });
  return core;
}
