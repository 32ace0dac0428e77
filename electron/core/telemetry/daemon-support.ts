/** What the runner needs to put the in-box daemon into a box: its binary, a receiver on the socket, its boot span. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SPAN, ATTR } from '../../../shared/constants.js';
import type { SpanRecord } from '../../../shared/models.js';
import type { DaemonSupport, TraceStore } from '../contracts.js';

const ARCH: Record<string, string> = {
  x86_64: 'amd64',
  amd64: 'amd64',
  x64: 'amd64',
  aarch64: 'arm64',
  arm64: 'arm64',
};

export function normalizeArch(arch: string): string {
  return ARCH[arch.toLowerCase()] ?? arch.toLowerCase();
}

function moduleDir(): string | undefined {
  if (typeof __dirname !== 'undefined') return __dirname;
  try {
    return path.dirname(fileURLToPath(import.meta.url));
  } catch {
    return undefined;
  }
}

/**
 * Directories that may hold `boxlite-daemon-linux-<arch>`, most specific first.
 * Only places tied to the app itself: a binary found elsewhere (the working
 * directory) would become every box's entrypoint.
 */
export function daemonDirs(env: NodeJS.ProcessEnv): string[] {
  const dirs: string[] = [];
  if (env.BOXSCOPE_DAEMON_DIR) dirs.push(path.resolve(env.BOXSCOPE_DAEMON_DIR));
  // From the source tree (electron/core/telemetry) or a bundle (dist/): the repo's daemon/bin.
  let d = moduleDir();
  for (let i = 0; d && i < 6; i++) {
    dirs.push(path.join(d, 'daemon', 'bin'));
    const up = path.dirname(d);
    if (up === d) break;
    d = up;
  }
  return [...new Set(dirs)];
}

export function isBootSpan(s: SpanRecord): boolean {
  return s.name === SPAN.sandboxBoot || s.name === SPAN.boxBoot;
}

export function createDaemonSupport(opts: {
  env: NodeJS.ProcessEnv;
  store: TraceStore;
  ensureReceiver: (boxId: string) => Promise<void>;
  releaseBox: (boxId: string) => Promise<void>;
}): DaemonSupport {
  return {
    binaryPath(arch) {
      const name = `boxlite-daemon-linux-${normalizeArch(arch)}`;
      for (const dir of daemonDirs(opts.env)) {
        const file = path.join(dir, name);
        try {
          if (fs.statSync(file).isFile()) return file;
        } catch {
          // Not here.
        }
      }
      return undefined;
    },
    ensureReceiver: opts.ensureReceiver,
    releaseBox: opts.releaseBox,
    waitForBoot(boxId, traceId, timeoutMs, signal) {
      const matches = (s: SpanRecord) => {
        if (!isBootSpan(s)) return false;
        const b = s.attributes[ATTR.boxId] ?? s.resource[ATTR.boxId];
        return b === undefined || b === boxId;
      };
      return new Promise((resolve) => {
        let done = false;
        let unsubscribe = () => {};
        // A launch that stops waiting (the box exited first) must not leave a timer holding a CLI open.
        const onAbort = () => finish(undefined);
        const finish = (s: SpanRecord | undefined) => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          unsubscribe();
          resolve(s);
        };
        const timer = setTimeout(() => finish(undefined), Math.max(0, timeoutMs));
        if (signal?.aborted) return finish(undefined);
        signal?.addEventListener('abort', onAbort, { once: true });
        unsubscribe = opts.store.subscribe((tid, spans) => {
          if (tid !== traceId) return;
          const hit = spans.find(matches);
          if (hit) finish(hit);
        });
        // Subscribe first, then look: a span landing in between is not missed.
        const existing = opts.store.getTrace(traceId).find(matches);
        if (existing) finish(existing);
      });
    },
  };
}
