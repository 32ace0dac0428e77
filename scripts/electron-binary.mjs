// Where Electron's binary is, without triggering the package's lazy download
// (which hangs or fails offline). Used by `npm start` and the e2e suite.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** @returns {{ ok: true, path: string } | { ok: false, reason: string }} */
export function findElectronBinary() {
  let pkgDir;
  try {
    pkgDir = path.dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return { ok: false, reason: 'the electron package is not installed' };
  }
  const pathFile = path.join(pkgDir, 'path.txt');
  const rel = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : undefined;
  const distDir = process.env.ELECTRON_OVERRIDE_DIST_PATH || path.join(pkgDir, 'dist');
  if (!rel && !process.env.ELECTRON_OVERRIDE_DIST_PATH) {
    return {
      ok: false,
      reason: `Electron's binary was never downloaded (no ${path.relative(process.cwd(), pathFile)})`,
    };
  }
  const bin = path.join(distDir, rel || 'electron');
  if (!existsSync(bin)) return { ok: false, reason: `Electron's binary is missing at ${bin}` };
  return { ok: true, path: bin };
}
