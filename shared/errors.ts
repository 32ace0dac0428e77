/**
 * Errors a user can act on. The code survives the process boundary inside an
 * envelope and is rebuilt into a real Error on the other side.
 */

/** Every error code, once: the type and the runtime check both come from this list. */
export const ERROR_CODES = [
  'ENGINE_UNREACHABLE',
  'REGISTRY_UNAUTHORIZED',
  'REGISTRY_FORBIDDEN',
  'REGISTRY_TLS',
  'REGISTRY_UNREACHABLE',
  'MANIFEST_UNKNOWN',
  'IMAGE_NOT_PRESENT',
  'INVALID_INPUT',
  'RESERVED_ENV',
  'BOX_NOT_FOUND',
  'BOX_EXITED',
  'CANCELLED',
  'INSECURE_STORE',
  'SECRET_STORE',
  'TRACE_NOT_FOUND',
  'BAD_TRACE_FILE',
  'STORE_UNAVAILABLE',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorInfo {
  code: ErrorCode;
  /** One line, in words a user can act on. Never a secret, never a stack. */
  message: string;
  /** Extra fields that help the UI (exit code, registry, source…). JSON-safe. */
  details?: Record<string, string | number | boolean | string[]>;
}

export class BoxscopeError extends Error {
  readonly code: ErrorCode;
  readonly details?: ErrorInfo['details'];
  constructor(code: ErrorCode, message: string, details?: ErrorInfo['details']) {
    super(message);
    this.name = 'BoxscopeError';
    this.code = code;
    this.details = details;
  }
  toInfo(): ErrorInfo {
    return { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) };
  }
}

export type Envelope<T> = { ok: true; result: T } | { ok: false; error: ErrorInfo };

/** Anything thrown, as an ErrorInfo safe to show: unknown errors keep only their first line. */
export function toErrorInfo(err: unknown): ErrorInfo {
  if (err instanceof BoxscopeError) return err.toInfo();
  if (err && typeof err === 'object' && 'code' in err && 'message' in err) {
    const e = err as { code: unknown; message: unknown; details?: unknown };
    if (typeof e.code === 'string' && typeof e.message === 'string' && isErrorCode(e.code)) {
      return { code: e.code, message: e.message, ...(e.details ? { details: e.details as ErrorInfo['details'] } : {}) };
    }
  }
  const msg = err instanceof Error ? err.message : String(err);
  return { code: 'INTERNAL', message: (msg.split('\n')[0] || 'Unexpected error').slice(0, 500) };
}

export function fromErrorInfo(info: ErrorInfo): BoxscopeError {
  return new BoxscopeError(info.code, info.message, info.details);
}

const CODES: ReadonlySet<string> = new Set(ERROR_CODES);

export function isErrorCode(s: string): s is ErrorCode {
  return CODES.has(s);
}
