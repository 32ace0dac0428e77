/** Where the app keeps its data, and which engine it talks to. Node only. */
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { APP_ENV } from '../../shared/constants.js';

export interface Paths {
  home: string;
  /** SQLite database: traces, box records, token hashes. */
  db: string;
  /** Non-secret registry metadata (keys, usernames, which backend holds the secret). */
  registries: string;
  /** Named trace sources (Jaeger query endpoints) a trace can be opened from. */
  traceSources: string;
  /** Private (0700): holds `boxes/<boxId>/`, each mounted into its own box only. */
  runDir: string;
  /** The host-side socket a running app or serve listens on; never mounted into a box. */
  otlpSocket: string;
  logs: string;
}

export function resolveHome(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env[APP_ENV.home];
  if (fromEnv && fromEnv.trim()) return path.resolve(fromEnv);
  const xdg = env.XDG_DATA_HOME;
  return xdg ? path.join(xdg, 'boxscope') : path.join(os.homedir(), '.boxscope');
}

export function paths(home = resolveHome()): Paths {
  const runDir = path.join(home, 'run');
  return {
    home,
    db: path.join(home, 'boxscope.db'),
    registries: path.join(home, 'registries.json'),
    traceSources: path.join(home, 'trace-sources.json'),
    runDir,
    otlpSocket: path.join(runDir, 'otlp.sock'),
    logs: path.join(home, 'logs'),
  };
}

export function ensureDirs(p: Paths): void {
  fs.mkdirSync(p.home, { recursive: true, mode: 0o700 });
  // No box mounts run/ any more (each gets only its own run/boxes/<id>), so it stays private.
  fs.mkdirSync(p.runDir, { recursive: true, mode: 0o700 });
  fs.chmodSync(p.runDir, 0o700);
  fs.mkdirSync(p.logs, { recursive: true, mode: 0o700 });
}

/** Host directory holding one box's OTLP socket; mounted read-only into that box alone. */
export function boxRunDir(p: Pick<Paths, 'runDir'>, boxId: string): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(boxId) || boxId.startsWith('.')) throw new Error(`invalid box id ${boxId}`);
  return path.join(p.runDir, 'boxes', boxId);
}

/**
 * Creates the box's socket directory before the engine sees the bind (the
 * engine would create a missing source as root). 0711: an image running as
 * any uid must reach the 0666 socket inside; nothing else lives there, and
 * run/ above stays 0700 so no host user can walk to another box's socket.
 */
export function makeBoxRunDir(p: Pick<Paths, 'runDir'>, boxId: string): string {
  const dir = boxRunDir(p, boxId);
  fs.mkdirSync(path.dirname(dir), { recursive: true, mode: 0o700 });
  fs.mkdirSync(dir, { recursive: true, mode: 0o711 });
  fs.chmodSync(dir, 0o711);
  return dir;
}

export function removeBoxRunDir(p: Pick<Paths, 'runDir'>, boxId: string): void {
  fs.rmSync(boxRunDir(p, boxId), { recursive: true, force: true });
}

/** Paths inside a box (the daemon and its socket are bind-mounted here). */
export const IN_BOX = {
  dir: '/.boxlite',
  daemon: '/.boxlite/boxlite-daemon',
  runDir: '/.boxlite/run',
  otlpSocket: '/.boxlite/run/otlp.sock',
  /** The trace context of the span holding the current start's boot (runner/traceparent-file.ts). */
  traceparentFile: '/.boxlite/run/traceparent',
} as const;

/** `4294967296`, `4GiB`, `512MB`, `512m`: bytes (binary units; undefined when not a positive size). */
export function parseBytes(text: string | undefined): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:([kmgt])i?b?|b)?\s*$/i.exec(text ?? '');
  if (!m) return undefined;
  const unit = { k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[(m[2] ?? '').toLowerCase()] ?? 1;
  const bytes = Math.floor(Number(m[1]) * unit);
  return bytes > 0 && Number.isSafeInteger(bytes) ? bytes : undefined;
}

/** Settings names of the trace store's budgets. */
export const STORE_ENV = {
  /** Total span JSON bytes kept (default 4 GiB: a 1M-span trace is about 1 GB). */
  maxBytes: 'BOXSCOPE_STORE_MAX_BYTES',
  /** The earlier name of the byte budget, still read when the new one is not set. */
  maxBytesOld: 'BOXSCOPE_MAX_TRACE_BYTES',
  maxTraces: 'BOXSCOPE_MAX_TRACES',
} as const;

export const STORE_DEFAULTS = { maxBytes: 4 * 1024 ** 3, maxTraces: 1000 } as const;

/** The trace store's budgets from the environment; anything unreadable falls back to the default. */
export function storeLimits(env: NodeJS.ProcessEnv = process.env): { maxBytes: number; maxTraces: number } {
  const traces = Number(env[STORE_ENV.maxTraces]);
  return {
    maxBytes: parseBytes(env[STORE_ENV.maxBytes]) ?? parseBytes(env[STORE_ENV.maxBytesOld]) ?? STORE_DEFAULTS.maxBytes,
    maxTraces: Number.isSafeInteger(traces) && traces > 0 ? traces : STORE_DEFAULTS.maxTraces,
  };
}
