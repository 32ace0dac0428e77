/**
 * The Docker engine connection: where to look (DOCKER_HOST from the core's
 * env, not the process's, so tests and hosts can point elsewhere) and the
 * one clear error when nothing answers there.
 */
import Docker from 'dockerode';
import { BoxscopeError } from '../../../shared/errors.js';
import type { EngineStatus } from '../../../shared/models.js';
import { resolveEngine, type EngineTarget } from './context.js';
import { sshRefusal } from './ssh.js';

export interface EngineEndpoint {
  /** As shown to the user: `unix:///var/run/docker.sock (default)`, the DOCKER_HOST value, or `context NAME at HOST`. */
  label: string;
  options: Docker.DockerOptions;
  target: EngineTarget;
}

export function engineEndpoint(env: NodeJS.ProcessEnv): EngineEndpoint {
  const target = resolveEngine(env);
  return { label: target.label, options: target.options, target };
}

const cache = new Map<string, Docker>();

/** One dockerode client per endpoint; cheap to call. */
export function connectEngine(env: NodeJS.ProcessEnv): Docker {
  const { target, options } = engineEndpoint(env);
  const key = JSON.stringify([target.context, target.host, target.tls, target.certPath]);
  let d = cache.get(key);
  if (!d) {
    d = new Docker(options);
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

/** TLS failures talking to a tcp:// engine: the engine is there, but this client cannot talk to it. */
const TLS_UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function tlsWhy(err: unknown, target: EngineTarget): string | undefined {
  const code = String((err as { code?: unknown } | null)?.code ?? '');
  const message = String((err as { message?: unknown } | null)?.message ?? '');
  const where =
    target.source === 'DOCKER_HOST' ? 'DOCKER_CERT_PATH' : `the context's TLS files (${target.certPath ?? 'none'})`;
  if (TLS_UNTRUSTED.has(code))
    return code === 'ERR_TLS_CERT_ALTNAME_INVALID'
      ? `its certificate is not for this host name — check the endpoint and ${where}`
      : `certificate signed by unknown authority — check ca.pem in ${where}`;
  if (/certificate required|bad certificate|unknown ca|handshake failure/i.test(message) || code.startsWith('ERR_SSL_'))
    return `the engine refused this client's certificate — check cert.pem and key.pem in ${where}`;
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number/i.test(message))
    return 'it does not speak TLS there — check DOCKER_TLS_VERIFY and the port';
  return undefined;
}

/** True when the error means "no engine answered", as opposed to an engine that said no. */
export function isConnectError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return false;
  return CONNECT_CODES.has(code) || TLS_UNTRUSTED.has(code) || code.startsWith('ERR_SSL_') || code === 'EPROTO';
}

/** ssh:// engines: a refused host key, a refused login, or no docker on the far side. */
function sshWhy(err: unknown, env: NodeJS.ProcessEnv): BoxscopeError | undefined {
  let target: EngineTarget;
  try {
    target = resolveEngine(env);
  } catch {
    return undefined;
  }
  if (target.options.protocol !== 'ssh') return undefined;
  const t = { host: String(target.options.host), port: Number(target.options.port) };
  const message = String((err as { message?: unknown } | null)?.message ?? '');
  const level = (err as { level?: unknown } | null)?.level;
  let why: string | undefined;
  if (/verification failed/i.test(message)) why = sshRefusal(t) ?? 'its host key was refused';
  else if (level === 'client-authentication' || /authentication methods failed/i.test(message))
    why = `the login was refused — load a key into ssh-agent (SSH_AUTH_SOCK) that ${target.options.username ?? 'the user'} may log in with`;
  else if (/dial-stdio|command not found|exit code/i.test(message))
    why = 'the docker CLI there could not reach its engine (docker system dial-stdio failed)';
  return why
    ? new BoxscopeError('ENGINE_UNREACHABLE', `${target.label}: ${why}`, { endpoint: target.label })
    : undefined;
}

/** Turns a dockerode failure into a BoxscopeError; engine-down errors name where the app looked. */
export function engineError(err: unknown, env: NodeJS.ProcessEnv, what = 'Docker request failed'): BoxscopeError {
  if (err instanceof BoxscopeError) return err;
  const ssh = sshWhy(err, env);
  if (ssh) return ssh;
  if (isConnectError(err)) {
    let target: EngineTarget;
    try {
      target = resolveEngine(env);
    } catch (e) {
      return e as BoxscopeError;
    }
    const tls = tlsWhy(err, target);
    if (tls) return new BoxscopeError('ENGINE_UNREACHABLE', `${target.label}: ${tls}`, { endpoint: target.label });
    const why = CONNECT_WHY[(err as { code: string }).code] ?? 'no answer';
    const hint =
      target.context !== 'default'
        ? `Check the context (docker context inspect ${target.context}) or pick another engine.`
        : 'Start dockerd or set DOCKER_HOST.';
    return new BoxscopeError('ENGINE_UNREACHABLE', `Docker engine not reachable at ${target.label}: ${why}. ${hint}`, {
      endpoint: target.label,
    });
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
    return { reachable: true, endpoint, context: resolveEngine(env).context, version: v.Version };
  } catch (err) {
    return { reachable: false, endpoint, message: engineError(err, env).message };
  }
}
