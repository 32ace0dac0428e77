/** The layer rules of eslint.layers.js really fire: deliberate bad imports, linted as if they were in the tree. */
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');
const eslint = new ESLint({ cwd: root });

async function layerErrors(file: string, code: string): Promise<string[]> {
  const [r] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return r!.messages
    .filter((m) => m.ruleId === 'import-x/no-restricted-paths' || m.ruleId === 'no-restricted-imports')
    .map((m) => m.message);
}

describe('layer lint', () => {
  it('refuses a core module importing a host', async () => {
    expect(
      await layerErrors(
        'electron/core/runner/bad.ts',
        "import { startServer } from '../../server/server.js';\nexport const x = startServer;\n",
      ),
    ).toEqual([expect.stringContaining('Core code never imports a host')]);
  });

  it('refuses the renderer importing core code, and shared importing anything outside it', async () => {
    expect(
      await layerErrors(
        'renderer/src/components/bad.ts',
        "import { createCore } from '../../../electron/core/service.js';\nexport const x = createCore;\n",
      ),
    ).toEqual([expect.stringContaining('only through window.boxscope')]);
    expect(
      await layerErrors(
        'shared/bad.ts',
        "import { createCore } from '../electron/core/service.js';\nexport const x = createCore;\n",
      ),
    ).toContainEqual(expect.stringContaining('shared/ imports nothing outside it'));
    expect(await layerErrors('shared/bad.ts', "import fs from 'node:fs';\nexport const x = fs;\n")).toHaveLength(1);
  });

  it('refuses hosts importing each other and core code importing electron', async () => {
    expect(
      await layerErrors(
        'electron/server/bad.ts',
        "import { registerAppScheme } from '../electron-main/protocol.js';\nexport const x = registerAppScheme;\n",
      ),
    ).toEqual([expect.stringContaining('Hosts never import each other')]);
    expect(
      await layerErrors('electron/core/bad.ts', "import { app } from 'electron';\nexport const x = app;\n"),
    ).toHaveLength(1);
  });

  it('lets each layer import what it may', async () => {
    expect(
      await layerErrors(
        'electron/server/ok.ts',
        "import { serveWire } from '../host-common/wire-server.js';\nimport { createCore } from '../core/service.js';\nexport const x = [serveWire, createCore];\n",
      ),
    ).toEqual([]);
  });
});
