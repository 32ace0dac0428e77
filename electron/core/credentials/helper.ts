/** The docker-credential-* protocol (`get`, `store`, `erase`, `list` over stdin/stdout). */
import { execFile } from 'node:child_process';
import { BoxscopeError } from '../../../shared/errors.js';

export interface HelperCredential {
  username: string;
  secret: string;
}

function run(
  helper: string,
  op: string,
  input: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      `docker-credential-${helper}`,
      [op],
      { env: env as NodeJS.ProcessEnv, timeout: 20_000, maxBuffer: 1 << 20 },
      (err, stdout) => {
        if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') {
          reject(new BoxscopeError('SECRET_STORE', `Credential helper docker-credential-${helper} is not installed`));
          return;
        }
        const code = err
          ? typeof (err as { code?: unknown }).code === 'number'
            ? (err as { code: number }).code
            : 1
          : 0;
        resolve({ code, out: String(stdout) });
      },
    );
    child.stdin?.end(input);
  });
}

/** `undefined` when the helper has no entry for that server. */
export async function helperGet(
  helper: string,
  serverURL: string,
  env: NodeJS.ProcessEnv,
): Promise<HelperCredential | undefined> {
  const { code, out } = await run(helper, 'get', serverURL, env);
  if (code !== 0) return undefined;
  try {
    const j = JSON.parse(out) as { Username?: string; Secret?: string };
    if (!j.Secret) return undefined;
    return { username: j.Username ?? '', secret: j.Secret };
  } catch {
    return undefined;
  }
}

export async function helperStore(
  helper: string,
  serverURL: string,
  cred: HelperCredential,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  const { code, out } = await run(
    helper,
    'store',
    JSON.stringify({ ServerURL: serverURL, Username: cred.username, Secret: cred.secret }),
    env,
  );
  // The helper's output may echo its input on some failures: never pass it on.
  if (code !== 0)
    throw new BoxscopeError(
      'SECRET_STORE',
      `docker-credential-${helper} could not store the credential${out.includes(cred.secret) ? '' : `: ${out.split('\n')[0].slice(0, 200)}`}`,
    );
}

export async function helperErase(helper: string, serverURL: string, env: NodeJS.ProcessEnv): Promise<void> {
  await run(helper, 'erase', serverURL, env);
}

export async function helperList(helper: string, env: NodeJS.ProcessEnv): Promise<Record<string, string>> {
  const { code, out } = await run(helper, 'list', '', env);
  if (code !== 0) return {};
  try {
    return JSON.parse(out) as Record<string, string>;
  } catch {
    return {};
  }
}
