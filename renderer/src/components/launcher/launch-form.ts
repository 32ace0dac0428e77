/**
 * The launch form's text fields ↔ a LaunchSpec, with every problem the shared
 * rules (shared/launch-rules.ts) find, by form field. Pure, so the form and
 * its tests read the same words as the core.
 */
import {
  formatMount,
  formatPort,
  joinCommand,
  launchProblems,
  parseLabel,
  parseMount,
  parsePort,
  splitCommand,
} from '../../../../shared/launch-rules.js';
import type { LaunchProblem, LaunchSpec, PullPolicy, RestartPolicy } from '../../../../shared/models.js';

export interface LaunchForm {
  image: string;
  name: string;
  envText: string;
  network: string;
  pull: PullPolicy;
  daemon: boolean;
  command: string;
  entrypoint: string;
  workdir: string;
  user: string;
  /** One mount per line, `SRC:DST[:ro]`. */
  mounts: string;
  /** One port per line, `[IP:][HOST:]BOX[/udp]`. */
  ports: string;
  /** One label per line, `KEY=VALUE`. */
  labels: string;
  restart: RestartPolicy;
  restartMax: string;
}

export const EMPTY_FORM: LaunchForm = {
  image: '',
  name: '',
  envText: '',
  network: 'none',
  pull: 'missing',
  daemon: true,
  command: '',
  entrypoint: '',
  workdir: '',
  user: '',
  mounts: '',
  ports: '',
  labels: '',
  restart: 'no',
  restartMax: '',
};

/** The form fields a problem shows under: `mounts.2` → `mounts`. */
export type FormField =
  | 'image'
  | 'name'
  | 'env'
  | 'command'
  | 'entrypoint'
  | 'workdir'
  | 'user'
  | 'mounts'
  | 'ports'
  | 'labels'
  | 'restart'
  | 'network'
  | 'pull';

export function formField(problemField: string): FormField {
  const f = problemField.split('.')[0];
  if (f === 'cmd') return 'command';
  return f as FormField;
}

/** Fields under the "Advanced" disclosure. */
export const ADVANCED: readonly FormField[] = ['entrypoint', 'workdir', 'user', 'labels', 'restart'];

const lines = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** The spec the form describes, and every problem in it (parse errors first, then the shared rules). */
export function readForm(f: LaunchForm): { spec: LaunchSpec; problems: LaunchProblem[] } {
  const problems: LaunchProblem[] = [];
  const spec: LaunchSpec = { image: f.image.trim(), network: f.network, pull: f.pull, daemon: f.daemon };
  if (f.name.trim()) spec.name = f.name.trim();
  // Only the KEY=value shape here: the names are the shared rules' to judge, in the core's words.
  const env: Record<string, string> = {};
  f.envText.split('\n').forEach((raw, n) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const at = line.indexOf('=');
    if (at <= 0) problems.push({ field: 'env', message: `Line ${n + 1}: expected KEY=value` });
    else env[line.slice(0, at).trim()] = line.slice(at + 1);
  });
  if (Object.keys(env).length) spec.env = env;
  if (f.command.trim()) {
    try {
      spec.cmd = splitCommand(f.command);
    } catch (e) {
      problems.push({ field: 'cmd', message: `Command: ${message(e)}` });
    }
  }
  if (f.entrypoint.trim()) {
    try {
      const words = splitCommand(f.entrypoint);
      // `''` (one empty word) is how the form says "no entrypoint", as `docker run --entrypoint ''`.
      spec.entrypoint = words.length === 1 && words[0] === '' ? [] : words;
    } catch (e) {
      problems.push({ field: 'entrypoint', message: `Entrypoint: ${message(e)}` });
    }
  }
  if (f.workdir.trim()) spec.workdir = f.workdir.trim();
  if (f.user.trim()) spec.user = f.user.trim();
  const mounts = lines(f.mounts);
  if (mounts.length) {
    spec.mounts = [];
    mounts.forEach((l, i) => {
      try {
        spec.mounts!.push(parseMount(l));
      } catch (e) {
        problems.push({ field: `mounts.${i}`, message: message(e) });
      }
    });
  }
  const ports = lines(f.ports);
  if (ports.length) {
    spec.ports = [];
    ports.forEach((l, i) => {
      try {
        spec.ports!.push(parsePort(l));
      } catch (e) {
        problems.push({ field: `ports.${i}`, message: message(e) });
      }
    });
  }
  const labels = lines(f.labels);
  if (labels.length) {
    spec.labels = {};
    for (const l of labels) {
      try {
        const [k, v] = parseLabel(l);
        spec.labels[k] = v;
      } catch (e) {
        problems.push({ field: 'labels', message: message(e) });
      }
    }
  }
  if (f.restart !== 'no') spec.restart = f.restart;
  if (f.restart === 'on-failure' && f.restartMax.trim()) {
    const n = Number(f.restartMax.trim());
    spec.restartMaxRetries = n;
  }
  const seen = new Set(problems.map((p) => `${formField(p.field)}|${p.message}`));
  for (const p of launchProblems(spec)) {
    const k = `${formField(p.field)}|${p.message}`;
    if (!seen.has(k)) problems.push(p);
    seen.add(k);
  }
  return { spec, problems };
}

/** The form for a past launch ("Run again"); its name is left for the user to choose. */
export function formFromSpec(spec: LaunchSpec, keepName = false): LaunchForm {
  const entrypoint = spec.entrypoint ? (spec.entrypoint.length ? joinCommand(spec.entrypoint) : "''") : '';
  return {
    ...EMPTY_FORM,
    image: spec.image,
    name: keepName ? (spec.name ?? '') : '',
    envText: Object.entries(spec.env ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join('\n'),
    network: spec.network ?? 'none',
    pull: spec.pull ?? 'missing',
    daemon: spec.daemon !== false,
    command: spec.cmd ? joinCommand(spec.cmd) : '',
    entrypoint,
    workdir: spec.workdir ?? '',
    user: spec.user ?? '',
    mounts: (spec.mounts ?? []).map(formatMount).join('\n'),
    ports: (spec.ports ?? []).map(formatPort).join('\n'),
    labels: Object.entries(spec.labels ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join('\n'),
    restart: spec.restart ?? 'no',
    restartMax: spec.restartMaxRetries ? String(spec.restartMaxRetries) : '',
  };
}

/** Whether any "Advanced" field holds something (the disclosure opens by itself then). */
export function hasAdvanced(f: LaunchForm): boolean {
  return !!(f.entrypoint || f.workdir || f.user || f.labels || f.restart !== 'no');
}
