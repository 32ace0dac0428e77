/** `boxscope` — launch boxes and read their traces from a terminal (docs/CONTRACTS.md, CLI). */
import { Command } from 'commander';
import { version } from '../../package.json';
import { registerLaunch } from './commands/launch.js';
import { registerBoxes } from './commands/boxes.js';
import { registerRegistries } from './commands/registries.js';
import { registerTrace } from './commands/trace.js';
import { registerServe } from './commands/serve.js';

const program = new Command('boxscope')
  .description('Launch BoxLite-style boxes and read each launch as one trace.')
  .version(version, '-V, --version', 'print the version')
  .showHelpAfterError()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) });

registerLaunch(program); // launch
registerBoxes(program); // boxes, stop, rm, logs
registerRegistries(program); // login, logout, registries
registerTrace(program); // trace, import
registerServe(program); // serve

await program.parseAsync(process.argv);
