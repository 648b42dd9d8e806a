// The Node side of berth-helper: spawns it, feeds it a launch plan and follows the sync protocol
// (docs/launch-plan.md).
import path from 'node:path';
import { packageRoot } from '../../common/package-root.js';
import type { Readable, Writable, Duplex } from 'node:stream';
import { decodeArg, encodeArg, serializePlan, type LaunchPlan } from '../plan/launch-plan.js';
import { HelperError } from './errors.js';
import { HelperLauncher, spawnDirect, type HelperExit, type HelperProcess, type HelperStdio } from './launcher.js';

export type { HelperExit, HelperStdio } from './launcher.js';

export interface StartHelperOptions {
  /** fds 0-2 of the container process; default inherit. */
  stdio?: HelperStdio[];
  /** Pass this process's fds 3 … 3+n-1 to the container unchanged. */
  preserveFds?: number;
  helperPath?: string;
  /**
   * Spawn the helper through this command: `wrapper[0] ...wrapper.slice(1) <helperPath> <mode> --sync-fd N`,
   * same fds (the engine's container monitor, which then becomes the container's parent).
   */
  helperWrapper?: string[];
  /** Start the process through this resident launcher when its stdio allows (HelperLauncher.supports). */
  launcher?: HelperLauncher;
}

export interface HelperHandle {
  /** The helper's stdio streams for 'pipe' entries (never with a launcher). */
  readonly stdin: Writable | null;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  /** Host pid of the container process once it exists in its namespaces and cgroups. */
  created(): Promise<number>;
  /** With `cgroupWait` in the plan: the cgroups exist now, place the process through these cgroup.procs files. */
  cgroupsReady(procsFiles: string[]): void;
  /**
   * Let the process go on with its setup (after createRuntime hooks). `stateJson` is the container state the
   * in-container hooks (createContainer, startContainer) read on stdin. `seccompStateJson` is the
   * containerProcessState the seccomp agent gets with the notification fd (plans with `seccomp-listener`).
   */
  continue(stateJson?: string, seccompStateJson?: string): void;
  /** Kill the process and make the helper exit 1. */
  abort(): void;
  /** Host pid again, once setup is done (blocked on the exec fifo, or exec'd). */
  ready(): Promise<number>;
  /** Send a signal to the helper (in `wait` mode it forwards it to the process). */
  signal(sig: NodeJS.Signals | number): void;
  exited: Promise<HelperExit>;
}

/** The launcher option for startHelper, if there is one. */
export function withLauncher(launcher: HelperLauncher | undefined): { launcher?: HelperLauncher } {
  return launcher ? { launcher } : {};
}

/** native/build/berth-helper of this package, or $BERTH_HELPER. */
export function defaultHelperPath(): string {
  return process.env.BERTH_HELPER ?? path.join(packageRoot(), 'native', 'build', 'berth-helper');
}

interface Deferred<T> { promise: Promise<T>; resolve(v: T): void; reject(e: Error): void; settled: boolean }

function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Callers that stop at created() must not get an unhandled rejection from ready().
  promise.catch(() => {});
  const d: Deferred<T> = {
    promise,
    settled: false,
    resolve: (v) => {
      if (!d.settled) (d.settled = true), resolve(v);
    },
    reject: (e) => {
      if (!d.settled) (d.settled = true), reject(e);
    },
  };
  return d;
}

