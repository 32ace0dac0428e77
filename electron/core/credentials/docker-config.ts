/** Docker's own configuration: `$DOCKER_CONFIG/config.json` (default ~/.docker) auths, credHelpers, credsStore. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { normalizeRegistry } from '../registry/reference.js';
import { helperGet, helperList } from './helper.js';
import type { Credential } from './types.js';

interface DockerConfigFile {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

export function dockerConfigPath(env: NodeJS.ProcessEnv): string {
  const dir = env.DOCKER_CONFIG || path.join(env.HOME || os.homedir(), '.docker');
  return path.join(dir, 'config.json');
}

function display(env: NodeJS.ProcessEnv): string {
  return env.DOCKER_CONFIG ? `$DOCKER_CONFIG/config.json` : '~/.docker/config.json';
}

export function readDockerConfig(env: NodeJS.ProcessEnv): DockerConfigFile {
  try {
    return JSON.parse(fs.readFileSync(dockerConfigPath(env), 'utf8')) as DockerConfigFile;
  } catch {
    return {};
  }
}

/** The server URL Docker itself hands to credential helpers for a registry. */
function helperServerURL(registry: string): string {
  return registry === 'docker.io' ? 'https://index.docker.io/v1/' : registry;
}

function fromAuth(
  registry: string,
  a: NonNullable<DockerConfigFile['auths']>[string],
  env: NodeJS.ProcessEnv,
): Credential | undefined {
  let username = a.username;
  let secret = a.password;
  if (a.auth) {
    const decoded = Buffer.from(a.auth, 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    if (i > 0) {
      username = decoded.slice(0, i);
      secret = decoded.slice(i + 1);
    }
  }
  if (!secret && !a.identitytoken) return undefined;
  return {
    key: registry,
    registry,
    source: 'docker-config',
    sourceDetail: display(env),
    username,
    secret: secret || undefined,
    identityToken: a.identitytoken || undefined,
    readOnly: true,
  };
}

/**
 * The Docker CLI's order: a per-registry credHelper, then credsStore, then
 * the secret in auths (with a credsStore, the CLI keeps only a marker there).
 */
export async function dockerConfigCredential(
  registry: string,
  env: NodeJS.ProcessEnv,
): Promise<Credential | undefined> {
  const cfg = readDockerConfig(env);
  const helper = Object.entries(cfg.credHelpers ?? {}).find(([host]) => normalizeRegistry(host) === registry)?.[1];
  if (helper) {
    const got = await helperGet(helper, helperServerURL(registry), env).catch(() => undefined);
    if (got) return helperCred(registry, helper, got.username, got.secret);
    return undefined;
  }
  if (cfg.credsStore) {
    for (const url of registry === 'docker.io' ? [helperServerURL(registry)] : [registry, `https://${registry}`]) {
      const got = await helperGet(cfg.credsStore, url, env).catch(() => undefined);
      if (got) return helperCred(registry, cfg.credsStore, got.username, got.secret);
    }
  }
  for (const [host, a] of Object.entries(cfg.auths ?? {})) {
    if (normalizeRegistry(host) !== registry) continue;
    const c = fromAuth(registry, a, env);
    if (c) return c;
  }
  return undefined;
}

function helperCred(registry: string, helper: string, username: string, secret: string): Credential {
  const token = username === '<token>';
  return {
    key: registry,
    registry,
    source: 'docker-cred-helper',
    sourceDetail: `docker-credential-${helper}`,
    username: token ? undefined : username,
    secret: token ? undefined : secret,
    identityToken: token ? secret : undefined,
    readOnly: true,
  };
}

/** Registries Docker's config knows about, without their secrets (for the settings list). */
export async function listDockerConfig(env: NodeJS.ProcessEnv): Promise<Credential[]> {
  const cfg = readDockerConfig(env);
  const out = new Map<string, Credential>();
  for (const [host, helper] of Object.entries(cfg.credHelpers ?? {})) {
    const registry = normalizeRegistry(host);
    out.set(registry, {
      key: registry,
      registry,
      source: 'docker-cred-helper',
      sourceDetail: `docker-credential-${helper}`,
      readOnly: true,
    });
  }
  for (const [host, a] of Object.entries(cfg.auths ?? {})) {
    const registry = normalizeRegistry(host);
    if (out.has(registry)) continue;
    const c = fromAuth(registry, a, env);
    if (c) out.set(registry, { ...c, secret: undefined, identityToken: undefined });
  }
  if (cfg.credsStore) {
    for (const [url, username] of Object.entries(await helperList(cfg.credsStore, env).catch(() => ({})))) {
      if (url.startsWith('boxscope:')) continue;
      const registry = normalizeRegistry(url);
      if (!out.has(registry))
        out.set(registry, {
          key: registry,
          registry,
          source: 'docker-cred-helper',
          sourceDetail: `docker-credential-${cfg.credsStore}`,
          username,
          readOnly: true,
        });
    }
  }
  return [...out.values()];
}
