/** electron-builder cannot package here (it downloads Electron), so its config is checked against its own schema. */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

interface BuilderConfig {
  files: string[];
  extraResources: Array<{ from: string; to: string }>;
  asarUnpack: string[];
  npmRebuild: boolean;
  protocols: Array<{ schemes: string[] }>;
  [key: string]: unknown;
}

const require = createRequire(import.meta.url);
const root = path.resolve(import.meta.dirname, '..', '..');
const load = () =>
  require('js-yaml').load(fs.readFileSync(path.join(root, 'electron-builder.yml'), 'utf8')) as BuilderConfig;

async function validate(cfg: unknown): Promise<void> {
  const { validateConfiguration } = require('app-builder-lib/out/util/config/config');
  const { DebugLogger } = require('builder-util');
  await validateConfiguration(cfg, new DebugLogger(false));
}

describe('electron-builder.yml', () => {
  it('flips the Electron fuses: no run-as-node, NODE_OPTIONS or inspect, only an integrity-checked app.asar', () => {
    expect(load().electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
      enableCookieEncryption: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('passes electron-builder’s schema, and a broken copy does not', async () => {
    await expect(validate(load())).resolves.toBeUndefined();
    await expect(validate({ ...load(), filez: [] })).rejects.toThrow();
  });

  it('ships the renderer and the daemon beside the asar, unpacks the native module, registers boxscope://', () => {
    const c = load();
    expect(c.extraResources.map((r: { from: string }) => r.from)).toEqual(['renderer/dist', 'daemon/bin']);
    expect(c.asarUnpack).toContain('**/node_modules/better-sqlite3/**');
    expect(c.npmRebuild).toBe(true);
    expect(c.protocols[0].schemes).toEqual(['boxscope']);
    expect(Object.keys(c)).toEqual(expect.arrayContaining(['linux', 'mac', 'win']));
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    expect(pkg.main).toBe('dist/electron/main.cjs');
    expect(c.files).toContain('dist/electron/**/*');
  });
});
