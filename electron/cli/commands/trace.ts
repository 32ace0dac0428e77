/**
 * `boxscope trace TRACE_ID [--json | --otlp] [--from SOURCE]`, `boxscope import FILE` and
 * `boxscope sources [add NAME URL | rm NAME]` (docs/CONTRACTS.md, CLI).
 */
import path from 'node:path';
import type { Command } from 'commander';
import type { SpanRecord } from '../../../shared/models.js';
import { BoxscopeError, fromErrorInfo } from '../../../shared/errors.js';
import { runAction, withCore } from '../run.js';

export function formatDuration(ns: bigint): string {
  const n = ns < 0n ? 0n : ns;
  if (n < 1_000_000n) return `${(Number(n) / 1000).toFixed(n < 10_000n ? 1 : 0)} µs`;
  if (n < 1_000_000_000n) return `${(Number(n) / 1e6).toFixed(n < 10_000_000n ? 2 : 1)} ms`;
  return `${(Number(n) / 1e9).toFixed(2)} s`;
}

/** An indented tree: children under their parent by start time; spans whose parent is absent start a branch. */
export function formatTraceTree(spans: SpanRecord[]): string {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const children = new Map<string, SpanRecord[]>();
  const roots: SpanRecord[] = [];
  for (const s of spans) {
    if (s.parentSpanId && byId.has(s.parentSpanId) && s.parentSpanId !== s.spanId) {
      let list = children.get(s.parentSpanId);
      if (!list) children.set(s.parentSpanId, (list = []));
      list.push(s);
    } else roots.push(s);
  }
  const start = (s: SpanRecord) => BigInt(s.startTimeUnixNano);
  const byStart = (a: SpanRecord, b: SpanRecord) => (start(a) < start(b) ? -1 : start(a) > start(b) ? 1 : 0);
  roots.sort(byStart);
  for (const list of children.values()) list.sort(byStart);
  const t0 = spans.reduce((m, s) => (start(s) < m ? start(s) : m), start(spans[0]!));
  const t1 = spans.reduce((m, s) => (BigInt(s.endTimeUnixNano) > m ? BigInt(s.endTimeUnixNano) : m), 0n);
  const services = [...new Set(spans.map((s) => s.serviceName))];
  const errors = spans.filter((s) => s.status.code === 2).length;
  const lines = [
    `trace ${spans[0]!.traceId}  ${spans.length} span${spans.length === 1 ? '' : 's'}  ${formatDuration(t1 - t0)}` +
      `  services: ${services.join(', ')}${errors ? `  errors: ${errors}` : ''}`,
  ];
  // Iterative walk: a trace may be deep or have 100k spans.
  const stack: [SpanRecord, number][] = roots.reverse().map((r) => [r, 0]);
  const seen = new Set<string>();
  while (stack.length) {
    const [s, depth] = stack.pop()!;
    if (seen.has(s.spanId)) continue;
    seen.add(s.spanId);
    const dur = formatDuration(BigInt(s.endTimeUnixNano) - start(s));
    const at = formatDuration(start(s) - t0);
    const err = s.status.code === 2 ? `  ERROR${s.status.message ? `: ${s.status.message}` : ''}` : '';
    lines.push(`${'  '.repeat(depth)}${s.name}  [${s.serviceName}]  ${dur}  (+${at})${err}`);
    const kids = children.get(s.spanId) ?? [];
    for (let i = kids.length - 1; i >= 0; i--) stack.push([kids[i]!, depth + 1]);
  }
  return lines.join('\n') + '\n';
}

/** `boxscope trace ID | head` closes the pipe early: that is not an error. */
function quietOnClosedPipe(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}

