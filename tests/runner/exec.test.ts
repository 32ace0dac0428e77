/**
 * Terminal sessions (`boxes:exec`) on the real engine through a real core:
 * a shell with a TTY, its output, resize, ^C, exit codes, a box without a
 * shell, and the session's `box.exec` span in the box's trace.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ATTR, SPAN } from '../../shared/constants.js';
import type { ErrorInfo } from '../../shared/errors.js';
import type { ExecEvent } from '../../shared/models.js';
import { createCore, type Core } from '../../electron/core/service.js';
import { EXEC_ATTR } from '../../electron/core/runner/exec.js';
import { buildImage, tempHome, waitFor, type TempHome, endCore } from '../fixtures/index.js';

const IMAGE = 'boxscope-test/exec:1';
const NO_SHELL = 'boxscope-test/exec-no-shell:1';
let h: TempHome;
let core: Core;
let boxId: string;
let traceId: string;

beforeAll(async () => {
  await buildImage(IMAGE);
  await buildImage(NO_SHELL, { noShell: true, cmd: ['/bin/sleep', '3600'] });
  h = tempHome();
  core = await createCore({ host: 'cli', env: h.env });
  const r = await core.api.call('boxes:launch', { image: IMAGE, daemon: false });
  boxId = r.boxId;
  traceId = r.traceId;
}, 120_000);

afterAll(() => endCore(core, h));

const MARKER = /bxs[0-9a-f]{16}:/;
let n = 0;
const sid = () => `test-session-${process.pid}-${++n}`;

/** Opens a session and collects what it sends. */
function open(arg: { boxId: string; cmd?: string[]; cols?: number; rows?: number }) {
  const sessionId = sid();
  const events: ExecEvent[] = [];
  let ended: { error?: ErrorInfo } | undefined;
  const dispose = core.api.listen(
    'boxes:exec',
    { cols: 80, rows: 24, ...arg, sessionId },
    { data: (e) => events.push(e), end: (error) => (ended = { error }) },
  );
  const output = () =>
    events
      .filter((e) => e.kind === 'output')
      .map((e) => (e as { data: string }).data)
      .join('');
  const until = (pred: () => boolean, what: string, ms = 15_000) =>
    waitFor(async () => (pred() ? true : undefined), what, ms);
  const type = (data: string) => core.api.call('boxes:execInput', { sessionId, data });
  return { sessionId, events, output, until, type, dispose, ended: () => ended };
}

