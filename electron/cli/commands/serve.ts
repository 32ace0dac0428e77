/** `boxscope serve`: the desktop UI in any browser, over loopback, behind a token (docs/ARCHITECTURE.md, browser mode). */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { DEFAULT_OTLP_PORT } from '../../../shared/constants.js';
import { BoxscopeError } from '../../../shared/errors.js';
import { isLoopbackHost } from '../../server/guard.js';
import { runAction } from '../run.js';

/** The repo (or installed package) root, from source and from the dist/cli.mjs bundle alike. */
export function packageRoot(from = path.dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === 'boxscope') return dir;
    } catch {
      // keep walking up
    }
    if (path.dirname(dir) === dir) return process.cwd();
  }
}

function port(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new BoxscopeError('INVALID_INPUT', `${name} must be a port number (0-65535), got ${value}`);
  return n;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Serve the UI to a browser on loopback; prints the URL (with its token) and the OTLP endpoint')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'HTTP port (0 picks a free one)', '0')
    .option('--otlp-port <port>', `OTLP/HTTP receiver port (0 picks a free one)`, String(DEFAULT_OTLP_PORT))
    .option('--allow-remote', 'listen on a non-loopback address (anyone who gets the token controls your engine)')
    .action((o: { host: string; port: string; otlpPort: string; allowRemote?: boolean }) =>
      runAction(async () => {
        if (!isLoopbackHost(o.host) && !o.allowRemote) {
          throw new BoxscopeError(
            'INVALID_INPUT',
            `Refusing to listen on ${o.host}: use a loopback address or pass --allow-remote`,
          );
        }
        const httpPort = port(o.port, '--port');
        const otlpPort = port(o.otlpPort, '--otlp-port');
        const staticDir = path.join(packageRoot(), 'renderer', 'dist');
        if (!fs.existsSync(path.join(staticDir, 'index.html'))) {
          process.stderr.write('boxscope: the renderer is not built yet; run `npm run build:renderer` and reload\n');
        }
        // Loaded on use so other commands start without the server and core code.
        const [{ createCore }, { startServer }, { startQuickServer }] = await Promise.all([
          import('../../core/service.js'),
          import('../../server/server.js'),
          import('../quick-server.js'),
        ]);
        const core = await createCore({ host: 'browser', otlpPort });
        let server;
        try {
          server = await startServer({ core, staticDir, host: o.host, port: httpPort, allowRemote: o.allowRemote });
        } catch (err) {
          await core.close();
          throw err;
        }
        // `boxscope launch` in another terminal hands its command to this core (docs/CLI-SPEED.md).
        const quick = await startQuickServer(core).catch((err: Error) => {
          core.ctx.log.warn('no quick launcher socket', { error: err.message });
          return undefined;
        });
        process.stdout.write(`Boxscope UI:   ${server.url}\n`);
        process.stdout.write(`OTLP receiver: ${core.otlpEndpoint() ?? 'not running'}\n`);
        if (quick) process.stdout.write('Quick launch:  `boxscope launch` in another terminal runs in this process\n');
        await new Promise<void>((resolve) => {
          const stop = () => resolve();
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
        await quick?.close();
        await server.close();
        await core.close();
        return 0;
      }),
    );
}
