/**
 * The app's log: one JSON line per entry under BOXSCOPE_HOME/logs. Values
 * that look like credentials are masked before anything is written.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Paths } from './config.js';
import type { Logger } from './contracts.js';
import { isSecretKey } from './secret-keys.js';

/** Masks fields whose name says they hold a secret, recursively. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = isSecretKey(k) ? '[redacted]' : redact(v, depth + 1);
  return out;
}

export function createLogger(p: Paths, host: string): Logger {
  const file = path.join(p.logs, `${host}.log`);
  const write = (level: string, msg: string, fields?: Record<string, unknown>) => {
    const line = JSON.stringify({
      t: new Date().toISOString(),
      level,
      msg,
      ...(fields ? (redact(fields) as object) : {}),
    });
    try {
      fs.appendFileSync(file, line + '\n', { mode: 0o600 });
    } catch {
      // A log that cannot be written must never break a launch.
    }
  };
  return {
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
  };
}