/** Spawns berth-helper for `plan` and returns a handle following its progress. */
export function startHelper(plan: LaunchPlan, opts: StartHelperOptions = {}): HelperHandle {
  const bin = opts.helperPath ?? defaultHelperPath();
  const preserve = opts.preserveFds ?? 0;
  const syncFd = 3 + preserve;
  const stdio = [...(opts.stdio ?? ['inherit', 'inherit', 'inherit'])];
  while (stdio.length < 3) stdio.push('inherit');
  // spawnDirect adds the sync socket after these: at fd 3+preserve in the helper.
  const spawnStdio: HelperStdio[] = [...stdio.slice(0, 3)];
  for (let i = 0; i < preserve; i++) spawnStdio.push(3 + i);

  const created = deferred<number>();
  const ready = deferred<number>();
  const wrapper = opts.helperWrapper ?? [];
  const planText = serializePlan(plan);
  const launcher = opts.launcher && HelperLauncher.supports(stdio, preserve) ? opts.launcher : undefined;
  const proc: HelperProcess = launcher
    ? launcher.spawn([...wrapper, bin, plan.mode, '--sync-fd', String(HelperLauncher.SYNC_FD), '--plan-fd', String(HelperLauncher.PLAN_FD)], stdio, planText)
    : spawnDirect([...wrapper, bin, plan.mode, '--sync-fd', String(syncFd)], spawnStdio, syncFd, planText);
  let error: Error | undefined;

  const failAll = (e: Error) => {
    error ??= e;
    created.reject(error);
    ready.reject(error);
  };

  let sync: Duplex | undefined;
  let aborted = false;
  // Lines sent before the sync socket is connected (a launcher's connection waits for our event loop).
  const queued: string[] = [];
  let buf = '';
  // 'exit' can come before the last sync line is read; only the helper and the not-yet-exec'd child
  // hold the sync socket (the child closes it at once), so its close means every line has arrived.
  const syncClosed = proc.sync.then(
    (s) => new Promise<void>((resolve) => {
      sync = s;
      s.on('close', () => resolve());
      // EPIPE/ECONNRESET when the helper dies early: its exit status tells the story below.
      s.on('error', () => {});
      if (aborted) return void s.destroy();
      s.setEncoding('utf8');
      s.on('data', (chunk: string) => {
        buf += chunk;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const [op, ...args] = buf.slice(0, nl).split(' ');
          buf = buf.slice(nl + 1);
          if (op === 'created') created.resolve(Number(args[0]));
          else if (op === 'ready') ready.resolve(Number(args[0]));
          else if (op === 'error') {
            failAll(new HelperError(decodeArg(args[0] ?? ''), Number(args[1] ?? 0), decodeArg(args[2] ?? '%'), plan));
          }
        }
      });
      for (const line of queued.splice(0)) s.write(line);
    }),
    () => {},
  );
  const exited = proc.exit.then(async ({ code, signal, error: spawnError }) => {
    if (spawnError) {
      failAll(new Error(`cannot run ${wrapper.length ? `helper wrapper ${wrapper[0]}` : `berth-helper ${bin}`}: ${spawnError.message}`));
      return { code: null, signal: null };
    }
    await syncClosed;
    const status = signal ? `was killed by ${signal}` : `exited with status ${code}`;
    const stage = !created.settled ? '"created"' : '"ready"';
    failAll(new Error(`berth-helper ${status} before ${stage}`));
    return { code, signal };
  });

  let continued = plan.noHold === true;
  let pid = 0;
  void created.promise.then((p) => (pid = p), () => {});
  const send = (line: string) => {
    if (!sync) queued.push(line + '\n');
    else if (!sync.destroyed && sync.writable) sync.write(line + '\n');
  };
  return {
    stdin: proc.stdin,
    stdout: proc.stdout,
    stderr: proc.stderr,
    created: () => created.promise,
    ready: () => ready.promise,
    cgroupsReady: (procsFiles: string[]) => send(['cgroups', ...procsFiles.map(encodeArg)].join(' ')),
    continue: (stateJson?: string, seccompStateJson?: string) => {
      if (plan.noHold) return;
      continued = true;
      if (stateJson !== undefined) send(`state ${encodeArg(stateJson)}`);
      if (seccompStateJson !== undefined) send(`seccomp-state ${encodeArg(seccompStateJson)}`);
      send('continue');
    },
    abort: () => {
      failAll(new Error('berth-helper: aborted'));
      // Not connected yet: the helper reads EOF on its sync socket and exits.
      if (!sync) return void (aborted = true);
      if (pid === 0) {
        // Before `created`: the helper reads `abort` at cgroup-wait or continue, or fails to send `created`
        // on the closed socket (no-hold); either way it kills the process and exits 1.
        send('abort');
        return void (sync as Duplex & { destroySoon?(): void }).destroySoon?.();
      }
      if (!continued) return send('abort');
      // Past `continue` the helper no longer reads the sync fd; killing the process makes it exit 1.
      if (!ready.settled) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
    },
    signal: (sig) => proc.kill(sig),
    exited,
  };
}
