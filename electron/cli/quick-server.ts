/**
 * The quick launcher's end in a core that stays up (`boxscope serve`): a Unix
 * socket in the private run/ directory (docs/CLI-SPEED.md, docs/CONTRACTS.md).
 * The launcher (quick/, a small Go program) hands it `boxscope launch …` as
 * typed; the command runs here, through this core, exactly as the CLI would
 * run it in a process of its own, and its output and exit code go back.
 *
 * One connection, one command, newline-delimited JSON both ways:
 *   → {"v":1,"argv":["launch",…],"cwd":"/abs","env":{…},"tty":false}   then, at any time, {"cancel":true}
 *   ← {"fallback":"why"}                       (nothing was run: the launcher runs the command itself)
 *   ← {"started":true}, {"out":"…"} / {"err":"…"} …, then {"exit":N}
 * A caller that goes away cancels its launch, as Ctrl-C does.
 */
import net from 'node:net';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { z } from 'zod';
import { toErrorInfo } from '../../shared/errors.js';
import type { Core } from '../core/service.js';
import { listenOnSocket } from '../core/unix-socket.js';
import { markLaunchCommand, registerLaunch, type LaunchIo } from './commands/launch.js';

export const QUICK_SOCKET = 'cli.sock';
const MAX_REQUEST = 1 << 20;

const Request = z.object({
  v: z.literal(1),
  argv: z
    .array(z.string().max(1 << 16))
    .min(1)
    .max(4096),
  cwd: z.string().min(1).max(4096).refine(path.isAbsolute, 'must be absolute'),
  env: z.record(z.string().max(1 << 16), z.string().max(1 << 20)),
  tty: z.boolean(),
});

/**
 * What a launch reads from its environment: the engine (DOCKER_*), credentials and their stores,
 * certificates, proxies, Boxscope's own settings, and PATH (credential helpers). The running core
 * launches for a caller only when all of these are the caller's too; otherwise the caller launches
 * in a process of its own, so the quick path never gives another answer than the slow one.
 */
const LAUNCH_ENV =
  /^(DOCKER_\w*|BOXSCOPE_\w*|BOXLITE_\w*|GHCR_\w*|DOCKERHUB_\w*|OTEL_\w*|SSL_CERT_\w*|NODE_EXTRA_CA_CERTS|NODE_TLS_REJECT_UNAUTHORIZED|INSECURE_REGISTRIES|PASSWORD_STORE_\w*|GNUPGHOME|HOME|XDG_DATA_HOME|XDG_CONFIG_HOME|PATH|HTTPS?_PROXY|NO_PROXY|ALL_PROXY)$/i;

/** PATH without the directories npm and npx put first (node_modules/.bin): they differ by directory, not by user. */
function comparablePath(p: string | undefined): string | undefined {
  return p
    ?.split(path.delimiter)
    .filter((d) => !/[/\\]node_modules[/\\]\.bin$|[/\\]node-gyp-bin$/.test(d))
    .join(path.delimiter);
}

/** The caller's own switches: how much it is told (BOXSCOPE_DEBUG), whether it asks a core at all (BOXSCOPE_QUICK). */
const CALLER_ONLY = new Set(['BOXSCOPE_DEBUG', 'BOXSCOPE_QUICK']);

/** The names (never the values) of launch settings that differ between the caller and the running core. */
export function launchEnvDifferences(core: NodeJS.ProcessEnv, caller: Record<string, string>): string[] {
  const names = new Set(
    [...Object.keys(core), ...Object.keys(caller)].filter((k) => LAUNCH_ENV.test(k) && !CALLER_ONLY.has(k)),
  );
  const differ: string[] = [];
  for (const k of [...names].sort()) {
    const a = k.toUpperCase() === 'PATH' ? comparablePath(core[k]) : core[k];
    const b = k.toUpperCase() === 'PATH' ? comparablePath(caller[k]) : caller[k];
    if ((a ?? '') !== (b ?? '')) differ.push(k);
  }
  return differ;
}

export interface QuickServer {
  socketPath: string;
  close(): Promise<void>;
}

/** Listens beside the OTLP socket (run/, 0700, never mounted into a box); undefined if another core holds it. */
export async function startQuickServer(core: Core): Promise<QuickServer | undefined> {
  const socketPath = path.join(core.ctx.paths.runDir, QUICK_SOCKET);
  const open = new Set<net.Socket>();
  const server = net.createServer((sock) => {
    open.add(sock);
    sock.on('close', () => open.delete(sock));
    serve(core, sock);
  });
  // run/ (0700) keeps other users out already; the socket's own mode says the same.
  const l = await listenOnSocket(server, socketPath, 0o600, async () => {
    for (const s of open) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  if (!l) core.ctx.log.info('another running core serves the quick launcher', { path: socketPath });
  return l && { socketPath, close: l.unlisten };
}

function serve(core: Core, sock: net.Socket): void {
  const cancel = new AbortController();
  let buf = '';
  let started = false;
  const send = (o: object) => {
    if (!sock.destroyed && sock.writable) sock.write(JSON.stringify(o) + '\n');
  };
  const refuse = (why: string) => {
    send({ fallback: why });
    sock.end();
  };
  sock.setEncoding('utf8');
  sock.on('error', () => cancel.abort());
  sock.on('close', () => cancel.abort());
  sock.on('data', (chunk: string) => {
    if (started) {
      // After the request, the caller only ever says {"cancel":true}.
      if (chunk.includes('"cancel"')) cancel.abort();
      return;
    }
    buf += chunk;
    const nl = buf.indexOf('\n');
    if (nl < 0) {
      if (buf.length > MAX_REQUEST) {
        started = true;
        refuse('request too large');
      }
      return;
    }
    started = true;
    const line = buf.slice(0, nl);
    if (buf.slice(nl + 1).includes('"cancel"')) cancel.abort();
    buf = '';
    let req: z.infer<typeof Request>;
    try {
      req = Request.parse(JSON.parse(line));
    } catch {
      refuse('not a quick-launcher request this core understands');
      return;
    }
    if (req.argv[0] !== 'launch') {
      refuse('only launch goes through the running core');
      return;
    }
    const differ = launchEnvDifferences(core.ctx.env, req.env);
    if (differ.length) {
      refuse(`its launch settings differ from the running core's (${differ.join(', ')})`);
      return;
    }
    send({ started: true });
    void run(core, req, send, cancel.signal)
      .catch((err: unknown) => {
        send({ err: `boxscope: ${toErrorInfo(err).message}\n` });
        return 1;
      })
      .then((code) => {
        send({ exit: code });
        sock.end();
      });
  });
}

async function run(
  core: Core,
  req: z.infer<typeof Request>,
  send: (o: object) => void,
  signal: AbortSignal,
): Promise<number> {
  const io: LaunchIo = {
    out: (s) => send({ out: s }),
    err: (s) => send({ err: s }),
    errTTY: req.tty,
    cwd: req.cwd,
    signal,
    core,
  };
  let code = 1;
  const output = {
    writeOut: io.out,
    writeErr: io.err,
    outputError: (s: string, write: (s: string) => void) => write(s),
  };
  const program = new Command('boxscope').exitOverride().configureOutput(output).showHelpAfterError();
  registerLaunch(program, { io, done: (c) => (code = c) });
  try {
    await program.parseAsync(markLaunchCommand(program, ['node', 'boxscope', ...req.argv]));
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    throw err;
  }
  return code;
}
