/** Turns any failure into one clear line on stderr and a non-zero exit: no stack traces for users. */
import { toErrorInfo } from '../../shared/errors.js';
import type { Core, CoreOptions } from '../core/service.js';

/** A core for one command (loaded only when a command needs it), closed when the command is done. */
export async function withCore<T>(fn: (core: Core) => Promise<T>, opts: Omit<CoreOptions, 'host'> = {}): Promise<T> {
  const { createCore } = await import('../core/service.js');
  const core = await createCore({ host: 'cli', ...opts });
  try {
    return await fn(core);
  } finally {
    await core.close();
  }
}

/** Runs a command's action: its exit code, or one clear line on `writeErr` and 2 (bad input) or 1. */
export async function actionCode(
  fn: () => Promise<number | void>,
  writeErr: (s: string) => void = (s) => process.stderr.write(s),
): Promise<number> {
  try {
    const code = await fn();
    return typeof code === 'number' ? code : 0;
  } catch (err) {
    const info = toErrorInfo(err);
    writeErr(`boxscope: ${info.message}\n`);
    if (process.env.BOXSCOPE_DEBUG && err instanceof Error && err.stack) writeErr(err.stack + '\n');
    return info.code === 'INVALID_INPUT' ? 2 : 1;
  }
}

export async function runAction(fn: () => Promise<number | void>): Promise<void> {
  try {
    process.exitCode = await actionCode(fn);
  } finally {
    // The command is done: a connection a library keeps open (an ssh:// engine's session) must not
    // keep the process alive. An idle process exits before this fires; an unref'd timer never holds it;
    // output still on its way to a slow reader (a pipe on macOS is asynchronous) is let out first.
    const exitWhenFlushed = () => {
      if (process.stdout.writableLength > 0) process.stdout.once('drain', exitWhenFlushed);
      else process.exit();
    };
    setTimeout(exitWhenFlushed, 500).unref();
  }
}
