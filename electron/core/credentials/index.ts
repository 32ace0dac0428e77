/**
 * Credential resolution for an image, first match wins (docs/CONTRACTS.md, credentials):
 * app-saved (longest key first) → env pairs → Docker's config. Hosts in
 * INSECURE_REGISTRIES never get a credential.
 */
import fs from 'node:fs';
import { BoxscopeError } from '../../../shared/errors.js';
import type { CredentialInfo, SaveCredentialRequest, SecretStoreStatus } from '../../../shared/models.js';
import type { SecretBackend } from '../contracts.js';
import { byLongestKey, keyMatches, normalizeRegistry, parseKey, type ImageRef } from '../registry/reference.js';
import { backendNamed, defaultBackend } from './backends.js';
import { dockerConfigCredential, listDockerConfig } from './docker-config.js';
import { envCredentials, insecureRegistries } from './env.js';
import { toInfo, type Credential } from './types.js';

export { toInfo, type Credential } from './types.js';

interface SavedEntry {
  key: string;
  registry: string;
  username: string;
  backend: string;
  savedAt: number;
}

export interface CredentialsOptions {
  home: string;
  /** Non-secret metadata file (ctx.paths.registries). */
  metadataFile: string;
  env: NodeJS.ProcessEnv;
  secretBackend?: SecretBackend;
}

export interface Resolution {
  credential?: Credential;
  insecure: boolean;
  warnings: string[];
}

export class Credentials {
  constructor(private readonly o: CredentialsOptions) {}

  private readSaved(): SavedEntry[] {
    try {
      const j = JSON.parse(fs.readFileSync(this.o.metadataFile, 'utf8')) as { entries?: SavedEntry[] };
      return Array.isArray(j.entries) ? j.entries : [];
    } catch {
      return [];
    }
  }

