import { RESERVED_BOX_ENV } from '../../../../shared/constants.js';

/** `K=V` per line; blank lines and `#` comments ignored. Returns the env or the first problem. */
export function parseEnv(text: string): { env: Record<string, string>; problem?: string } {
  const env: Record<string, string> = {};
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n].trim();
    if (!line || line.startsWith('#')) continue;
    const at = line.indexOf('=');
    if (at <= 0) return { env, problem: `Line ${n + 1}: expected KEY=value` };
    const key = line.slice(0, at).trim();
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key))
      return { env, problem: `Line ${n + 1}: "${key}" is not a valid variable name` };
    if (RESERVED_BOX_ENV.includes(key)) return { env, problem: `${key} is set by Boxscope itself; remove it` };
    env[key] = line.slice(at + 1);
  }
  return { env };
}
