/**
 * The few engine calls the runner makes whose dockerode 5 typings are
 * missing or loose (@types/dockerode stops at 4.x: its promise overloads
 * drop the pull's auth, `wait` answers `any`, event streams hide their
 * socket). Each is typed here once, so no caller needs a cast.
 */
import type Docker from 'dockerode';

/** The stream of an image pull, authenticated with one registry's authconfig; aborting the signal ends it. */
export function pullStream(
  docker: Docker,
  reference: string,
  o: { authconfig?: Record<string, string>; signal?: AbortSignal },
): Promise<NodeJS.ReadableStream> {
  return new Promise((resolve, reject) => {
    docker.pull(
      reference,
      { abortSignal: o.signal },
      (err, stream) => (err ? reject(err) : resolve(stream as NodeJS.ReadableStream)),
      o.authconfig,
    );
  });
}

/** The last `tail` lines of a box's output in the engine's multiplexed format. */
export async function tailLogs(container: Docker.Container, tail: number): Promise<Buffer> {
  const out: unknown = await container.logs({ stdout: true, stderr: true, tail, follow: false });
  return Buffer.isBuffer(out) ? out : Buffer.from(String(out));
}

/** A box's output from now on (after `tail` lines), until it stops or the signal aborts. */
export function followLogStream(
  container: Docker.Container,
  o: { tail: number; signal: AbortSignal; timestamps?: boolean },
): Promise<NodeJS.ReadableStream> {
  return container.logs({
    stdout: true,
    stderr: true,
    follow: true,
    tail: o.tail,
    timestamps: !!o.timestamps,
    abortSignal: o.signal,
  });
}

/** Resolves with the exit code once the container is not running (at once if it already ended). */
export async function waitNotRunning(container: Docker.Container, signal: AbortSignal): Promise<number> {
  const r = (await container.wait({ condition: 'not-running', abortSignal: signal })) as { StatusCode?: number };
  return r.StatusCode ?? 0;
}

/** One line of the engine's event stream, as far as the runner reads it. */
export interface EngineEvent {
  status?: string;
  Action?: string;
  id?: string;
  Actor?: { Attributes?: Record<string, string> };
  /** When the engine saw it, in ns since the epoch. */
  timeNano?: number;
}

/**
 * Container events of the boxes carrying all of `labels`. The socket is
 * unref'd: an event stream alone never keeps a CLI process alive.
 */
export async function containerEvents(
  docker: Docker,
  labels: string[],
  signal: AbortSignal,
): Promise<NodeJS.ReadableStream> {
  const stream = await docker.getEvents({ filters: { type: ['container'], label: labels }, abortSignal: signal });
  (stream as NodeJS.ReadableStream & { socket?: { unref(): void } }).socket?.unref();
  return stream;
}
