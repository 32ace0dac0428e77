/**
 * The one narrow request the core (utility process) makes of Electron main:
 * the safeStorage-backed secret store. Only these four ops exist; both sides
 * validate every message, so neither can be talked into anything else.
 */
import type { SecretBackend } from '../core/contracts.js';

export type SecretRequest =
  | { type: 'secret'; id: number; op: 'info' }
  | { type: 'secret'; id: number; op: 'get' | 'delete'; key: string }
  | { type: 'secret'; id: number; op: 'set'; key: string; username: string; secret: string };

export type SecretReply =
  | { type: 'secret-reply'; id: number; ok: true; value?: unknown }
  | { type: 'secret-reply'; id: number; ok: false; message: string };

const isStr = (v: unknown): v is string => typeof v === 'string' && v.length <= 65_536;
const isId = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

export function parseSecretRequest(raw: unknown): SecretRequest | undefined {
  const m = raw as Record<string, unknown> | null;
  if (!m || typeof m !== 'object' || m.type !== 'secret' || !isId(m.id)) return undefined;
  if (m.op === 'info') return { type: 'secret', id: m.id, op: 'info' };
  if (!isStr(m.key)) return undefined;
  if (m.op === 'get' || m.op === 'delete') return { type: 'secret', id: m.id, op: m.op, key: m.key };
  if (m.op === 'set' && isStr(m.username) && isStr(m.secret))
    return { type: 'secret', id: m.id, op: 'set', key: m.key, username: m.username, secret: m.secret };
  return undefined;
}

export function parseSecretReply(raw: unknown): SecretReply | undefined {
  const m = raw as Record<string, unknown> | null;
  if (!m || typeof m !== 'object' || m.type !== 'secret-reply' || !isId(m.id)) return undefined;
  if (m.ok === true) return { type: 'secret-reply', id: m.id, ok: true, value: m.value };
  if (m.ok === false && isStr(m.message)) return { type: 'secret-reply', id: m.id, ok: false, message: m.message };
  return undefined;
}

/** Main's side: one reply per valid request; anything else is ignored (undefined). */
export async function answerSecret(backend: SecretBackend, raw: unknown): Promise<SecretReply | undefined> {
  const req = parseSecretRequest(raw);
  if (!req) return undefined;
  try {
    let value: unknown;
    if (req.op === 'info') value = { name: backend.name, secure: backend.secure };
    else if (req.op === 'get') value = (await backend.get(req.key)) ?? null;
    else if (req.op === 'set') await backend.set(req.key, req.username, req.secret);
    else await backend.delete(req.key);
    return { type: 'secret-reply', id: req.id, ok: true, value };
  } catch {
    // The backend's own error may quote what it was handling; say only what failed.
    return { type: 'secret-reply', id: req.id, ok: false, message: `The OS keychain refused to ${req.op} a secret` };
  }
}
