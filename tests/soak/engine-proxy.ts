/**
 * A unix-socket proxy between a core and the Docker engine (point DOCKER_HOST
 * at `socketPath`), that can cut the engine connection when a request it names
 * goes by, stay down (every new connection dropped) and come back.
 */
import fs from 'node:fs';
import net from 'node:net';

export interface EngineProxy {
  socketPath: string;
  dockerHost: string;
  /** When a request line matching `re` goes to the engine: `cut` drops every connection (after the engine got the request, plus `afterMs`) and stays down; `kill` runs `onMatch` instead. */
  arm(re: RegExp, o: { afterMs?: number; waitForAnswer?: boolean; onMatch?: () => void }): Promise<void>;
  /** Back up: new connections go through again. */
  restore(): void;
  down: boolean;
  /** Requests seen (`METHOD path`), for the report. */
  seen: string[];
  close(): Promise<void>;
}

export async function startEngineProxy(socketPath: string, target = '/var/run/docker.sock'): Promise<EngineProxy> {
  fs.rmSync(socketPath, { force: true });
  const open = new Set<net.Socket>();
  let rule: { re: RegExp; afterMs: number; waitForAnswer: boolean; onMatch?: () => void; hit: () => void } | undefined;
  const proxy: EngineProxy = {
    socketPath,
    dockerHost: `unix://${socketPath}`,
    down: false,
    seen: [],
    arm(re, o) {
      return new Promise((hit) => {
        rule = { re, afterMs: o.afterMs ?? 0, waitForAnswer: o.waitForAnswer ?? false, onMatch: o.onMatch, hit };
      });
    },
    restore() {
      proxy.down = false;
    },
    close: () =>
      new Promise((r) => {
        for (const s of open) s.destroy();
        server.close(() => r());
      }),
  };
  const cutAll = () => {
    proxy.down = true;
    for (const s of open) s.destroy();
  };
  const server = net.createServer((client) => {
    if (proxy.down) {
      client.destroy();
      return;
    }
    const engine = net.connect(target);
    open.add(client).add(engine);
    client.on('data', (chunk: Buffer) => {
      const text = chunk.subarray(0, 512).toString('latin1');
      const line = /^(GET|POST|PUT|DELETE|HEAD) (\S+)/m.exec(text);
      if (line) proxy.seen.push(`${line[1]} ${line[2]}`);
      engine.write(chunk);
      const r = rule;
      if (r && line && r.re.test(`${line[1]} ${line[2]}`)) {
        rule = undefined;
        const fire = () =>
          setTimeout(() => {
            if (r.onMatch) r.onMatch();
            else cutAll();
            r.hit();
          }, r.afterMs);
        if (r.waitForAnswer) engine.once('data', fire);
        else fire();
      }
    });
    engine.on('data', (c) => client.write(c));
    const end = () => {
      client.destroy();
      engine.destroy();
      open.delete(client);
      open.delete(engine);
    };
    client.on('close', end).on('error', end);
    engine.on('close', end).on('error', end);
  });
  await new Promise<void>((r) => server.listen(socketPath, () => r()));
  fs.chmodSync(socketPath, 0o666);
  return proxy;
}
