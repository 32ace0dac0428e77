/**
 * Opening the trace store so that a bad data dir ends in one line a user can
 * act on, naming the file: a damaged database is moved aside and a new one
 * started (said once on stderr and in the log); a database that cannot be
 * opened or written (permissions, a read-only mount, a full disk) is a
 * STORE_UNAVAILABLE error saying what to check, never a bare SQLite message.
 */
import fs from 'node:fs';
import path from 'node:path';
import { BoxscopeError } from '../../../shared/errors.js';
import type { Logger } from '../contracts.js';
import { openTraceStore, type SqliteTraceStore, type StoreOptions } from '../store/trace-store.js';

const DAMAGED = new Set(['SQLITE_CORRUPT', 'SQLITE_NOTADB']);
const FULL = new Set(['SQLITE_FULL', 'ENOSPC']);
const DENIED = new Set([
  'SQLITE_READONLY',
  'SQLITE_CANTOPEN',
  'SQLITE_PERM',
  'SQLITE_AUTH',
  'EACCES',
  'EPERM',
  'EROFS',
  'EISDIR',
  'ENOTDIR',
]);

const codeOf = (err: unknown): string => {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : '';
};
/** SQLite's extended codes (SQLITE_READONLY_DBMOVED, SQLITE_IOERR_WRITE…) name their family first. */
const familyOf = (code: string) => (code.startsWith('SQLITE_') ? code.split('_').slice(0, 2).join('_') : code);

/**
 * Below this much free space an I/O error is the disk being full: SQLite reports a full disk at open as
 * SQLITE_IOERR_SHMSIZE (the WAL index cannot grow) or SQLITE_IOERR_WRITE, never SQLITE_FULL.
 */
const NEARLY_FULL_BYTES = 1024 * 1024;

function diskFull(file: string): boolean {
  try {
    const s = fs.statfsSync(path.dirname(file));
    return s.bavail * s.bsize < NEARLY_FULL_BYTES;
  } catch {
    return false;
  }
}

/** The store error as the one line a user reads. */
export function storeError(file: string, err: unknown): BoxscopeError {
  const code = codeOf(err);
  const family = familyOf(code);
  if (isFull(file, err))
    return new BoxscopeError(
      'STORE_UNAVAILABLE',
      `The disk holding the trace store ${file} is full: free some space, or set BOXSCOPE_HOME to a data dir on another disk`,
      { file },
    );
  if (DENIED.has(family) || DENIED.has(code))
    return new BoxscopeError(
      'STORE_UNAVAILABLE',
      `The trace store ${file} cannot be opened for writing (${code}): check that it is a file this user owns on a writable disk, or set BOXSCOPE_HOME to another data dir`,
      { file },
    );
  return new BoxscopeError(
    'STORE_UNAVAILABLE',
    `The trace store ${file} could not be opened (${code || 'unknown error'}): ${String((err as Error).message ?? err).split('\n')[0]}`,
    { file },
  );
}

const isFull = (file: string, err: unknown): boolean => {
  const code = codeOf(err);
  const family = familyOf(code);
  return FULL.has(family) || FULL.has(code) || (family === 'SQLITE_IOERR' && diskFull(file));
};

/**
 * The store of a process started on a full disk: every trace read or write fails with the one line of
 * `err` (the file and what to do), while what needs no trace — the box list, registries — keeps working.
 * Tokens are unknown to it, so the receiver answers 401 rather than failing inside a request.
 */
function unavailableStore(err: BoxscopeError): SqliteTraceStore {
  const fail = (): never => {
    throw err;
  };
  return {
    lastInserted: 0,
    onLocalAdd: () => () => undefined,
    subscribe: () => () => undefined,
    boxForToken: () => undefined,
    grantForToken: () => undefined,
    close: () => undefined,
    addSpans: fail,
    getTrace: fail,
    getSpan: fail,
    hasTrace: fail,
    searchSpans: () => Promise.reject(err),
    columns: fail,
    listTraces: fail,
    registerBoxToken: fail,
    grantBoxTrace: fail,
    revokeBoxTokens: fail,
  };
}

export function openStoreSafely(file: string, opts: StoreOptions, log: Logger): SqliteTraceStore {
  try {
    return openTraceStore(file, opts);
  } catch (err) {
    const code = codeOf(err);
    if (isFull(file, err)) {
      const full = storeError(file, err);
      const line = `${full.message}; until then traces cannot be read or written (boxes and registries still work)`;
      // Logged, not printed: a command that needs a trace prints the one line itself, the others work.
      log.warn(line);
      return unavailableStore(full);
    }
    if (!DAMAGED.has(familyOf(code))) throw storeError(file, err);
    const aside = `${file}.damaged-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    try {
      fs.renameSync(file, aside);
      for (const ext of ['-wal', '-shm']) fs.rmSync(`${file}${ext}`, { force: true });
    } catch (moveErr) {
      throw storeError(file, moveErr);
    }
    const line = `The trace store ${file} was damaged (${code}): moved it to ${aside} and started a new one`;
    log.warn(line);
    process.stderr.write(`boxscope: ${line}\n`);
    try {
      return openTraceStore(file, opts);
    } catch (again) {
      throw storeError(file, again);
    }
  }
}

/**
 * For a command that needs no traces (`registries`, `login`, listing boxes): a store that cannot be
 * opened is said once on stderr and the command goes on. What does touch traces gets the same
 * STORE_UNAVAILABLE line as an error; runner spans that cannot be kept are said in the log.
 */
export function openStoreOrStandIn(file: string, opts: StoreOptions, log: Logger): SqliteTraceStore {
  try {
    return openStoreSafely(file, opts, log);
  } catch (err) {
    if (!(err instanceof BoxscopeError) || err.code !== 'STORE_UNAVAILABLE') throw err;
    process.stderr.write(`boxscope: ${err.message} (traces are not available; this command goes on without them)\n`);
    log.warn('trace store unavailable', { file, error: err.message });
    return unavailableStore(err);
  }
}
