/** `boxscope login REGISTRY [-u USER] --password-stdin`, `logout REGISTRY`, `registries` — never prints a secret. */
import type { Command } from 'commander';
import { BoxscopeError } from '../../../shared/errors.js';
import type { CredentialInfo } from '../../../shared/models.js';
import { runAction } from '../run.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

export function formatRegistries(list: CredentialInfo[]): string {
  if (!list.length)
    return 'No registry credentials (boxscope login REGISTRY, GHCR_USERNAME/GHCR_TOKEN, or ~/.docker/config.json).\n';
  const rows = list.map((c) => [c.key, c.username ?? '-', c.source, c.sourceDetail]);
  const head = ['REGISTRY', 'USER', 'SOURCE', 'WHERE'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return (
    [head, ...rows].map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ')).join('\n') +
    '\n'
  );
}

export function registerRegistries(program: Command): void {
  program
    .command('login')
    .description('Test credentials against REGISTRY (host or host/repo/prefix/) and save them')
    .argument('<registry>', 'e.g. ghcr.io or ghcr.io/acme/')
    .option('-u, --username <user>', 'user name')
    .option('--password-stdin', 'read the password or token from stdin')
    .option('--allow-insecure-store', 'save even when the only secret store is a plaintext file')
    .option('--no-verify', 'save without testing against the registry first')
    .action(
      (
        registry: string,
        o: { username?: string; passwordStdin?: boolean; allowInsecureStore?: boolean; verify: boolean },
      ) =>
        runAction(async () => {
          if (!o.passwordStdin)
            throw new BoxscopeError(
              'INVALID_INPUT',
              'Pass the secret on stdin with --password-stdin (never as an argument)',
            );
          if (!o.username) throw new BoxscopeError('INVALID_INPUT', 'A user name is required (-u USER)');
          const secret = await readStdin();
          if (!secret) throw new BoxscopeError('INVALID_INPUT', 'No password or token on stdin');
          const [{ createCore }, { outcomeCode }] = await Promise.all([
            import('../../core/service.js'),
            import('../../core/registry/probe.js'),
          ]);
          const core = await createCore({ host: 'cli', tracesOptional: true });
          try {
            const status = await core.api.call('registries:storeStatus');
            if (!status.secure && !o.allowInsecureStore) {
              throw new BoxscopeError(
                'INSECURE_STORE',
                `Not saved: the only secret store here is a ${status.backend} (not encrypted). Initialise \`pass\` for docker-credential-pass, or re-run with --allow-insecure-store.`,
              );
            }
            if (o.verify) {
              const r = await core.api.call('registries:test', { key: registry, username: o.username, secret });
              if (r.outcome !== 'ok') throw new BoxscopeError(outcomeCode(r.outcome), `Not saved: ${r.message}`);
            }
            const info = await core.api.call('registries:save', {
              key: registry,
              username: o.username,
              secret,
              acceptInsecureStore: !!o.allowInsecureStore,
            });
            process.stdout.write(
              `Saved credentials for ${info.key} (user ${info.username}) in ${info.sourceDetail.replace(/^saved in Boxscope \((.*)\)$/, '$1')}\n`,
            );
          } finally {
            await core.close();
          }
        }),
    );

  program
    .command('logout')
    .description('Forget the credentials saved for REGISTRY')
    .argument('<registry>')
    .action((registry: string) =>
      runAction(async () => {
        const { createCore } = await import('../../core/service.js');
        const core = await createCore({ host: 'cli', tracesOptional: true });
        try {
          await core.api.call('registries:remove', { key: registry });
          process.stdout.write(`Removed credentials for ${registry}\n`);
        } finally {
          await core.close();
        }
      }),
    );

  program
    .command('registries')
    .description('List the registry credentials Boxscope would use (never the secrets)')
    .option('--json', 'print as JSON')
    .action((o: { json?: boolean }) =>
      runAction(async () => {
        const { createCore } = await import('../../core/service.js');
        const core = await createCore({ host: 'cli', tracesOptional: true });
        try {
          const list = await core.api.call('registries:list');
          process.stdout.write(o.json ? JSON.stringify(list) + '\n' : formatRegistries(list));
          const { credentialsFor } = await import('../../core/runner/instances.js');
          for (const w of credentialsFor(core.ctx).envWarnings()) process.stderr.write(`boxscope: warning: ${w}\n`);
        } finally {
          await core.close();
        }
      }),
    );
}
