/**
 * The registry probe: asks `/v2/` (and the manifest) what the engine would
 * hear, following Basic and Bearer challenges, so a failed pull or a login
 * test can say 401 / 403 / TLS / unreachable / manifest unknown plainly.
 */
import type { RegistryCheckOutcome } from '../../../shared/models.js';
import type { Credential } from '../credentials/types.js';
import { parseChallenges, type Challenge } from './challenge.js';
import { apiHost } from './reference.js';
import { request, trustFor, type Reply } from './http.js';

export { trustFor };

export interface ProbeOptions {
  registry: string;
  /** With a repository the token asks for `repository:NAME:pull` and the manifest is checked. */
  repository?: string;
  /** Tag or digest to HEAD. */
  reference?: string;
  credential?: Credential;
  insecure?: boolean;
  env: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** Where Docker keeps per-registry CAs; tests leave it at the default. */
  certsDir?: string;
}

export interface ProbeResult {
  outcome: RegistryCheckOutcome;
  message: string;
}

const TLS_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_UNTRUSTED',
  'EPROTO',
  'ERR_SSL_WRONG_VERSION_NUMBER',
]);

class ProbeFailure extends Error {
  constructor(
    readonly outcome: RegistryCheckOutcome,
    message: string,
  ) {
    super(message);
  }
}

/** sourceDetail of a credential typed in to be tested or saved (the UI's form, `boxscope login`). */
export const ENTERED = 'entered';

function describeSource(c: Credential | undefined): string {
  if (!c) return 'no credentials';
  if (c.sourceDetail === ENTERED) return `the credentials entered${c.username ? ` (user ${c.username})` : ''}`;
  return `credentials from ${c.sourceDetail}${c.username ? ` (user ${c.username})` : ''}`;
}

function networkFailure(err: unknown, host: string): ProbeFailure {
  const code = (err as { code?: string }).code ?? '';
  if (TLS_CODES.has(code) || /certificate|ssl|tls/i.test((err as Error).message ?? '')) {
    return new ProbeFailure(
      'tls-untrusted',
      `TLS certificate of ${host} is not trusted (${code || 'handshake failed'}): add its CA to /etc/docker/certs.d/${host}/ca.crt (and NODE_EXTRA_CA_CERTS), or list it in INSECURE_REGISTRIES`,
    );
  }
  const proxy = (err as { proxy?: string }).proxy;
  if (proxy) {
    return new ProbeFailure(
      'unreachable',
      `Registry ${host} is unreachable through the proxy ${proxy} (${code || (err as Error).message}): check HTTPS_PROXY / HTTP_PROXY, or list ${host} in NO_PROXY`,
    );
  }
  return new ProbeFailure(
    'unreachable',
    `Registry ${host} is unreachable (${code || (err as Error).message}): check the address and that it is running`,
  );
}

/** A 407 is the proxy's answer, not the registry's: say which login is missing. */
function proxyLogin(reply: Reply, host: string): Reply {
  if (reply.status === 407 && reply.proxy) {
    throw new ProbeFailure(
      'unreachable',
      `The proxy ${reply.proxy} refused to reach ${host} without a login (407): put user:password in HTTPS_PROXY (http://user:password@proxy:port), or list ${host} in NO_PROXY`,
    );
  }
  return reply;
}

/**
 * Whether a secret may be sent to a token realm, as the Docker CLI does: to the realm the registry's
 * own challenge names (ghcr.io names ghcr.io/token, Docker Hub names auth.docker.io, a registry may
 * name any token service), when that challenge came over verified TLS and the realm is HTTPS. The
 * registry the credential is for could ask for it with a Basic challenge anyway, so naming a realm
 * gives it nothing more; what is refused is a challenge anyone on the path could have written
 * (plain HTTP) and a realm that would put the secret on the wire in clear text.
 */
export function realmMayGetSecret(realm: URL, challengeOverTls: boolean): boolean {
  return challengeOverTls && realm.protocol === 'https:';
}