export function registerTrace(program: Command): void {
  program
    .command('trace')
    .description(
      'Print a stored trace: an indented tree, or --json (SpanRecord[]) or --otlp (ExportTraceServiceRequest)',
    )
    .argument('<traceId>', '32 hex characters')
    .option('--json', 'print the spans as JSON')
    .option('--otlp', 'print an OTLP JSON ExportTraceServiceRequest')
    .option(
      '--from <source>',
      "first copy it from a trace source: a saved source's name or a Jaeger query URL (e.g. http://127.0.0.1:16686)",
    )
    .action((traceId: string, o: { json?: boolean; otlp?: boolean; from?: string }) =>
      runAction(async () => {
        if (o.json && o.otlp) throw new BoxscopeError('INVALID_INPUT', 'Choose one of --json and --otlp');
        quietOnClosedPipe();
        await withCore(async (core) => {
          if (o.from) await core.api.call('traces:fetch', { traceId, from: o.from });
          const read = async () => {
            if (o.otlp) return (await core.api.call('traces:export', { traceId })) + '\n';
            const spans = await core.api.call('traces:get', { traceId });
            return o.json ? JSON.stringify(spans, null, 2) + '\n' : formatTraceTree(spans);
          };
          let text: string;
          try {
            text = await read();
          } catch (err) {
            // Not here: each saved source is asked in turn, as the Traces page's "any source" does.
            const code = (err as { code?: string }).code;
            if (o.from || code !== 'TRACE_NOT_FOUND' || !(await core.api.call('sources:list')).length) throw err;
            const got = await core.api.call('traces:fetch', { traceId });
            process.stderr.write(`boxscope: trace ${traceId} copied from the trace source ${got.source}\n`);
            text = await read();
          }
          process.stdout.write(text);
        });
      }),
    );

  const sources = program
    .command('sources')
    .description('List the saved trace sources (Jaeger query endpoints `trace ID` asks when a trace is not here)')
    .option('--json', 'print them as JSON')
    .action((o: { json?: boolean }) =>
      runAction(() =>
        withCore(
          async (core) => {
            const list = await core.api.call('sources:list');
            if (o.json) process.stdout.write(JSON.stringify(list) + '\n');
            else if (!list.length) process.stdout.write('No trace sources saved (boxscope sources add NAME URL)\n');
            else for (const s of list) process.stdout.write(`${s.name}\t${s.url}\n`);
          },
          { tracesOptional: true },
        ),
      ),
    );
  sources
    .command('add')
    .description('Save a trace source, or change the URL of the one with that name')
    .argument('<name>', 'a short name (letters, digits, . _ -)')
    .argument('<url>', 'the Jaeger query endpoint, e.g. https://jaeger.example.com')
    .action((name: string, url: string) =>
      runAction(() =>
        withCore(
          async (core) => {
            const list = await core.api.call('sources:save', { name, url });
            process.stdout.write(`${name}\t${list.find((s) => s.name === name)?.url ?? url}\n`);
          },
          { tracesOptional: true },
        ),
      ),
    );
  sources
    .command('rm')
    .description('Forget a saved trace source')
    .argument('<name>')
    .action((name: string) =>
      runAction(() =>
        withCore(
          async (core) => {
            await core.api.call('sources:remove', { name });
          },
          { tracesOptional: true },
        ),
      ),
    );

  program
    .command('import')
    .description('Store the traces of an OTLP JSON or Jaeger JSON file; prints the trace ids, one per line')
    .argument('<file>', 'path of the file')
    .action((file: string) =>
      runAction(async () => {
        const full = path.resolve(file);
        await withCore(async (core) => {
          // Streamed from disk by the core: a file of any size, never read whole.
          const traceIds = await new Promise<string[]>((resolve, reject) => {
            let ids: string[] = [];
            core.api.listen(
              'traces:importFile',
              { path: full },
              {
                data: (p) => (ids = p.traceIds),
                end: (err) => (err ? reject(fromErrorInfo(err)) : resolve(ids)),
              },
            );
          });
          process.stdout.write(traceIds.map((t) => t + '\n').join(''));
        });
      }),
    );
}
