/**
 * `boxscope boxes [--json]`, `start BOX`, `restart BOX [-t N]`, `stop BOX [-t N]`, `rm BOX`,
 * `logs BOX [--follow]` — BOX is a box id, name or container id prefix.
 */
import type { Command } from 'commander';
import { BoxscopeError } from '../../../shared/errors.js';
import type { Box, LogChunk } from '../../../shared/models.js';
import { runAction, withCore } from '../run.js';

function age(ms: number): string {
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86400)}d ago`;
}

export function formatBoxes(boxes: Box[]): string {
  if (!boxes.length) return 'No boxes.\n';
  const rows = boxes.map((b) => [
    b.boxId,
    b.name,
    b.state + (b.exitCode !== undefined && b.state !== 'running' ? ` (${b.exitCode})` : ''),
    b.image,
    b.containerId ? b.containerId.slice(0, 12) : '-',
    age(b.createdAt),
    b.reason ?? '',
  ]);
  const head = ['BOX', 'NAME', 'STATE', 'IMAGE', 'CONTAINER', 'CREATED', 'REASON'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(head), ...rows.map(line)].join('\n') + '\n';
}

/** `-t/--time N`: whole seconds before SIGKILL, as docker spells it. */
function stopSeconds(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n > 3600)
    throw new BoxscopeError('INVALID_INPUT', `--time must be whole seconds from 0 to 3600, not "${text}"`);
  return n;
}

export function registerBoxes(program: Command): void {
  program
    .command('boxes')
    .description('List boxes (rebuilt from the engine, so it survives restarts)')
    .option('--json', 'print the boxes as a JSON array')
    .action((o: { json?: boolean }) =>
      runAction(() =>
        withCore(
          async (core) => {
            const boxes = await core.api.call('boxes:list');
            process.stdout.write(o.json ? JSON.stringify(boxes) + '\n' : formatBoxes(boxes));
          },
          { tracesOptional: true },
        ),
      ),
    );

  program
    .command('start')
    .description('Start a stopped or exited box again (a new trace, linked to its launch)')
    .argument('<box>', 'box id, name or container id prefix')
    .action((box: string) =>
      runAction(() =>
        withCore(async (core) => {
          const b = await core.api.call('boxes:start', { boxId: box });
          process.stdout.write(`started ${box} (trace ${b.lastTraceId ?? b.traceId ?? '-'})\n`);
        }),
      ),
    );

  program
    .command('restart')
    .description('Stop a box and start it again (a new trace, linked to its launch)')
    .argument('<box>', 'box id, name or container id prefix')
    .option('-t, --time <seconds>', 'seconds to wait for it to stop before killing it', '5')
    .action((box: string, o: { time?: string }) =>
      runAction(() =>
        withCore(async (core) => {
          const b = await core.api.call('boxes:restart', { boxId: box, timeout: stopSeconds(o.time) });
          process.stdout.write(`restarted ${box} (trace ${b.lastTraceId ?? b.traceId ?? '-'})\n`);
        }),
      ),
    );

  program
    .command('stop')
    .description('Stop a box (SIGTERM, then SIGKILL after the timeout)')
    .argument('<box>', 'box id, name or container id prefix')
    .option('-t, --time <seconds>', 'seconds to wait for it to stop before killing it', '5')
    .action((box: string, o: { time?: string }) =>
      runAction(() =>
        withCore(async (core) => {
          await core.api.call('boxes:stop', { boxId: box, timeout: stopSeconds(o.time) });
          process.stdout.write(`stopped ${box}\n`);
        }),
      ),
    );

  program
    .command('rm')
    .description('Remove a box (stops it first)')
    .argument('<box>', 'box id, name or container id prefix')
    .action((box: string) =>
      runAction(() =>
        withCore(async (core) => {
          await core.api.call('boxes:remove', { boxId: box });
          process.stdout.write(`removed ${box}\n`);
        }),
      ),
    );

  program
    .command('logs')
    .description("Print a box's output")
    .argument('<box>', 'box id, name or container id prefix')
    .option('--tail <n>', 'lines from the end', '200')
    .option('-f, --follow', 'keep printing until the box ends (Ctrl-C to stop)')
    .action((box: string, o: { tail: string; follow?: boolean }) =>
      runAction(() =>
        withCore(async (core) => {
          const tail = Number(o.tail) > 0 ? Number(o.tail) : 200;
          if (!o.follow) {
            process.stdout.write(await core.api.call('boxes:logs', { boxId: box, tail }));
            return;
          }
          const ac = new AbortController();
          const stop = () => ac.abort();
          process.once('SIGINT', stop);
          try {
            await core.listen(
              'logs:follow',
              { boxId: box, tail },
              (c) => {
                const chunk = c as LogChunk;
                (chunk.stream === 'stderr' ? process.stderr : process.stdout).write(chunk.text);
              },
              ac.signal,
            );
          } finally {
            process.off('SIGINT', stop);
          }
        }),
      ),
    );
}