export async function probeRegistry(o: ProbeOptions): Promise<ProbeResult> {
  const host = apiHost(o.registry);
  const ca = trustFor(host, o.env, o.certsDir);
  const timeoutMs = o.timeoutMs ?? 10_000;
  const cred = o.insecure ? undefined : o.credential;
  const basic = cred?.secret
    ? 'Basic ' + Buffer.from(`${cred.username ?? ''}:${cred.secret}`).toString('base64')
    : undefined;
  let scheme: 'https' | 'http' = 'https';

  const call = async (p: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> => {
    const url = new URL(`${scheme}://${host}${p}`);
    let reply: Reply;
    try {
      reply = await request(url, { method, headers, ca, insecure: !!o.insecure, timeoutMs, env: o.env });
    } catch (err) {
      throw networkFailure(err, host);
    }
    return proxyLogin(reply, host);
  };

  try {
    let ping: Reply;
    try {
      ping = await call('/v2/');
    } catch (err) {
      // INSECURE_REGISTRIES may serve plain HTTP.
      if (!o.insecure) throw err;
      scheme = 'http';
      ping = await call('/v2/');
    }
    let authHeader: string | undefined;
    if (ping.status === 401) {
      const challenges = parseChallenges(ping.headers['www-authenticate'] as string | undefined);
      const bearer = challenges.find((c) => c.scheme === 'bearer');
      const basicCh = challenges.find((c) => c.scheme === 'basic');
      if (bearer) authHeader = await bearerToken(bearer, o, host, cred, basic, ca, timeoutMs, scheme === 'https');
      else if (basicCh) {
        if (!basic) throw unauthorized(o, host, cred);
        authHeader = basic;
      } else throw unauthorized(o, host, cred);
      const again = await call('/v2/', { authorization: authHeader });
      if (again.status === 401) throw unauthorized(o, host, cred);
      if (again.status === 403) throw forbidden(o, host, cred);
      if (again.status >= 400) throw new ProbeFailure('error', `Registry ${host} answered ${again.status} to /v2/`);
    } else if (ping.status === 403) {
      throw forbidden(o, host, cred);
    } else if (ping.status === 404) {
      throw new ProbeFailure('error', `${host} does not speak the registry API (/v2/ answered 404)`);
    } else if (ping.status >= 400) {
      throw new ProbeFailure('error', `Registry ${host} answered ${ping.status} to /v2/`);
    }

    if (o.repository) {
      const ref = o.reference ?? 'latest';
      const m = await call(
        `/v2/${o.repository}/manifests/${ref}`,
        {
          ...(authHeader ? { authorization: authHeader } : {}),
          accept: [
            'application/vnd.oci.image.index.v1+json',
            'application/vnd.oci.image.manifest.v1+json',
            'application/vnd.docker.distribution.manifest.list.v2+json',
            'application/vnd.docker.distribution.manifest.v2+json',
          ].join(', '),
        },
        'HEAD',
      );
      if (m.status === 404) {
        return {
          outcome: 'not-found',
          message: `Manifest unknown: ${o.registry}/${o.repository}${ref.includes(':') ? '@' : ':'}${ref} does not exist in ${host}`,
        };
      }
      if (m.status === 401) throw cred ? forbidden(o, host, cred) : unauthorized(o, host, cred);
      if (m.status === 403) throw forbidden(o, host, cred);
      if (m.status >= 400)
        throw new ProbeFailure('error', `Registry ${host} answered ${m.status} for ${o.repository}:${ref}`);
    }
    return {
      outcome: 'ok',
      message: `${host}: ${cred ? `${describeSource(cred)} accepted` : 'reachable without credentials'}`,
    };
  } catch (err) {
    if (err instanceof ProbeFailure) return { outcome: err.outcome, message: err.message };
    return { outcome: 'error', message: `Probe of ${host} failed: ${(err as Error).message?.split('\n')[0]}` };
  }
}

function unauthorized(o: ProbeOptions, host: string, cred: Credential | undefined): ProbeFailure {
  if (!cred) {
    const hint = o.insecure
      ? `${host} is in INSECURE_REGISTRIES, so no credential is sent to it`
      : `set credentials for it (boxscope login ${o.registry}${o.registry === 'ghcr.io' ? ', or GHCR_USERNAME/GHCR_TOKEN' : ''})`;
    return new ProbeFailure(
      'unauthorized',
      `401 Unauthorized from ${host}: no credentials were found for ${o.registry}; ${hint}`,
    );
  }
  return new ProbeFailure(
    'unauthorized',
    `401 Unauthorized from ${host}: ${describeSource(cred)} were rejected; check the user name and token`,
  );
}

function forbidden(o: ProbeOptions, host: string, cred: Credential | undefined): ProbeFailure {
  const what = o.repository ? `pull ${o.repository}` : 'use this registry';
  return new ProbeFailure(
    'forbidden',
    `403 Forbidden from ${host}: ${describeSource(cred)} may not ${what}: the token lacks read access to ${o.repository ? 'that package' : 'it'} (the pull scope${o.registry === 'ghcr.io' ? '; on GitHub, read:packages' : ''})`,
  );
}

async function bearerToken(
  ch: Challenge,
  o: ProbeOptions,
  host: string,
  cred: Credential | undefined,
  basic: string | undefined,
  ca: string[],
  timeoutMs: number,
  challengeOverTls: boolean,
): Promise<string> {
  const realm = ch.params.realm;
  if (!realm) throw new ProbeFailure('error', `${host} sent a Bearer challenge without a realm`);
  let url: URL;
  try {
    url = new URL(realm);
  } catch {
    throw new ProbeFailure('error', `${host} sent an invalid token realm`);
  }
  if (ch.params.service) url.searchParams.set('service', ch.params.service);
  if (o.repository) url.searchParams.set('scope', `repository:${o.repository}:pull`);
  const mayAuth = realmMayGetSecret(url, challengeOverTls && !o.insecure);
  let reply: Reply;
  try {
    if (cred?.identityToken && mayAuth) {
      const body = new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: cred.identityToken,
        service: ch.params.service ?? host,
        ...(o.repository ? { scope: `repository:${o.repository}:pull` } : {}),
        client_id: 'boxscope',
      });
      reply = await request(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: body.toString(),
        ca,
        insecure: !!o.insecure,
        timeoutMs,
        env: o.env,
      });
    } else {
      reply = await request(url, {
        headers: basic && mayAuth ? { authorization: basic } : {},
        ca,
        insecure: !!o.insecure,
        timeoutMs,
        env: o.env,
      });
    }
  } catch (err) {
    throw networkFailure(err, url.host);
  }
  proxyLogin(reply, url.host);
  if (reply.status === 401) throw unauthorized(o, host, mayAuth ? cred : undefined);
  if (reply.status === 403) throw forbidden(o, host, cred);
  if (reply.status >= 400) throw new ProbeFailure('error', `Token endpoint of ${host} answered ${reply.status}`);
  let token: string | undefined;
  try {
    const j = JSON.parse(reply.body) as { token?: string; access_token?: string };
    token = j.token ?? j.access_token;
  } catch {
    token = undefined;
  }
  if (!token) throw new ProbeFailure('error', `Token endpoint of ${host} returned no token`);
  return `Bearer ${token}`;
}

/** Maps a probe outcome to the error code a failed pull reports. */
export function outcomeCode(outcome: RegistryCheckOutcome) {
  switch (outcome) {
    case 'unauthorized':
      return 'REGISTRY_UNAUTHORIZED' as const;
    case 'forbidden':
      return 'REGISTRY_FORBIDDEN' as const;
    case 'tls-untrusted':
      return 'REGISTRY_TLS' as const;
    case 'unreachable':
      return 'REGISTRY_UNREACHABLE' as const;
    case 'not-found':
      return 'MANIFEST_UNKNOWN' as const;
    default:
      return 'INTERNAL' as const;
  }
}
