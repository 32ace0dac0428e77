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
} as const;
