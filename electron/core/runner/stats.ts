/**
 * Live stats (`boxes:stats`): the engine's stats stream of each running box,
 * as CPU percent (as `docker stats` computes it) and memory in use, about one
 * sample a second per box. Numbers are read defensively: a sample with a
 * missing, negative or non-finite figure is skipped, never shown.
 */
import type Docker from 'dockerode';
import type { Box, BoxStats } from '../../../shared/models.js';
import type { CoreEvents } from '../contracts.js';

/** A stats line longer than this is not the engine's: the stream is dropped. */
const MAX_LINE = 1024 * 1024;

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);

interface CpuStats {
  cpu_usage?: { total_usage?: unknown; percpu_usage?: unknown };
  system_cpu_usage?: unknown;
  online_cpus?: unknown;
}

/** One engine stats sample as BoxStats, or undefined when it cannot be read (the first sample has no previous one). */
export function toBoxStats(boxId: string, raw: unknown, at = Date.now()): BoxStats | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const s = raw as {
    cpu_stats?: CpuStats;
    precpu_stats?: CpuStats;
    memory_stats?: { usage?: unknown; limit?: unknown; stats?: Record<string, unknown> };
  };
  const total = num(s.cpu_stats?.cpu_usage?.total_usage);
  const preTotal = num(s.precpu_stats?.cpu_usage?.total_usage);
  const sys = num(s.cpu_stats?.system_cpu_usage);
  const preSys = num(s.precpu_stats?.system_cpu_usage);
  const percpu = s.cpu_stats?.cpu_usage?.percpu_usage;
  const online = num(s.cpu_stats?.online_cpus) || (Array.isArray(percpu) ? percpu.length : 0);
  const usage = num(s.memory_stats?.usage);
  const limit = num(s.memory_stats?.limit);
  if (total === undefined || preTotal === undefined || sys === undefined || !preSys || !online) return undefined;
  if (usage === undefined || limit === undefined) return undefined;
  const cpuDelta = total - preTotal;
  const sysDelta = sys - preSys;
  if (cpuDelta < 0 || sysDelta <= 0) return undefined;
  const cpuPercent = (cpuDelta / sysDelta) * online * 100;
  // As the docker CLI: cgroup v2 reports inactive_file, v1 total_inactive_file; page cache is not the box's use.
  const st = s.memory_stats?.stats ?? {};
  const inactive = num(st.inactive_file) ?? num(st.total_inactive_file) ?? 0;
  const memBytes = inactive < usage ? usage - inactive : usage;
  if (!Number.isFinite(cpuPercent) || cpuPercent > online * 100 * 1.05) return undefined;
  return { boxId, at, cpuPercent, memBytes, memLimitBytes: limit };
}

/** Follows one container's stats until its stream ends or `signal` aborts. */
export async function followStats(
  docker: Docker,
  box: Pick<Box, 'boxId' | 'containerId'>,
  emit: (s: BoxStats) => void,
  signal: AbortSignal,
): Promise<void> {
  if (!box.containerId || signal.aborted) return;
  let stream: NodeJS.ReadableStream & { destroy?: () => void };
  try {
    stream = (await docker
      .getContainer(box.containerId)
      .stats({ stream: true, abortSignal: signal } as never)) as unknown as NodeJS.ReadableStream;
  } catch {
    return;
  }
  let buf = '';
  await new Promise<void>((resolve) => {
    const done = () => {
      signal.removeEventListener('abort', done);
      stream.destroy?.();
      resolve();
    };
    signal.addEventListener('abort', done, { once: true });
    stream.on('data', (c: Buffer) => {
      buf += c.toString('utf8');
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i).trim();
        buf = buf.slice(i + 1);
        if (!line) continue;
        let raw: unknown;
        try {
          raw = JSON.parse(line);
        } catch {
          continue;
        }
        const s = toBoxStats(box.boxId, raw);
        if (s) emit(s);
      }
      if (buf.length > MAX_LINE) done();
    });
    stream.on('end', done);
    stream.on('close', done);
    stream.on('error', done);
  });
}

/**
 * Stats of every running box of `list()`, and of each box that starts later
 * (the core's `boxes:changed`), until `signal` aborts.
 */
export async function followAllStats(
  docker: () => Docker,
  list: () => Promise<Box[]>,
  events: CoreEvents,
  emit: (s: BoxStats) => void,
  signal: AbortSignal,
): Promise<void> {
  const followed = new Map<string, AbortController>();
  const start = (b: Box) => {
    if (b.state !== 'running' || !b.containerId || followed.has(b.boxId) || signal.aborted) return;
    const ac = new AbortController();
    followed.set(b.boxId, ac);
    void followStats(docker(), b, emit, AbortSignal.any([signal, ac.signal])).finally(() => {
      if (followed.get(b.boxId) === ac) followed.delete(b.boxId);
    });
  };
  const off = events.on('boxes:changed', (b) => {
    if (b.state === 'running') start(b);
    else {
      followed.get(b.boxId)?.abort();
      followed.delete(b.boxId);
    }
  });
  try {
    for (const b of await list().catch(() => [])) start(b);
    await new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
  } finally {
    off();
    for (const ac of followed.values()) ac.abort();
  }
}
