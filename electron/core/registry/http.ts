/** The registry probe's HTTP: whom it trusts and how one request goes (direct, or through the env's proxy). */
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import tls from 'node:tls';
import { describeProxy, proxyAgentFor } from './proxy.js';

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The proxy it went through, without credentials. */
  proxy?: string;
}

/** System roots + NODE_EXTRA_CA_CERTS from the core's env (not process.env): whom any HTTPS request of the core trusts. */
export function baseTrust(env: NodeJS.ProcessEnv): string[] {
  const cas = [...tls.rootCertificates];
  const extra = env.NODE_EXTRA_CA_CERTS;
  if (extra) {
    try {
      cas.push(fs.readFileSync(extra, 'utf8'));
    } catch {
      // A missing extra-CA file only narrows trust; the request then reports TLS plainly.
    }
  }
  return cas;
}

/** baseTrust + /etc/docker/certs.d/HOST/*.crt. */
export function trustFor(registry: string, env: NodeJS.ProcessEnv, certsDir = '/etc/docker/certs.d'): string[] {
  const cas = baseTrust(env);
  const dir = path.join(certsDir, registry);
  try {
    for (const f of fs.readdirSync(dir)) if (f.endsWith('.crt')) cas.push(fs.readFileSync(path.join(dir, f), 'utf8'));
  } catch {
    // No per-registry CA directory.
  }
  return cas;
}

export function request(
  url: URL,
  o: {
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    ca: string[];
    insecure: boolean;
    timeoutMs: number;
    /** The core's env: HTTPS_PROXY / HTTP_PROXY / NO_PROXY (see proxy.ts). */
    env: NodeJS.ProcessEnv;
  },
): Promise<Reply> {
  const via = proxyAgentFor(url, o.env);
  return new Promise<Reply>((resolve, reject) => {
    const lib = url.protocol === 'http:' ? http : https;
    const req = lib.request(
      url,
      {
        ...(via ? { agent: via.agent } : {}),
        method: o.method ?? 'GET',
        headers: {
          'user-agent': 'boxscope-probe',
          ...o.headers,
          ...(o.body !== undefined ? { 'content-length': String(Buffer.byteLength(o.body)) } : {}),
        },
        ...(url.protocol === 'https:' ? { ca: o.ca, rejectUnauthorized: !o.insecure } : {}),
        timeout: o.timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size < 256 * 1024) chunks.push(c);
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            ...(via ? { proxy: describeProxy(via.proxy) } : {}),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end(o.body);
  }).catch((err: unknown) => {
    // Say which proxy was in the way (never its credentials).
    if (via && err instanceof Error) Object.assign(err, { proxy: describeProxy(via.proxy) });
    throw err;
  });
}
