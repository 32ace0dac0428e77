/**
 * Opens a trace file without ever reading it into the page: in Electron the
 * core reads it from disk by path (traces:importFile); in browser mode slices
 * of the File are the bodies of POSTs, which the browser streams from disk,
 * each answered with NDJSON progress. Either way progress items arrive as the
 * core stores batches, the first one as soon as there is a trace to open.
 *
 * Imports outlive the component that started them (the page navigates to
 * the trace on the first item): `activeImports` lets any view show them.
 */
import type { ImportProgress } from '../../../shared/models.js';
import { BoxscopeError, fromErrorInfo, type ErrorInfo } from '../../../shared/errors.js';
import { call, listen } from './client.js';
import { importUrl } from './ws-client.js';

/** What traces:import accepts as text (shared/schemas.ts); past it, a file must be streamed. */
const TEXT_IMPORT_MAX = 64 * 1024 * 1024;

export async function importTraceFile(
  file: File,
  onProgress: (p: ImportProgress) => void,
  signal?: AbortSignal,
): Promise<ImportProgress> {
  const host = window.boxscopeHost;
  if (host?.kind === 'electron') {
    const path = host.pathForFile?.(file) ?? '';
    if (path) return importByPath(path, onProgress, signal);
    return importAsText(file, onProgress, signal);
  }
  return upload(file, onProgress, signal);
}

function importByPath(
  path: string,
  onProgress: (p: ImportProgress) => void,
  signal?: AbortSignal,
): Promise<ImportProgress> {
  return new Promise((resolve, reject) => {
    let last: ImportProgress | undefined;
    const dispose = listen(
      'traces:importFile',
      { path },
      {
        data: (p) => {
          last = p;
          onProgress(p);
        },
        end: (err) => {
          signal?.removeEventListener('abort', onAbort);
          if (err) reject(fromErrorInfo(err));
          else if (last?.done) resolve(last);
          else reject(new BoxscopeError('INTERNAL', 'The import ended before the whole file was read'));
        },
      },
    );
    const onAbort = () => {
      dispose();
      reject(new BoxscopeError('CANCELLED', 'Import cancelled'));
    };
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** A File with no path (dragged from another app): small enough ones go whole, as before. */
async function importAsText(
  file: File,
  onProgress: (p: ImportProgress) => void,
  signal?: AbortSignal,
): Promise<ImportProgress> {
  if (file.size > TEXT_IMPORT_MAX) {
    throw new BoxscopeError('BAD_TRACE_FILE', `${file.name} is not a file on disk: save it to disk, then open it`);
  }
  const { traceIds } = await call('traces:import', { fileName: file.name, content: await file.text() }, { signal });
  const p: ImportProgress = { traceIds, spans: 0, bytes: file.size, totalBytes: file.size, done: true };
  onProgress(p);
  return p;
}

/**
 * The first slice is small so its answer (read by the browser only once the slice is sent) names the
 * trace within a batch of spans; later ones are larger. Each answer ends when the core has taken the
 * slice, so the next is sent no faster than the store keeps up.
 */
const FIRST_PART = 4 * 1024 * 1024;
const NEXT_PART = 32 * 1024 * 1024;

function newUploadId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

async function upload(
  file: File,
  onProgress: (p: ImportProgress) => void,
  signal?: AbortSignal,
): Promise<ImportProgress> {
  const base = `${importUrl(window.location, file.name)}&upload=${newUploadId()}&size=${file.size}`;
  let last: ImportProgress | undefined;
  const take = (item: ImportProgress | { error: ErrorInfo }) => {
    if ('error' in item) throw fromErrorInfo(item.error);
    last = item;
    onProgress(item);
  };
  for (let part = 0, at = 0; ; part++) {
    const end = Math.min(file.size, at + (part === 0 ? FIRST_PART : NEXT_PART));
    const final = end >= file.size;
    const res = await fetch(`${base}&part=${part}&last=${final ? 1 : 0}`, {
      method: 'POST',
      // A slice of a File is read from disk as it is sent, never into the page.
      body: file.slice(at, end),
      headers: { 'Content-Type': 'application/octet-stream' },
      signal,
    });
    const got = await readLines(res, take);
    if (!res.ok && !got) throw new BoxscopeError('INTERNAL', `The upload failed (HTTP ${res.status})`);
    if (final) break;
    at = end;
  }
  if (!last?.done) throw new BoxscopeError('INTERNAL', 'The import ended before the whole file was read');
  return last;
}

/** Hands each NDJSON line of an answer to `take` as it arrives; returns how many there were. */
async function readLines(res: Response, take: (item: ImportProgress | { error: ErrorInfo }) => void): Promise<number> {
  if (!res.body) return 0;
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let rest = '';
  let count = 0;
  const line = (l: string) => {
    if (!l.trim()) return;
    count++;
    take(JSON.parse(l) as ImportProgress | { error: ErrorInfo });
  };
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      rest += decoder.decode(value, { stream: true });
      const lines = rest.split('\n');
      rest = lines.pop() ?? '';
      for (const l of lines) line(l);
    }
    line(rest + decoder.decode());
  } finally {
    reader.releaseLock();
  }
  return count;
}

export interface ActiveImport {
  id: number;
  fileName: string;
  progress?: ImportProgress;
  cancel(): void;
}

let active: ActiveImport[] = [];
const watchers = new Set<() => void>();
let nextId = 1;

function changed(next: ActiveImport[]): void {
  active = next;
  for (const w of watchers) w();
}

/** Imports going on now, for useSyncExternalStore. */
export const activeImports = {
  get: (): ActiveImport[] => active,
  subscribe(fn: () => void): () => void {
    watchers.add(fn);
    return () => void watchers.delete(fn);
  },
};

/** importTraceFile, listed in activeImports until it ends. */
export function startImport(file: File, onProgress: (p: ImportProgress) => void): Promise<ImportProgress> {
  const ac = new AbortController();
  const id = nextId++;
  changed([...active, { id, fileName: file.name, cancel: () => ac.abort() }]);
  return importTraceFile(
    file,
    (p) => {
      changed(active.map((a) => (a.id === id ? { ...a, progress: p } : a)));
      onProgress(p);
    },
    ac.signal,
  ).finally(() => changed(active.filter((a) => a.id !== id)));
}