  private writeSaved(entries: SavedEntry[]): void {
    const tmp = `${this.o.metadataFile}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify({ version: 1, entries }, null, 2), { mode: 0o600 });
    fs.renameSync(tmp, this.o.metadataFile);
  }

  backend(): SecretBackend {
    return defaultBackend(this.o.env, this.o.home, this.o.secretBackend);
  }

  storeStatus(): SecretStoreStatus {
    const b = this.backend();
    return b.secure
      ? { backend: b.name, secure: true }
      : {
          backend: b.name,
          secure: false,
          message: `Saved secrets would be kept in a ${b.name} that any process of this user can read; initialise \`pass\` (docker-credential-pass) for encryption, or accept the plaintext store explicitly.`,
        };
  }

  isInsecure(registry: string): boolean {
    return insecureRegistries(this.o.env, normalizeRegistry).has(registry);
  }

  envWarnings(): string[] {
    return envCredentials(this.o.env).warnings;
  }

  private async loadSaved(e: SavedEntry): Promise<Credential | undefined> {
    const b = backendNamed(e.backend, this.o.env, this.o.home, this.o.secretBackend);
    if (!b)
      throw new BoxscopeError(
        'SECRET_STORE',
        `The secret for ${e.key} is kept by ${e.backend}, which is not available in this host`,
      );
    const got = await b.get(e.key);
    if (!got) return undefined;
    return {
      key: e.key,
      registry: e.registry,
      source: 'app',
      sourceDetail: `saved in Boxscope (${b.name})`,
      username: got.username,
      secret: got.secret,
      readOnly: false,
    };
  }

  async resolve(ref: ImageRef): Promise<Resolution> {
    const warnings = envCredentials(this.o.env).warnings;
    if (this.isInsecure(ref.registry)) return { insecure: true, warnings };
    const saved = this.readSaved()
      .filter((e) => keyMatches(e.key, ref))
      .sort(byLongestKey);
    for (const e of saved) {
      try {
        const c = await this.loadSaved(e);
        if (c) return { credential: c, insecure: false, warnings };
      } catch (err) {
        // e.g. saved by the desktop app in safeStorage and read by the CLI: fall through to the next source.
        warnings.push((err as Error).message);
      }
    }
    const fromEnv = envCredentials(this.o.env).entries.find((c) => c.registry === ref.registry);
    if (fromEnv) return { credential: fromEnv, insecure: false, warnings };
    const fromDocker = await dockerConfigCredential(ref.registry, this.o.env);
    return { credential: fromDocker, insecure: false, warnings };
  }

  /** The credential a `registries:test` of this key would use (saved → env → docker). */
  async forKey(key: string): Promise<Credential | undefined> {
    const k = parseKey(key);
    // The prefix itself, so only this key or broader ones match (never a narrower `host/x/` entry).
    const repo = k.prefix.replace(/\/$/, '');
    const ref: ImageRef = { registry: k.registry, repository: repo, canonical: `${k.registry}/${repo}` };
    const saved = this.readSaved().find((e) => parseKey(e.key).key === k.key);
    if (saved) {
      const c = await this.loadSaved(saved);
      if (c) return c;
    }
    return (await this.resolve(ref)).credential;
  }

  async list(): Promise<CredentialInfo[]> {
    const out: CredentialInfo[] = this.readSaved()
      .sort(byLongestKey)
      .map((e) => ({
        key: e.key,
        registry: e.registry,
        source: 'app',
        sourceDetail: `saved in Boxscope (${e.backend})`,
        username: e.username,
        readOnly: false,
      }));
    for (const c of envCredentials(this.o.env).entries) out.push(toInfo(c));
    for (const c of await listDockerConfig(this.o.env)) out.push(toInfo(c));
    return out;
  }

  async save(req: SaveCredentialRequest): Promise<CredentialInfo> {
    const k = parseKey(req.key);
    if (!req.username) throw new BoxscopeError('INVALID_INPUT', 'A username is required');
    if (!req.secret) throw new BoxscopeError('INVALID_INPUT', 'A password or token is required');
    if (this.isInsecure(k.registry))
      throw new BoxscopeError(
        'INVALID_INPUT',
        `${k.registry} is listed in INSECURE_REGISTRIES: Boxscope never sends credentials to it`,
      );
    const b = this.backend();
    if (!b.secure && !req.acceptInsecureStore) {
      throw new BoxscopeError(
        'INSECURE_STORE',
        `The only secret store here is a ${b.name} (not encrypted): set up \`pass\` (bash scripts/setup.sh does), or accept the plaintext store explicitly`,
        { backend: b.name },
      );
    }
    await b.set(k.key, req.username, req.secret);
    const saved = this.readSaved();
    const previous = saved.find((e) => parseKey(e.key).key === k.key);
    // Re-saved in another store (e.g. plaintext file → pass): the old copy must not stay behind unreferenced.
    if (previous && previous.backend !== b.name)
      await backendNamed(previous.backend, this.o.env, this.o.home, this.o.secretBackend)
        ?.delete(previous.key)
        .catch(() => undefined);
    const entries = saved.filter((e) => parseKey(e.key).key !== k.key);
    entries.push({ key: k.key, registry: k.registry, username: req.username, backend: b.name, savedAt: Date.now() });
    this.writeSaved(entries);
    return {
      key: k.key,
      registry: k.registry,
      source: 'app',
      sourceDetail: `saved in Boxscope (${b.name})`,
      username: req.username,
      readOnly: false,
    };
  }

  async remove(key: string): Promise<void> {
    const k = parseKey(key);
    const all = this.readSaved();
    const entry = all.find((e) => parseKey(e.key).key === k.key);
    if (!entry) throw new BoxscopeError('INVALID_INPUT', `No credential saved in Boxscope for ${k.key}`);
    const b = backendNamed(entry.backend, this.o.env, this.o.home, this.o.secretBackend);
    if (b) await b.delete(entry.key);
    this.writeSaved(all.filter((e) => e !== entry));
  }

  async forImage(ref: ImageRef): Promise<CredentialInfo | null> {
    const r = await this.resolve(ref);
    return r.credential ? toInfo(r.credential) : null;
  }
}

/** The engine's authconfig for a credential: only ever built for the credential's own registry. */
export function authconfigFor(c: Credential | undefined, ref: ImageRef): Record<string, string> | undefined {
  if (!c || c.registry !== ref.registry) return undefined;
  const serveraddress = ref.registry === 'docker.io' ? 'https://index.docker.io/v1/' : ref.registry;
  if (c.identityToken) return { identitytoken: c.identityToken, serveraddress };
  if (!c.secret) return undefined;
  return { username: c.username ?? '', password: c.secret, serveraddress };
}
