// Docker credential helpers (`docker-credential-<name> get|store|erase`): the server URL on stdin, JSON on
// stdout. A missing helper is a clear error naming the config setting that asked for it.
import { spawn } from 'node:child_process';
import { ImageError } from '../errors.js';
import type { Credentials } from './types.js';

/** Runs a helper action; resolves with its stdout (rejects with the helper's own message on failure). */
export type HelperRunner = (helper: string, action: 'get' | 'store' | 'erase', input: string) => Promise<string>;

/** The real runner: spawns `docker-credential-<helper>` from PATH. */
export const runCredentialHelper: HelperRunner = (helper, action, input) =>
  new Promise((resolve, reject) => {
    const program = `docker-credential-${helper}`;
    const child = spawn(program, [action], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') reject(new ImageError(`credential helper ${program} is not installed (not found in PATH)`, 'FailedPrecondition'));
      else reject(new ImageError(`credential helper ${program}: ${e.message}`, 'FailedPrecondition'));
    });
    child.on('close', (code) => {
      if (code === 0) resolve(out);
      else reject(Object.assign(new Error((out || err).trim() || `exit status ${code}`), { helperFailed: true }));
    });
    child.stdin.on('error', () => {}); // a helper that exits early must not crash us
    child.stdin.end(input);
  });

/** Credentials from a helper, or undefined when it has none for the server. */
export async function helperGet(run: HelperRunner, helper: string, serverUrl: string, configPath: string, setting: string): Promise<Credentials | undefined> {
  let out: string;
  try {
    out = await run(helper, 'get', serverUrl);
  } catch (e) {
    if (e instanceof ImageError) throw new ImageError(`${e.message} — ${setting} in ${configPath} asks for it; install it or remove the setting`, e.kind);
    if (/credentials not found/i.test((e as Error).message)) return undefined;
    throw new ImageError(`credential helper docker-credential-${helper} failed for ${serverUrl}: ${(e as Error).message}`, 'Unavailable');
  }
  let doc: { Username?: unknown; Secret?: unknown };
  try {
    doc = JSON.parse(out);
  } catch {
    throw new ImageError(`credential helper docker-credential-${helper} printed something that is not JSON for ${serverUrl}`, 'Internal');
  }
  const username = typeof doc.Username === 'string' ? doc.Username : '';
  const secret = typeof doc.Secret === 'string' ? doc.Secret : '';
  if (!secret) return undefined;
  // Docker's convention: the user "<token>" means the secret is an identity token.
  return username === '<token>' ? { identityToken: secret } : { username, password: secret };
}

/** Stores credentials through a helper. */
export async function helperStore(run: HelperRunner, helper: string, serverUrl: string, user: string, secret: string): Promise<void> {
  try {
    await run(helper, 'store', JSON.stringify({ ServerURL: serverUrl, Username: user, Secret: secret }));
  } catch (e) {
    if (e instanceof ImageError) throw e;
    throw new ImageError(`credential helper docker-credential-${helper} could not store credentials for ${serverUrl}: ${(e as Error).message}`, 'Unavailable');
  }
}

/** Erases credentials through a helper (absent credentials are not an error). */
export async function helperErase(run: HelperRunner, helper: string, serverUrl: string): Promise<void> {
  try {
    await run(helper, 'erase', serverUrl);
  } catch (e) {
    if (e instanceof ImageError) throw e;
    if (/not found/i.test((e as Error).message)) return;
    throw new ImageError(`credential helper docker-credential-${helper} could not erase credentials for ${serverUrl}: ${(e as Error).message}`, 'Unavailable');
  }
}
