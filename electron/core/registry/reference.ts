/** Image references as the engine reads them: registry host, repository, tag or digest. Pure. */
import { BoxscopeError } from '../../../shared/errors.js';

export interface ImageRef {
  /** Canonical registry host: `docker.io` for Docker Hub whatever alias was written. */
  registry: string;
  /** Path inside the registry, e.g. `acme/private-box`, `library/busybox`. */
  repository: string;
  tag?: string;
  digest?: string;
  /** What the engine is asked to pull: `registry/repository:tag` or `@digest`. */
  canonical: string;
}

const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/** `index.docker.io`, `registry-1.docker.io` → `docker.io`; hosts lowercased. */
export function normalizeRegistry(host: string): string {
  const h = host
    .trim()
    .replace(/^https?:\/\//i, '')
    .replace(/\/.*$/, '')
    .toLowerCase();
  return DOCKER_HUB_ALIASES.has(h) ? 'docker.io' : h;
}

/** Host the registry API really answers on. */
export function apiHost(registry: string): string {
  return registry === 'docker.io' ? 'registry-1.docker.io' : registry;
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-fA-F0-9]{32,}$/;

export function parseReference(input: string): ImageRef {
  const raw = input.trim();
  const bad = (why: string) => new BoxscopeError('INVALID_INPUT', `Invalid image reference "${input}": ${why}`);
  if (!raw) throw bad('empty');
  let rest = raw;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw bad('malformed digest');
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw bad('malformed tag');
  }
  const parts = rest.split('/');
  let registry = 'docker.io';
  const first = parts[0];
  if (parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    registry = normalizeRegistry(first);
    parts.shift();
  }
  if (registry === 'docker.io' && parts.length === 1) parts.unshift('library');
  if (!parts.length || parts.some((p) => !COMPONENT.test(p)))
    throw bad('repository names are lowercase letters, digits and separators');
  if (!tag && !digest) tag = 'latest';
  const repository = parts.join('/');
  const canonical = `${registry}/${repository}${tag ? `:${tag}` : ''}${digest ? `@${digest}` : ''}`;
  return { registry, repository, tag, digest, canonical };
}

/**
 * Does a credential key (`host` or `host/repo/prefix/`) cover this image?
 * A prefix matches whole path components only, so `ghcr.io/acme/` never
 * covers `ghcr.io/acme-evil/x`.
 */
export function keyMatches(key: string, ref: ImageRef): boolean {
  const k = parseKey(key);
  if (k.registry !== ref.registry) return false;
  if (!k.prefix) return true;
  return `${ref.repository}/`.startsWith(k.prefix);
}

/** `GHCR.io/Acme` → `{registry: 'ghcr.io', prefix: 'acme/'}`; the key as stored is `registry/prefix`. */
export function parseKey(key: string): { registry: string; prefix: string; key: string } {
  const trimmed = key.trim().replace(/^https?:\/\//i, '');
  const slash = trimmed.indexOf('/');
  const registry = normalizeRegistry(slash < 0 ? trimmed : trimmed.slice(0, slash));
  let prefix =
    slash < 0
      ? ''
      : trimmed
          .slice(slash + 1)
          .replace(/^\/+/, '')
          .toLowerCase();
  if (prefix && !prefix.endsWith('/')) prefix += '/';
  if (!registry || /\s/.test(registry)) throw new BoxscopeError('INVALID_INPUT', `Invalid registry "${key}"`);
  return { registry, prefix, key: `${registry}${prefix ? `/${prefix}` : ''}` };
}

/** Longest key first, so `ghcr.io/acme/team/` beats `ghcr.io/acme/` beats `ghcr.io`. */
export function byLongestKey<T extends { key: string }>(a: T, b: T): number {
  return parseKey(b.key).key.length - parseKey(a.key).key.length;
}
