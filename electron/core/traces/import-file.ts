/**
 * The two ways a trace file reaches importTraceStream from the API: a path the
 * core reads itself (`traces:importFile`, Electron and the CLI) and the older
 * `traces:import`, whose text arrived whole in the message (one chunk).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ImportProgress } from '../../../shared/models.js';
import { BoxscopeError } from '../../../shared/errors.js';
import type { CoreContext } from '../contracts.js';
import { importMaxBytes, importTraceStream } from './import.js';

export async function importFileByPath(
  ctx: Pick<CoreContext, 'store' | 'log' | 'env'>,
  file: string,
  emit: (p: ImportProgress) => void,
  signal: AbortSignal,
): Promise<void> {
  if (!path.isAbsolute(file)) throw new BoxscopeError('INVALID_INPUT', 'A trace file path must be absolute');
  const name = path.basename(file);
  let size: number;
  try {
    const st = await fs.promises.stat(file);
    if (!st.isFile()) throw new BoxscopeError('INVALID_INPUT', `${name} is not a regular file`);
    size = st.size;
  } catch (err) {
    if (err instanceof BoxscopeError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new BoxscopeError(
      'INVALID_INPUT',
      `Cannot read ${name}${code === 'ENOENT' ? ': no such file' : code ? ` (${code})` : ''}`,
    );
  }
  const stream = fs.createReadStream(file, { highWaterMark: 1024 * 1024 });
  const abort = () => stream.destroy();
  signal.addEventListener('abort', abort, { once: true });
  try {
    await importTraceStream(ctx, stream, {
      fileName: name,
      totalBytes: size,
      signal,
      maxBytes: importMaxBytes(ctx.env),
      onProgress: (p) => {
        if (!signal.aborted) emit(p);
      },
    });
  } catch (err) {
    // A disposed stream has nobody to tell.
    if (signal.aborted) return;
    const code = (err as NodeJS.ErrnoException).code;
    if (!(err instanceof BoxscopeError) && typeof code === 'string') {
      throw new BoxscopeError('INVALID_INPUT', `Cannot read ${name} (${code})`);
    }
    throw err;
  } finally {
    signal.removeEventListener('abort', abort);
    stream.destroy();
  }
}

export async function importContent(
  ctx: Pick<CoreContext, 'store' | 'log'>,
  arg: { fileName: string; content: string },
  signal: AbortSignal,
): Promise<{ traceIds: string[] }> {
  const { traceIds } = await importTraceStream(ctx, [Buffer.from(arg.content, 'utf8')], {
    fileName: arg.fileName || undefined,
    signal,
  });
  return { traceIds };
}
