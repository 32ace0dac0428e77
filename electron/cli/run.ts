/** Turns any failure into one clear line on stderr and a non-zero exit: no stack traces for users. */
import { toErrorInfo } from '../../shared/errors.js';

export async function runAction(fn: () => Promise<number | void>): Promise<void> {
  try {
    const code = await fn();
    process.exitCode = typeof code === 'number' ? code : 0;
  } catch (err) {
    const info = toErrorInfo(err);
    process.stderr.write(`boxscope: ${info.message}\n`);
    if (process.env.BOXSCOPE_DEBUG && err instanceof Error && err.stack) process.stderr.write(err.stack + '\n');
    process.exitCode = info.code === 'INVALID_INPUT' ? 2 : 1;
  }
}
