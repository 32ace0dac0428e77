/**
 * The one rule for "this field holds a credential", used wherever the core
 * writes something out: span attributes on ingest (otlp/attributes.ts) and
 * the app's log (log.ts).
 */

/**
 * Matched on whole name segments (split at `.`, `_`, `-`, spaces and camelCase
 * humps), so `http.request.header.authorization`, `GHCR_TOKEN` or
 * `identityToken` go, while `boxscope.credential.source` or
 * `gen_ai.usage.input_tokens` stay.
 */
const SECRET_KEY =
  /(^|[._\-\s])(authorization|proxy-authorization|password|passwd|pwd|pass|secret|client[._-]?secret|token|access[._-]?token|refresh[._-]?token|id[._-]?token|identitytoken|auth[._-]?token|box-auth-token|api[._-]?key|apikey|cookie|set-cookie|private[._-]?key|credentials?)([._\-\s]|$)/i;

/** `boxscope.credential.source` names where a credential came from, never the credential: allowed. */
const ALLOWED = new Set(['boxscope.credential.source']);

/**
 * Every attribute of every span is checked, and the same few keys come again
 * and again: answers are remembered, in a bounded map (keys come from boxes
 * nobody here wrote, so it is emptied when full rather than growing).
 */
const known = new Map<string, boolean>();
const KNOWN_MAX = 4096;

export function isSecretKey(key: string): boolean {
  let secret = known.get(key);
  if (secret === undefined) {
    secret = !ALLOWED.has(key) && SECRET_KEY.test(key.replace(/([a-z0-9])([A-Z])/g, '$1.$2'));
    if (known.size >= KNOWN_MAX) known.clear();
    if (key.length <= 256) known.set(key, secret);
  }
  return secret;
}

/** Values that are unmistakably credentials, whatever their key. */
export const SECRET_VALUE = /^(basic|bearer)\s+[A-Za-z0-9._~+/=-]{8,}$/i;
