/** Listening on a Unix socket path the way every socket of the data dir does (the OTLP ones, the quick launcher's). */
import fs from 'node:fs';
import net from 'node:net';

/** True when something accepts connections on the socket path. */
export function socketAlive(path: string, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect(path);
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

/**
 * Listens on `path` with this mode, replacing a stale socket file (one nobody accepts on); false,
 * without listening, when a live process owns it. `unlisten` stops the server and removes the file,
 * unless another process has put its own there meanwhile.
 */
export async function listenOnSocket(
  server: net.Server,
  path: string,
  mode: number,
  stop: () => Promise<void>,
): Promise<{ unlisten(): Promise<void> } | undefined> {
  if (await socketAlive(path)) return undefined;
  try {
    fs.unlinkSync(path);
  } catch {
    // No stale file.
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
  fs.chmodSync(path, mode);
  const ino = fs.statSync(path).ino;
  return {
    async unlisten() {
      await stop();
      try {
        if (fs.statSync(path).ino === ino) fs.unlinkSync(path);
      } catch {
        // Already gone.
      }
    },
  };
}