describe('terminal', () => {
  it('opens the first shell found, runs what is typed and reads its output', async () => {
    const s = open({ boxId });
    await s.until(() => s.events.some((e) => e.kind === 'started'), 'started');
    expect(s.events[0]).toEqual({ kind: 'started', sessionId: s.sessionId, shell: '/bin/sh' });
    await s.type('echo marker-$((6*7))\r');
    await s.until(() => s.output().includes('marker-42'), 'the command output');
    // Multi-byte characters arrive whole (the output is decoded as a stream).
    await s.type('echo "h\u00e9llo \u{1F600} \u4e16\u754c"\r');
    await s.until(() => s.output().includes('h\u00e9llo \u{1F600} \u4e16\u754c\r\n'), 'unicode output');
    expect(s.output()).not.toContain('\uFFFD');
    // The pid wrapper's line never reaches the terminal.
    expect(s.output()).not.toMatch(MARKER);

    await core.api.call('boxes:execResize', { sessionId: s.sessionId, cols: 100, rows: 30 });
    await s.type('busybox stty size\r');
    await s.until(() => s.output().includes('30 100'), 'the new size');

    await s.type('exit 5\r');
    await s.until(() => s.events.some((e) => e.kind === 'exit'), 'the exit');
    expect(s.events.at(-1)).toEqual({ kind: 'exit', exitCode: 5 });
    await s.until(() => !!s.ended(), 'the end of the stream');
    expect(s.ended()!.error).toBeUndefined();
    // The session is gone: input is refused in words.
    await expect(s.type('x')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  }, 60_000);

  it('sends ^C to the process: it interrupts `sleep 100`', async () => {
    const s = open({ boxId });
    await s.until(() => s.events.some((e) => e.kind === 'started'), 'started');
    await s.type('sleep 100; echo slept-$((1+1))\r');
    await new Promise((r) => setTimeout(r, 500));
    const t0 = Date.now();
    await s.type('\x03');
    await s.type('echo after-$((2+3))\r');
    await s.until(() => s.output().includes('after-5'), 'the prompt back after ^C', 10_000);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(s.output()).toContain('^C');
    expect(s.output()).not.toContain('slept-2');
    s.dispose();
    // Closing the session ends its shell (its stdin closes), as closing a terminal window does.
    await waitFor(async () => {
      const ps = open({ boxId, cmd: ['busybox', 'ps', '-o', 'pid,args'] });
      await ps.until(() => ps.events.some((e) => e.kind === 'exit'), 'ps');
      return /\s\/bin\/sh\s*$/m.test(ps.output()) ? undefined : true;
    }, 'the closed session shell to end');
  }, 30_000);

  it("ends a closed session's process that ignores ^C, ^D and SIGHUP, within seconds", async () => {
    const script = 'trap "" INT HUP TERM; while :; do sleep 1; done';
    const ps = async () => {
      const p = open({ boxId, cmd: ['busybox', 'ps', '-o', 'pid,args'] });
      await p.until(() => p.events.some((e) => e.kind === 'exit'), 'ps');
      expect(p.output()).not.toMatch(MARKER);
      return p.output();
    };
    const s = open({ boxId, cmd: ['sh', '-c', script] });
    await s.until(() => s.events.some((e) => e.kind === 'started'), 'started');
    await new Promise((r) => setTimeout(r, 300));
    expect(await ps()).toContain(script);
    s.dispose();
    const t0 = Date.now();
    await waitFor(
      async () => (!(await ps()).includes(script) ? true : undefined),
      'the session process to end',
      10_000,
    );
    const tookMs = Date.now() - t0;
    console.info(`exec: a process ignoring ^C, ^D and HUP was gone ${tookMs} ms after its session closed`);
    expect(tookMs).toBeLessThan(3000);
    expect(s.output()).not.toMatch(MARKER);
    const span = await waitFor(
      async () =>
        core.ctx.store
          .getTrace(traceId)
          .find((x) => x.name === SPAN.boxExec && x.attributes[EXEC_ATTR.command] === `sh -c ${script}`),
      'the closed session span',
    );
    expect(span.attributes[EXEC_ATTR.endedBy]).toBe('closed');
    expect(span.attributes[EXEC_ATTR.exitCode]).toBeUndefined();
  }, 30_000);

  it('runs a given command and reports its exit code; the span names it, with no input or output', async () => {
    const s = open({ boxId, cmd: ['sh', '-c', 'read line; echo got-$line; exit 7'] });
    await s.until(() => s.events.some((e) => e.kind === 'started'), 'started');
    await s.type('typed-secret-words\r');
    await s.until(() => s.events.some((e) => e.kind === 'exit'), 'the exit');
    expect(s.output()).toContain('got-typed-secret-words');
    expect(s.events.at(-1)).toEqual({ kind: 'exit', exitCode: 7 });

    const span = await waitFor(
      async () =>
        core.ctx.store.getTrace(traceId).find((x) => x.name === SPAN.boxExec && x.attributes[EXEC_ATTR.exitCode] === 7),
      'the box.exec span',
    );
    const root = core.ctx.store.getTrace(traceId).find((x) => !x.parentSpanId)!;
    expect(span.parentSpanId).toBe(root.spanId);
    expect(span.attributes[ATTR.boxId]).toBe(boxId);
    expect(span.attributes[EXEC_ATTR.command]).toBe('sh -c read line; echo got-$line; exit 7');
    expect(span.attributes[EXEC_ATTR.endedBy]).toBe('exit');
    expect(JSON.stringify(span)).not.toContain('typed-secret-words');
  }, 60_000);

  it('says so when the box has no shell, and refuses a stopped box, a duplicate id and an unknown session', async () => {
    const r = await core.api.call('boxes:launch', { image: NO_SHELL, daemon: false });
    const s = open({ boxId: r.boxId });
    await s.until(() => !!s.ended(), 'the refusal');
    expect(s.ended()!.error).toMatchObject({
      code: 'INVALID_INPUT',
      message: 'This box has no shell (/bin/sh not found): give a command',
    });
    // With a command it works.
    const ok = open({ boxId: r.boxId, cmd: ['/bin/echo', 'no-shell-needed'] });
    await ok.until(() => ok.events.some((e) => e.kind === 'exit'), 'the exit');
    expect(ok.output()).toContain('no-shell-needed');

    // A duplicate live session id.
    const a = open({ boxId });
    await a.until(() => a.events.some((e) => e.kind === 'started'), 'started');
    let dupEnd: ErrorInfo | undefined;
    core.api.listen(
      'boxes:exec',
      { boxId, sessionId: a.sessionId, cols: 80, rows: 24 },
      { data: () => undefined, end: (e) => (dupEnd = e) },
    );
    await waitFor(async () => dupEnd, 'the duplicate refusal');
    expect(dupEnd!.message).toMatch(/already open/);
    a.dispose();

    await expect(core.api.call('boxes:execInput', { sessionId: 'nosuchsession1', data: 'x' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });

    await core.api.call('boxes:stop', { boxId: r.boxId });
    const st = open({ boxId: r.boxId });
    await st.until(() => !!st.ended(), 'the refusal');
    expect(st.ended()!.error!.message).toMatch(/is not running/);
  }, 90_000);
});
