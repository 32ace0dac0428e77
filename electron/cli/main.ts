/** `boxscope` — launch boxes and read their traces from a terminal (docs/CONTRACTS.md, CLI). */
import { Command } from 'commander';
import { version } from '../../package.json';
import { markLaunchCommand, registerLaunch } from './commands/launch.js';
import { registerBoxes } from './commands/boxes.js';
import { registerRegistries } from './commands/registries.js';
import { registerTrace } from './commands/trace.js';
import { registerServe } from './commands/serve.js';

// Deprecation notices from libraries (docker-modem's URL handling for ssh:// engines) are not
// something a user of the CLI can act on: keep stderr for Boxscope's own one-line errors.
process.noDeprecation = true;

const program = new Command('boxscope')
  .description('Launch BoxLite-style boxes and read each launch as one trace.')
  .version(version, '-V, --version', 'print the version')
  .showHelpAfterError()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) })
  .option(
    '--context <name>',
    'the Docker context to use (as docker --context; overrides DOCKER_HOST and DOCKER_CONTEXT)',
  )
  .hook('preAction', (cmd) => {
    // The core reads the engine from the env it is given: the flag is one more setting there.
    const context = cmd.optsWithGlobals<{ context?: string }>().context;
    if (context) process.env.BOXSCOPE_DOCKER_CONTEXT = context;
  });

registerLaunch(program); // launch
registerBoxes(program); // boxes, stop, rm, logs
registerRegistries(program); // login, logout, registries
registerTrace(program); // trace, import
registerServe(program); // serve

// Not a top-level await: the same source is also bundled as a script (dist/cli.cjs, scripts/build-cli.mjs).
// Each action reports its own failure (run.ts); anything else is a bug, printed as such.
program.parseAsync(markLaunchCommand(program, process.argv)).catch((err: unknown) => {
  process.stderr.write(`boxscope: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
