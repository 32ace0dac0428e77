/**
 * The Docker engine connection: where to look (DOCKER_HOST from the core's
 * env, not the process's, so tests and hosts can point elsewhere) and the
 * one clear error when nothing answers there.
 */
import Docker from 'dockerode';
import { BoxscopeError } from '../../../shared/errors.js';
import type { EngineStatus } from '../../../shared/models.js';

const DEFAULT_SOCKET = '/var/run/docker.sock';

export interface EngineEndpoint {
  /** As shown to the user: `unix:///var/run/docker.sock (default)` or the DOCKER_HOST value. */
  label: string;
  options: Docker.DockerOptions;
}

export function engineEndpoint(env: NodeJS.ProcessEnv): EngineEndpoint {
  const raw = env.DOCKER_HOST?.trim();
  if (!raw) return { label: `unix://${DEFAULT_SOCKET} (default)`, options: { socketPath: DEFAULT_SOCKET } };
  if (raw.startsWith('unix://')) {
    const socketPath = raw.slice('unix://'.length) || DEFAULT_SOCKET;
    return { label: `${raw} (DOCKER_HOST)`, options: { socketPath } };
  }
  let url: URL;
  try {
    url = new URL(raw.includes('://') ? raw : `tcp://${raw}`);
  } catch {
    throw new BoxscopeError(
      'ENGINE_UNREACHABLE',
      `DOCKER_HOST "${raw}" is not a valid engine address (expected unix:///path or tcp://host:port)`,
    );
  }
  if (url.protocol !== 'tcp:' && url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new BoxscopeError(
      'ENGINE_UNREACHABLE',
      `DOCKER_HOST "${raw}": only unix:// and tcp:// engines are supported`,
    );
  }
  const tls = url.protocol === 'https:' || env.DOCKER_TLS_VERIFY === '1' || url.port === '2376';
  return {
    label: `${raw} (DOCKER_HOST)`,
    options: { host: url.hostname, port: Number(url.port || (tls ? 2376 : 2375)), protocol: tls ? 'https' : 'http' },
  };
}

const cache = new Map<string, Docker>();

/** One dockerode client per endpoint; cheap to call. */
export function connectEngine(env: NodeJS.ProcessEnv): Docker {
  const ep = engineEndpoint(env);
  const key = JSON.stringify(ep.options);
  let d = cache.get(key);
  if (!d) {
    d = new Docker(ep.options);
    cache.set(key, d);
  }
  return d;
}

const CONNECT_CODES = new Set(['ECONNREFUSED', 'ENOENT', 'EACCES', 'ECONNRESET', 'EHOSTUNREACH', 'ETIMEDOUT', 'EPIPE']);

/** Each connect failure in words: a reset is not a refusal (the engine answered, then dropped the connection). */
const CONNECT_WHY: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOENT: 'no socket there',
  EACCES: 'permission denied',
  ECONNRESET: 'the connection was reset',
  EHOSTUNREACH: 'host unreachable',
  ETIMEDOUT: 'timed out',
  EPIPE: 'the connection was closed',
};

/** True when the error means "no engine answered", as opposed to an engine that said no. */
export function isConnectError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && CONNECT_CODES.has(code);
}

/** Turns a dockerode failure into a BoxscopeError; engine-down errors name where the app looked. */
export function engineError(err: unknown, env: NodeJS.ProcessEnv, what = 'Docker request failed'): BoxscopeError {
  if (err instanceof BoxscopeError) return err;
  if (isConnectError(err)) {
    const why = CONNECT_WHY[(err as { code: string }).code] ?? 'no answer';
    return new BoxscopeError(
      'ENGINE_UNREACHABLE',
      `Docker engine not reachable at ${engineEndpoint(env).label}: ${why}. Start dockerd or set DOCKER_HOST.`,
      { endpoint: engineEndpoint(env).label },
    );
  }
  return new BoxscopeError('INTERNAL', `${what}: ${engineMessage(err)}`);
}

/** The engine's own message, first line only. */
export function engineMessage(err: unknown): string {
  const e = err as { json?: { message?: string }; message?: string } | null;
  const msg = e?.json?.message ?? e?.message ?? String(err);
  return msg.split('\n')[0].replace(/^\(HTTP code \d+\)\s*[a-z ]*-\s*/i, '');
}

export function statusCodeOf(err: unknown): number | undefined {
  const s = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof s === 'number' ? s : undefined;
}

export async function engineStatus(env: NodeJS.ProcessEnv): Promise<EngineStatus> {
  let endpoint = 'unknown';
  try {
    endpoint = engineEndpoint(env).label;
    const v = await connectEngine(env).version();
    return { reachable: true, endpoint, version: v.Version };
  } catch (err) {
    return { reachable: false, endpoint, message: engineError(err, env).message };
  }
}
