/**
 * Which proxy a registry request goes through, by the rules `docker pull`
 * itself follows (Go's net/http ProxyFromEnvironment): HTTPS_PROXY for
 * https URLs and HTTP_PROXY for http ones (upper case first, then lower),
 * NO_PROXY as a comma list of `*`, host names (`example.com` and
 * `.example.com` both match the domain and its subdomains), IPs and CIDR
 * ranges, each optionally with `:port`; `localhost` and loopback addresses
 * are never proxied. Read from the core's env (not process.env), which is
 * why the matching is here and not from a library that reads process.env.
 * The tunnel itself is https-proxy-agent's / http-proxy-agent's.
 */
import type http from 'node:http';
import net from 'node:net';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';

const pick = (env: NodeJS.ProcessEnv, name: string) => env[name.toUpperCase()] || env[name.toLowerCase()] || '';

function ipInCidr(ip: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split('/');
  const bits = Number(bitsText);
  const family = net.isIP(ip);
  if (!family || family !== net.isIP(base) || !Number.isInteger(bits)) return false;
  const list = new net.BlockList();
  list.addSubnet(base, bits, family === 6 ? 'ipv6' : 'ipv4');
  return list.check(ip, family === 6 ? 'ipv6' : 'ipv4');
}

function isLoopback(host: string): boolean {
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (net.isIPv4(host)) return host.startsWith('127.');
  return net.isIPv6(host) && (host === '::1' || host === '0:0:0:0:0:0:0:1');
}

/** Whether NO_PROXY exempts host[:port]. */
export function noProxyMatches(noProxy: string, hostname: string, port: number): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  for (const raw of noProxy.split(',')) {
    let entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') return true;
    if (entry.includes('/')) {
      if (ipInCidr(host, entry)) return true;
      continue;
    }
    let entryPort: number | undefined;
    const m = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(entry);
    if (m) {
      entry = m[1];
      entryPort = Number(m[2]);
    }
    entry = entry.replace(/^\[|\]$/g, '');
    if (entryPort !== undefined && entryPort !== port) continue;
    if (net.isIP(entry)) {
      if (entry === host) return true;
      continue;
    }
    const domain = entry.replace(/^\*?\./, '');
    if (host === domain || host.endsWith(`.${domain}`)) return true;
  }
  return false;
}

/** The proxy URL for `url`, or undefined to go direct. */
export function proxyFor(url: URL, env: NodeJS.ProcessEnv): URL | undefined {
  const proxy = pick(env, url.protocol === 'https:' ? 'https_proxy' : 'http_proxy');
  if (!proxy) return undefined;
  const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  if (isLoopback(hostname) || noProxyMatches(pick(env, 'no_proxy'), hostname, port)) return undefined;
  try {
    // A bare `host:port` means http://host:port, as Go reads it.
    return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(proxy) ? proxy : `http://${proxy}`);
  } catch {
    return undefined;
  }
}

/** The proxy's address without its credentials, for messages. */
export function describeProxy(proxy: URL): string {
  return `${proxy.protocol}//${proxy.host}`;
}

/** An agent tunnelling `url` through its proxy, or undefined to go direct. */
export function proxyAgentFor(url: URL, env: NodeJS.ProcessEnv): { agent: http.Agent; proxy: URL } | undefined {
  const proxy = proxyFor(url, env);
  if (!proxy) return undefined;
  const agent = url.protocol === 'https:' ? new HttpsProxyAgent(proxy) : new HttpProxyAgent(proxy);
  return { agent, proxy };
}
