/**
 * Which engine to talk to, decided as the Docker CLI decides it:
 *   1. a context asked for by name (`--context`, the UI's engine switch: BOXSCOPE_DOCKER_CONTEXT)
 *   2. DOCKER_HOST (with DOCKER_TLS_VERIFY / DOCKER_TLS and DOCKER_CERT_PATH)
 *   3. DOCKER_CONTEXT
 *   4. `currentContext` in $DOCKER_CONFIG/config.json
 *   5. the default socket
 * A named context comes from Docker's context store: the endpoint in
 * $DOCKER_CONFIG/contexts/meta/<sha256 of the name>/meta.json and its TLS
 * material in contexts/tls/<same>/docker/{ca,cert,key}.pem. All read from the
 * core's env, never the process's.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import { BoxscopeError } from '../../../shared/errors.js';
import { sshOptions } from './ssh.js';

export const DEFAULT_SOCKET = '/var/run/docker.sock';

export type EngineSource = 'flag' | 'DOCKER_HOST' | 'DOCKER_CONTEXT' | 'config' | 'default';

export interface EngineTarget {
  /** `default` when no context is in use. */
  context: string;
  source: EngineSource;
  /** The endpoint as Docker writes it: unix:///…, tcp://host:port, ssh://user@host. */
  host: string;
  /** As shown to the user: `context ci-tls at tcp://127.0.0.1:2376` or `unix:///var/run/docker.sock (default)`. */
  label: string;
  tls: 'none' | 'verify' | 'no-verify';
  /** Where its TLS material came from, for messages. */
  certPath?: string;
  options: Docker.DockerOptions;
}

export interface ContextInfo {
  name: string;
  host: string;
  description?: string;
}

const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

export function dockerConfigDir(env: NodeJS.ProcessEnv): string {
  return env.DOCKER_CONFIG || path.join(env.HOME || os.homedir(), '.docker');
}

function fail(message: string): never {
  throw new BoxscopeError('ENGINE_UNREACHABLE', message);
}

interface ContextMeta {
  Name?: string;
  Metadata?: { Description?: string };
  Endpoints?: { docker?: { Host?: string; SkipTLSVerify?: boolean } };
}

function readMeta(dir: string): ContextMeta | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')) as ContextMeta;
  } catch {
    return undefined;
  }
}

