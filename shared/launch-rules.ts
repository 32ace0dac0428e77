/**
 * The rules a launch request must follow, once, for the core (which refuses a
 * request breaking them) and the launch form (which shows the same words
 * inline, field by field). Also the docker-like spellings the CLI and the form
 * accept for mounts, ports and labels (`-v SRC:DST[:ro]`, `-p [IP:]HOST:BOX[/udp]`,
 * `--label K=V`). Pure: no DOM, no Node built-ins. What only the core can know
 * (does a host path exist, is a port free) is checked there, with the same
 * LaunchProblem shape.
 */
import { RESERVED_BOX_ENV } from './constants.js';
import type { LaunchProblem, LaunchSpec, MountSpec, PortSpec, RestartPolicy } from './models.js';
import { PULL_POLICIES, RESTART_POLICIES } from './models.js';

export const BOX_NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;
export const ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
const VOLUME_NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
const USER_RE = /^[a-zA-Z0-9_][a-zA-Z0-9_.-]*(:[a-zA-Z0-9_][a-zA-Z0-9_.-]*)?$/;
const LABEL_KEY_RE = /^[a-zA-Z0-9][a-zA-Z0-9_./-]*$/;
/** Label prefixes Boxscope writes itself (docs/CONTRACTS.md, "Docker labels"). */
export const RESERVED_LABEL_PREFIXES = ['boxlite.', 'boxscope.'] as const;
/** Where Boxscope mounts its own files in a box: no user mount may sit at or under it. */
export const RESERVED_BOX_DIR = '/.boxlite';

const isAbs = (p: string) => p.startsWith('/');

function underOrAt(p: string, dir: string): boolean {
  const n = p.replace(/\/+$/, '') || '/';
  return n === dir || n.startsWith(dir + '/');
}

/** `SRC:DST[:ro|rw]` — SRC a host path (a bind; the rules want it absolute) or a volume name. */
export function parseMount(text: string): MountSpec {
  const t = text.trim();
  const parts = t.split(':');
  let readOnly = false;
  if (parts.length === 3) {
    const mode = parts.pop()!;
    if (mode !== 'ro' && mode !== 'rw') throw new Error(`"${t}": the mode after the second ':' is ro or rw`);
    readOnly = mode === 'ro';
  }
  if (parts.length !== 2 || !parts[0] || !parts[1])
    throw new Error(`"${t}" is not SOURCE:TARGET[:ro] (a host path or volume name, then a path in the box)`);
  const [source, target] = parts;
  // A volume name never holds '/' nor starts with '.': such a SRC is a host path (the rules then say it must be absolute).
  const bind = isAbs(source) || source.startsWith('.') || source.includes('/');
  return { type: bind ? 'bind' : 'volume', source, target, ...(readOnly ? { readOnly } : {}) };
}

export function formatMount(m: MountSpec): string {
  return `${m.source}:${m.target}${m.readOnly ? ':ro' : ''}`;
}

/** `[IP:][HOST:]BOX[/tcp|udp]`, e.g. `8080:80`, `127.0.0.1:8080:80/tcp`, `80` (the engine picks the host port). */
export function parsePort(text: string): PortSpec {
  const t = text.trim();
  let rest = t;
  let protocol: 'tcp' | 'udp' | undefined;
  const slash = rest.lastIndexOf('/');
  if (slash >= 0) {
    const p = rest.slice(slash + 1);
    if (p !== 'tcp' && p !== 'udp') throw new Error(`"${t}": the protocol after '/' is tcp or udp`);
    protocol = p;
    rest = rest.slice(0, slash);
  }
  const parts = rest.split(':');
  if (parts.length > 3 || parts.some((p, i) => !p && !(i === 1 && parts.length === 3)))
    throw new Error(`"${t}" is not [IP:][HOST_PORT:]BOX_PORT[/udp]`);
  const num = (s: string, what: string): number => {
    if (!/^\d+$/.test(s)) throw new Error(`"${t}": ${what} "${s}" is not a number`);
    return Number(s);
  };
  const containerPort = num(parts[parts.length - 1], 'the box port');
  const hostPort =
    parts.length >= 2 && parts[parts.length - 2] ? num(parts[parts.length - 2], 'the host port') : undefined;
  const hostIp = parts.length === 3 ? parts[0] : undefined;
  return {
    containerPort,
    ...(hostPort !== undefined ? { hostPort } : {}),
    ...(hostIp ? { hostIp } : {}),
    ...(protocol ? { protocol } : {}),
  };
}

