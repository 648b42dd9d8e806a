// OCI hooks that run in the runtime's namespaces (prestart, createRuntime, poststart, poststop; the C helper runs
// createContainer and startContainer inside the container): each hook is executed directly with exactly its own
// argv and environment, and reads the container's state on stdin.
import path from 'node:path';
import { spawn } from 'node:child_process';
import type { ContainerState, Hook, Hooks } from '../spec/types.js';
import { RuntimeError } from '../errors.js';

/** The hook kinds Berth runs itself, in the runtime namespace (advertised by `features`). */
export const RUNTIME_HOOK_KINDS = ['prestart', 'createRuntime', 'poststart', 'poststop'] as const;

/** Kinds that run inside the container's namespaces: the C helper runs them (plan `hook` lines). */
export const IN_CONTAINER_HOOK_KINDS = ['createContainer', 'startContainer'] as const;

/** How much of a failing hook's stderr the error keeps (the end is where the reason usually is). */
const STDERR_TAIL = 2048;
/** After a hook exits, how long to wait for its stderr to reach EOF: a daemon it forked may hold the pipe. */
const DRAIN_GRACE_MS = 200;
/** setTimeout fires at once for delays above 2^31-1 ms: clamp instead (~24 days is "no timeout" here). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** How one hook ended, when it did not succeed. */
export type HookFailure =
  | { kind: 'exit'; code: number }
  | { kind: 'signal'; signal: string }
  | { kind: 'timeout'; seconds: number }
  | { kind: 'spawn'; message: string };

/** A hook that failed: names the hook (kind, index, path), how it ended, and the tail of its stderr. */
export class HookError extends RuntimeError {
  constructor(
    readonly hookKind: string,
    readonly index: number,
    readonly hookPath: string,
    readonly failure: HookFailure,
    readonly stderr: string,
  ) {
    super(`${hookKind} hook #${index} (${hookPath}) ${describe(failure)}${stderr ? `; stderr: ${stderr}` : ''}`);
    this.name = 'HookError';
  }
}

function describe(f: HookFailure): string {
  switch (f.kind) {
    case 'exit':
      return `exited with status ${f.code}`;
    case 'signal':
      return `was killed by ${f.signal}`;
    case 'timeout':
      return `timed out after ${f.seconds}s and was killed`;
    case 'spawn':
      return `could not be executed: ${f.message}`;
  }
}

/** Refuses malformed hooks before anything is created (path must be absolute, timeout a positive integer). */
export function checkHooks(hooks: Hooks | undefined): void {
  if (!hooks) return;
  for (const kind of [...RUNTIME_HOOK_KINDS, ...IN_CONTAINER_HOOK_KINDS]) {
    (hooks[kind] ?? []).forEach((h, i) => {
      const where = `hooks.${kind}[${i}]`;
      if (typeof h?.path !== 'string' || !path.isAbsolute(h.path)) {
        throw new RuntimeError(`${where}.path must be an absolute path, got ${JSON.stringify(h?.path)}`, 'InvalidArgument');
      }
      if (h.timeout !== undefined && !(Number.isInteger(h.timeout) && h.timeout > 0)) {
        throw new RuntimeError(`${where}.timeout must be a positive number of seconds, got ${JSON.stringify(h.timeout)}`, 'InvalidArgument');
      }
    });
  }
}

export interface RunHooksOptions {
  /**
   * Report a failure here and go on with the next hook (poststop: the spec makes failures warnings).
   * Without it the first failure is thrown and the remaining hooks are skipped.
   */
  onFailure?: (err: HookError) => void;
}

/** Runs hooks of one kind in order, each with the state JSON on stdin; throws HookError on the first failure. */
export async function runHooks(
  kind: string,
  hooks: Hook[] | undefined,
  state: ContainerState,
  opts: RunHooksOptions = {},
): Promise<void> {
  if (!hooks?.length) return;
  const input = JSON.stringify(state);
  for (let i = 0; i < hooks.length; i++) {
    const err = await runOne(kind, i, hooks[i]!, input);
    if (!err) continue;
    if (!opts.onFailure) throw err;
    opts.onFailure(err);
  }
}

/** Runs one hook; resolves to its failure, or undefined on exit status 0. */
function runOne(kind: string, index: number, hook: Hook, input: string): Promise<HookError | undefined> {
  return new Promise((resolve) => {
    const argv = hook.args?.length ? hook.args : [hook.path];
    let tail = '';
    let timedOut = false;
    let settled = false;
    const fail = (f: HookFailure) => new HookError(kind, index, hook.path, f, tail.trim());

    // Own process group, so a timeout also kills whatever the hook started (e.g. `sleep` under a shell).
    const child = spawn(hook.path, argv.slice(1), {
      argv0: argv[0]!,
      env: envObject(hook.env ?? []),
      stdio: ['pipe', 'ignore', 'pipe'],
      detached: true,
    });
    const finish = (r: HookError | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const timer = hook.timeout
      ? setTimeout(() => {
        timedOut = true;
        killGroup(child.pid);
      }, Math.min(hook.timeout * 1000, MAX_TIMER_MS))
      : undefined;

    let stderrClosed = false;
    let exited: HookFailure | null | undefined; // undefined: still running; null: exit status 0
    const done = () => finish(exited ? fail(exited) : undefined);
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (d: string) => {
      tail = (tail + d).slice(-STDERR_TAIL);
    });
    child.stderr!.on('close', () => {
      stderrClosed = true;
      if (exited !== undefined) done();
    });
    // A hook may exit without reading its stdin: EPIPE is not its failure.
    child.stdin!.on('error', () => {});
    child.stdin!.end(input);

    child.on('error', (e) => finish(fail({ kind: 'spawn', message: e.message })));
    child.on('exit', (code, signal) => {
      exited = timedOut
        ? { kind: 'timeout', seconds: hook.timeout! }
        : signal
          ? { kind: 'signal', signal }
          : code !== 0
            ? { kind: 'exit', code: code ?? -1 }
            : null;
      if (stderrClosed) return done();
      // The stderr tail may still be in flight: wait for EOF, but not for a descendant holding the pipe.
      setTimeout(() => {
        child.stderr!.destroy();
        done();
      }, DRAIN_GRACE_MS);
    });
  });
}

function killGroup(pid: number | undefined): void {
  if (!pid) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
}

/** The hook's environment is exactly its `env` list; later duplicates win, as with execve consumers. */
function envObject(env: string[]): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const kv of env) {
    const eq = kv.indexOf('=');
    // Entries without '=' are not valid environment strings; Node cannot pass them verbatim.
    if (eq > 0) out[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return out;
}
