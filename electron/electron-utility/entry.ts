/** The bundled utility-process entry (dist/electron/core-process.cjs): Electron sets `process.parentPort`. */
import { DEFAULT_OTLP_PORT } from '../../shared/constants.js';
import { runCoreProcess, type ParentPortLike } from './core-process.js';

const parent = (process as unknown as { parentPort?: ParentPortLike }).parentPort;
if (!parent) throw new Error('core-process.cjs runs only as an Electron utility process');
runCoreProcess(parent, { otlpPort: Number(process.env.BOXSCOPE_OTLP_PORT ?? DEFAULT_OTLP_PORT) }).catch(() =>
  process.exit(1),
);