/** The contexts in Docker's store (not `default`, which is always there). */
export function listContexts(env: NodeJS.ProcessEnv): ContextInfo[] {
  const metaDir = path.join(dockerConfigDir(env), 'contexts', 'meta');
  let dirs: string[];
  try {
    dirs = fs.readdirSync(metaDir);
  } catch {
    return [];
  }
  const out: ContextInfo[] = [];
  for (const d of dirs) {
    const m = readMeta(path.join(metaDir, d));
    const host = m?.Endpoints?.docker?.Host;
    if (m?.Name && host) out.push({ name: m.Name, host, description: m.Metadata?.Description || undefined });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

function currentContext(env: NodeJS.ProcessEnv): string | undefined {
  try {
    const cfg = JSON.parse(fs.readFileSync(path.join(dockerConfigDir(env), 'config.json'), 'utf8')) as {
      currentContext?: unknown;
    };
    return typeof cfg.currentContext === 'string' && cfg.currentContext ? cfg.currentContext : undefined;
  } catch {
    return undefined;
  }
}

function readTls(dir: string, where: string): { ca?: Buffer; cert?: Buffer; key?: Buffer } {
  const read = (f: string) => {
    try {
      return fs.readFileSync(path.join(dir, f));
    } catch (err) {
      if ((err as { code?: string }).code === 'ENOENT') return undefined;
      fail(`${where}: cannot read ${path.join(dir, f)} (${(err as { code?: string }).code ?? 'error'})`);
    }
  };
  return { ca: read('ca.pem'), cert: read('cert.pem'), key: read('key.pem') };
}

/** dockerode options for one endpoint; every field set, so docker-modem's own DOCKER_HOST defaults never leak in. */
function optionsFor(
  host: string,
  where: string,
  tls: EngineTarget['tls'],
  material: { ca?: Buffer; cert?: Buffer; key?: Buffer },
  env: NodeJS.ProcessEnv,
): Docker.DockerOptions {
  const blank = {
    socketPath: undefined,
    host: undefined,
    port: undefined,
    protocol: undefined,
    ca: undefined,
    cert: undefined,
    key: undefined,
    username: undefined,
    sshOptions: undefined,
    agent: undefined,
  };
  if (host.startsWith('unix://')) return { ...blank, socketPath: host.slice('unix://'.length) || DEFAULT_SOCKET };
  let url: URL;
  try {
    url = new URL(host.includes('://') ? host : `tcp://${host}`);
  } catch {
    fail(`${where} is not a valid engine address (expected unix:///path, tcp://host:port or ssh://user@host)`);
  }
  if (url.protocol === 'ssh:') {
    const target = {
      host: url.hostname,
      port: Number(url.port || 22),
      username: url.username || env.USER || undefined,
    };
    return {
      ...blank,
      protocol: 'ssh',
      ...target,
      sshOptions: sshOptions(target, env) as Docker.DockerOptions['sshOptions'],
    };
  }
  if (url.protocol !== 'tcp:' && url.protocol !== 'http:' && url.protocol !== 'https:') {
    fail(`${where}: only unix://, tcp:// and ssh:// engines are supported`);
  }
  const secure = tls !== 'none';
  const opts: Docker.DockerOptions = {
    ...blank,
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: Number(url.port || (secure ? 2376 : 2375)),
    protocol: secure ? 'https' : 'http',
  };
  if (tls === 'verify') Object.assign(opts, { ca: material.ca, cert: material.cert, key: material.key });
  // SkipTLSVerify: docker-modem has no switch for it, but takes the agent requests go through.
  if (tls === 'no-verify')
    Object.assign(opts, {
      agent: new https.Agent({ rejectUnauthorized: false, cert: material.cert, key: material.key }),
    });
  return opts;
}

function named(name: string, source: EngineSource, env: NodeJS.ProcessEnv): EngineTarget {
  // `default` is the engine without a context: DOCKER_HOST, or the default socket.
  if (name === 'default') {
    const dockerHost = env.DOCKER_HOST?.trim();
    return dockerHost ? fromDockerHost(dockerHost, env) : fromDefault(source, env);
  }
  const id = sha256(name);
  const root = path.join(dockerConfigDir(env), 'contexts');
  const meta = readMeta(path.join(root, 'meta', id));
  const where = `context ${name}`;
  const host = meta?.Endpoints?.docker?.Host;
  if (!meta || !host) {
    const from = source === 'DOCKER_CONTEXT' ? ' (DOCKER_CONTEXT)' : source === 'config' ? ' (currentContext)' : '';
    fail(
      `Docker context "${name}"${from} does not exist in ${root}: create it with docker context create, or pick another`,
    );
  }
  const tlsDir = path.join(root, 'tls', id, 'docker');
  const material = readTls(tlsDir, where);
  const tls: EngineTarget['tls'] = meta.Endpoints?.docker?.SkipTLSVerify
    ? 'no-verify'
    : material.ca || material.cert || host.startsWith('https://')
      ? 'verify'
      : 'none';
  return {
    context: name,
    source,
    host,
    label: `context ${name} at ${host}`,
    tls,
    certPath: tls === 'none' ? undefined : tlsDir,
    options: optionsFor(host, where, tls, material, env),
  };
}

function fromDefault(source: EngineSource, env: NodeJS.ProcessEnv): EngineTarget {
  const host = `unix://${DEFAULT_SOCKET}`;
  return {
    context: 'default',
    source,
    host,
    label: `${host} (default)`,
    tls: 'none',
    options: optionsFor(host, 'the default engine', 'none', {}, env),
  };
}

function fromDockerHost(raw: string, env: NodeJS.ProcessEnv): EngineTarget {
  const verify = !!env.DOCKER_TLS_VERIFY && env.DOCKER_TLS_VERIFY !== '0';
  const tls: EngineTarget['tls'] = verify
    ? 'verify'
    : (env.DOCKER_TLS && env.DOCKER_TLS !== '0') || raw.startsWith('https://')
      ? 'no-verify'
      : 'none';
  const certPath = env.DOCKER_CERT_PATH || dockerConfigDir(env);
  const where = `DOCKER_HOST "${raw}"`;
  return {
    context: 'default',
    source: 'DOCKER_HOST',
    host: raw,
    label: `${raw} (DOCKER_HOST)`,
    tls,
    certPath: tls === 'none' ? undefined : certPath,
    options: optionsFor(raw, where, tls, tls === 'none' ? {} : readTls(certPath, where), env),
  };
}

/** The engine the core's env points at. */
export function resolveEngine(env: NodeJS.ProcessEnv): EngineTarget {
  const flag = env.BOXSCOPE_DOCKER_CONTEXT?.trim();
  if (flag) return named(flag, 'flag', env);
  const dockerHost = env.DOCKER_HOST?.trim();
  if (dockerHost) return fromDockerHost(dockerHost, env);
  const fromEnv = env.DOCKER_CONTEXT?.trim();
  if (fromEnv) return named(fromEnv, 'DOCKER_CONTEXT', env);
  const current = currentContext(env);
  if (current) return named(current, 'config', env);
  return fromDefault('default', env);
}