export function formatPort(p: PortSpec): string {
  const udp = p.protocol === 'udp' ? '/udp' : '';
  if (p.hostIp) return `${p.hostIp}:${p.hostPort || ''}:${p.containerPort}${udp}`;
  return `${p.hostPort ? `${p.hostPort}:` : ''}${p.containerPort}${udp}`;
}

/** `KEY=VALUE` (VALUE may be empty or hold '='). */
export function parseLabel(text: string): [string, string] {
  const i = text.indexOf('=');
  if (i <= 0) throw new Error(`"${text.trim()}" is not KEY=VALUE`);
  return [text.slice(0, i).trim(), text.slice(i + 1)];
}

/**
 * A command line as the form's one-line fields take it: words split on
 * spaces, with '…' and "…" quoting and \\ escapes, like a shell without
 * expansion. The CLI takes argv as given.
 */
export function splitCommand(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < text.length) cur += text[++i];
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < text.length) {
      cur += text[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (quote) throw new Error(`unclosed ${quote} quote`);
  if (inWord) out.push(cur);
  return out;
}

/** Words back into one line `splitCommand` reads the same. */
export function joinCommand(argv: readonly string[]): string {
  return argv.map((a) => (a && /^[A-Za-z0-9_./:=@%+,-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

function checkPort(p: PortSpec, i: number, out: LaunchProblem[]): void {
  const f = `ports.${i}`;
  const ok = (n: unknown) => Number.isInteger(n) && (n as number) >= 1 && (n as number) <= 65535;
  if (!ok(p.containerPort)) out.push({ field: f, message: `Box port ${p.containerPort} is not between 1 and 65535` });
  if (p.hostPort !== undefined && p.hostPort !== 0 && !ok(p.hostPort))
    out.push({ field: f, message: `Host port ${p.hostPort} is not between 1 and 65535` });
  if (p.hostIp !== undefined && !/^(\d{1,3}(\.\d{1,3}){3}|::1?|[0-9a-fA-F:]+)$/.test(p.hostIp))
    out.push({ field: f, message: `Host address "${p.hostIp}" is not an IP address` });
  if (p.protocol !== undefined && p.protocol !== 'tcp' && p.protocol !== 'udp')
    out.push({ field: f, message: 'The protocol is tcp or udp' });
}

function checkMount(m: MountSpec, i: number, out: LaunchProblem[]): void {
  const f = `mounts.${i}`;
  if (m.type === 'bind' && !isAbs(m.source))
    out.push({ field: f, message: `Host path "${m.source}" must be absolute (start with /)` });
  if (m.type === 'volume' && !VOLUME_NAME_RE.test(m.source))
    out.push({ field: f, message: `Volume name "${m.source}" may use letters, digits, '_', '.', '-'` });
  if (m.type !== 'bind' && m.type !== 'volume') out.push({ field: f, message: 'A mount is a bind or a volume' });
  if (!isAbs(m.target)) out.push({ field: f, message: `Box path "${m.target}" must be absolute (start with /)` });
  else if (underOrAt(m.target, RESERVED_BOX_DIR))
    out.push({ field: f, message: `${RESERVED_BOX_DIR} is where Boxscope mounts its own files: mount elsewhere` });
  if (/[\0\n]/.test(m.source + m.target)) out.push({ field: f, message: 'A path may not hold a newline or NUL' });
}

/**
 * Every problem of a request that needs no engine and no file system, in the
 * order of the form's fields. Empty: the core will try it.
 */
export function launchProblems(spec: Partial<LaunchSpec>): LaunchProblem[] {
  const out: LaunchProblem[] = [];
  if (typeof spec.image !== 'string' || !spec.image.trim())
    out.push({ field: 'image', message: 'An image is required' });
  if (spec.name !== undefined && spec.name !== '' && !BOX_NAME_RE.test(spec.name))
    out.push({
      field: 'name',
      message: `Invalid box name "${spec.name}": start with a letter or digit, then letters, digits, '_', '.', '-'`,
    });
  for (const k of Object.keys(spec.env ?? {})) {
    if (!ENV_NAME_RE.test(k)) out.push({ field: 'env', message: `Invalid environment variable name "${k}"` });
    else if (RESERVED_BOX_ENV.includes(k))
      out.push({ field: 'env', message: `${k} is set by Boxscope for every box and cannot be given by the user` });
  }
  if (spec.pull !== undefined && !PULL_POLICIES.includes(spec.pull))
    out.push({ field: 'pull', message: `Pull policy is one of ${PULL_POLICIES.join(', ')}` });
  if (spec.cmd && spec.cmd.some((a) => a.includes('\0')))
    out.push({ field: 'cmd', message: 'A command word may not hold NUL' });
  if (spec.entrypoint && spec.entrypoint.some((a) => a.includes('\0')))
    out.push({ field: 'entrypoint', message: 'An entrypoint word may not hold NUL' });
  if (spec.workdir !== undefined && spec.workdir !== '' && !isAbs(spec.workdir))
    out.push({ field: 'workdir', message: `Working directory "${spec.workdir}" must be absolute (start with /)` });
  if (spec.user !== undefined && spec.user !== '' && !USER_RE.test(spec.user))
    out.push({ field: 'user', message: `User "${spec.user}" is uid, uid:gid, name or name:group` });
  (spec.mounts ?? []).forEach((m, i) => checkMount(m, i, out));
  const targets = new Set<string>();
  for (const m of spec.mounts ?? []) {
    if (targets.has(m.target)) out.push({ field: 'mounts', message: `Two mounts at ${m.target}` });
    targets.add(m.target);
  }
  (spec.ports ?? []).forEach((p, i) => checkPort(p, i, out));
  const bound = new Set<string>();
  for (const p of spec.ports ?? []) {
    if (!p.hostPort) continue;
    const k = `${p.hostIp ?? '127.0.0.1'}:${p.hostPort}/${p.protocol ?? 'tcp'}`;
    if (bound.has(k)) out.push({ field: 'ports', message: `Host port ${k} is published twice` });
    bound.add(k);
  }
  if ((spec.ports ?? []).length && (spec.network ?? 'none') === 'none')
    out.push({
      field: 'ports',
      message: 'A box on network "none" has no ports to publish: choose a bridge network (or "host", which needs none)',
    });
  if ((spec.ports ?? []).length && spec.network === 'host')
    out.push({ field: 'ports', message: 'On network "host" the box already uses the host\'s ports: publish none' });
  for (const k of Object.keys(spec.labels ?? {})) {
    if (!LABEL_KEY_RE.test(k)) out.push({ field: 'labels', message: `Invalid label name "${k}"` });
    else if (RESERVED_LABEL_PREFIXES.some((p) => k.startsWith(p)))
      out.push({
        field: 'labels',
        message: `Label "${k}": names starting ${RESERVED_LABEL_PREFIXES.join(' or ')} are Boxscope's`,
      });
  }
  if (spec.restart !== undefined && !RESTART_POLICIES.includes(spec.restart))
    out.push({ field: 'restart', message: `Restart policy is one of ${RESTART_POLICIES.join(', ')}` });
  if (
    spec.restartMaxRetries !== undefined &&
    (!Number.isInteger(spec.restartMaxRetries) || spec.restartMaxRetries < 0 || spec.restartMaxRetries > 1000)
  )
    out.push({ field: 'restart', message: 'Maximum restarts is a whole number from 0 to 1000' });
  if (spec.restartMaxRetries && spec.restart !== 'on-failure')
    out.push({ field: 'restart', message: 'Maximum restarts applies to the on-failure policy only' });
  return out;
}

/** `no`, `on-failure[:N]`, `always`, `unless-stopped` (docker run's `--restart`). */
export function parseRestart(text: string): { restart: RestartPolicy; restartMaxRetries?: number } {
  const t = text.trim();
  const [name, max, ...rest] = t.split(':');
  if (!RESTART_POLICIES.includes(name as RestartPolicy) || rest.length)
    throw new Error(
      `"${t}" is not a restart policy: ${RESTART_POLICIES.join(', ')} (on-failure:N for at most N restarts)`,
    );
  if (max === undefined) return { restart: name as RestartPolicy };
  if (name !== 'on-failure') throw new Error(`"${t}": only on-failure takes a maximum (on-failure:N)`);
  if (!/^\d+$/.test(max)) throw new Error(`"${t}": the maximum after ':' is a whole number`);
  return { restart: 'on-failure', restartMaxRetries: Number(max) };
}

export function formatRestart(spec: Pick<LaunchSpec, 'restart' | 'restartMaxRetries'>): string {
  return `${spec.restart ?? 'no'}${spec.restart === 'on-failure' && spec.restartMaxRetries ? `:${spec.restartMaxRetries}` : ''}`;
}
