// How a helper process comes to exist: spawned by Node directly, or by a resident `berth-helper launcher`
// (native/src/launcher.c) for long-lived callers. Forking Node costs 1.3-3.5 ms of page-table copying on the
// event loop per container; the launcher's fork of itself costs ~0.1 ms.
import { spawn } from 'node:child_process';
import net from 'node:net';
import type { Duplex, Readable, Writable } from 'node:stream';
import { encodeArg } from '../plan/launch-plan.js';
import { errnoName, signalName } from './errors.js';

export type HelperStdio = 'inherit' | 'pipe' | 'ignore' | number;

export interface HelperExit { code: number | null; signal: string | null }

/** A started (or starting) helper process, however it was spawned. */
export interface HelperProcess {
  readonly stdin: Writable | null;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  /** The sync socket (the helper's --sync-fd), once connected; rejects when the process could not start. */
  readonly sync: Promise<Duplex>;
  /** How the process ended; `error` when it could not be started at all. */
  readonly exit: Promise<HelperExit & { error?: Error }>;
  /** Signals the process while it runs. */
  kill(sig: NodeJS.Signals | number): void;
}

/**
 * child_process.spawn with a sync socket (libuv's socketpair) added after `stdio`, at fd `syncFd` in the child;
 * the plan is written on it at once.
 */
export function spawnDirect(argv: string[], stdio: HelperStdio[], syncFd: number, plan: string): HelperProcess {
  const child = spawn(argv[0]!, argv.slice(1), { stdio: [...stdio, 'pipe'] });
  const sync = child.stdio[syncFd] as Duplex;
  sync.write(plan);
  const exit = new Promise<HelperExit & { error?: Error }>((resolve) => {
    child.on('error', (error) => resolve({ code: null, signal: null, error }));
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  return {
    stdin: child.stdin,
    stdout: child.stdout,
    stderr: child.stderr,
    sync: Promise.resolve(sync),
    exit,
    kill: (sig) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    },
  };
}

interface Pending {
  token: string;
  /** Its sync connection was accepted. */
  connected?: boolean;
  /** Its exit was reported. */
  done?: boolean;
  sync: { resolve(s: Duplex): void; reject(e: Error): void };
  exit(e: HelperExit & { error?: Error }): void;
  pid?: number;
}

/**
 * A resident `berth-helper launcher` and the abstract unix socket its launches connect back to. Only for
 * stdio that is inherited or /dev/null (Node cannot receive pipes from another process). Idle, it keeps
 * nothing of the caller's event loop alive.
 */
export class HelperLauncher {
  private readonly name = `berth-launch-${process.pid}-${randomHex(8)}`;
  private readonly server: net.Server;
  private readonly ctl: Duplex;
  private readonly byToken = new Map<string, Pending>();
  private readonly byPid = new Map<number, Pending>();
  private buf = '';
  private closed = false;
  /** Launches whose exit (or failure) has not been reported yet. */
  private outstanding = 0;

  constructor(helperPath: string) {
    this.server = net.createServer((conn) => this.accept(conn));
    this.server.listen(`\0${this.name}`);
    this.server.unref();
    const child = spawn(helperPath, ['launcher', this.name], { stdio: ['inherit', 'inherit', 'inherit', 'pipe'] });
    this.ctl = child.stdio[3] as Duplex;
    this.ctl.setEncoding('utf8');
    this.ctl.on('data', (chunk: string) => this.onReplies(chunk));
    this.ctl.on('error', () => {});
    this.ctl.on('close', () => this.fail(new Error(`berth-helper launcher (${helperPath}) is gone`)));
    child.on('error', (e) => this.fail(new Error(`cannot run berth-helper launcher ${helperPath}: ${e.message}`)));
    child.unref();
    this.idle();
  }

  /** False once the launcher process is gone or closed: start a new one. */
  get alive(): boolean {
    return !this.closed;
  }

  /** Whether a launch with these stdio entries can go through the launcher. */
  static supports(stdio: HelperStdio[], preserveFds: number): boolean {
    return preserveFds === 0 && stdio.length <= 3 && stdio.every((s) => s === 'inherit' || s === 'ignore');
  }

  /** The helper's fds under a launcher: the plan in a pipe, and the sync socket. */
  static readonly PLAN_FD = 3;
  static readonly SYNC_FD = 4;

  /** Starts argv with the plan at fd PLAN_FD and the sync socket at SYNC_FD (see supports()). */
  spawn(argv: string[], stdio: HelperStdio[], plan: string): HelperProcess {
    const token = randomHex(12);
    let resolveSync!: (s: Duplex) => void;
    let rejectSync!: (e: Error) => void;
    const sync = new Promise<Duplex>((res, rej) => ((resolveSync = res), (rejectSync = rej)));
    sync.catch(() => {});
    let resolveExit!: (e: HelperExit & { error?: Error }) => void;
    const exit = new Promise<HelperExit & { error?: Error }>((res) => (resolveExit = res));
    const pending: Pending = { token, sync: { resolve: resolveSync, reject: rejectSync }, exit: resolveExit };
    let exited = false;
    void exit.then(() => (exited = true));
    if (this.closed) {
      const error = new Error('berth-helper launcher is closed');
      rejectSync(error);
      resolveExit({ code: null, signal: null, error });
    } else {
      this.byToken.set(token, pending);
      if (this.outstanding++ === 0) this.busy();
      const modes = [0, 1, 2].map((i) => ((stdio[i] ?? 'inherit') === 'ignore' ? 'n' : 'i')).join('');
      this.ctl.write(`spawn ${token} ${modes} ${Buffer.byteLength(plan)} ${argv.length} ${argv.map(encodeArg).join(' ')}\n${plan}`);
    }
    return {
      stdin: null,
      stdout: null,
      stderr: null,
      sync,
      exit,
      kill: (sig) => {
        if (pending.pid !== undefined && !exited) process.kill(pending.pid, sig);
      },
    };
  }

  /** Stops the launcher (what it started keeps running). */
  close(): void {
    this.closed = true;
    this.ctl.end();
    this.server.close();
  }

  private accept(conn: net.Socket): void {
    // The launcher writes the launch's token first; anything else is not one of ours.
    let head = '';
    const onData = (chunk: Buffer) => {
      head += chunk.toString('latin1');
      const nl = head.indexOf('\n');
      if (nl < 0) {
        if (head.length > 64) conn.destroy();
        return;
      }
      conn.off('data', onData);
      // The connection and the launcher's replies race: the token stays known until both are in.
      const p = this.byToken.get(head.slice(0, nl));
      if (!p || p.connected) return void conn.destroy();
      p.connected = true;
      if (p.done) this.byToken.delete(p.token);
      const rest = head.slice(nl + 1);
      if (rest) conn.unshift(Buffer.from(rest, 'latin1'));
      p.sync.resolve(conn);
    };
    conn.on('data', onData);
    conn.on('error', () => {});
  }

  private onReplies(chunk: string): void {
    this.buf += chunk;
    let nl: number;
    while ((nl = this.buf.indexOf('\n')) >= 0) {
      const [op, a, b, c] = this.buf.slice(0, nl).split(' ');
      this.buf = this.buf.slice(nl + 1);
      if (op === 'pid') {
        const p = this.byToken.get(a!);
        if (p) (p.pid = Number(b)), this.byPid.set(p.pid, p);
      } else if (op === 'fail') {
        const p = this.byToken.get(a!);
        if (!p) continue;
        this.byToken.delete(a!);
        const error = new Error(`${c ?? 'spawn'}: ${errnoName(Number(b))}`);
        p.sync.reject(error);
        p.exit({ code: null, signal: null, error });
        this.settled();
      } else if (op === 'exit') {
        // Its connection was made before the fork, so the sync socket reaches accept() even if this comes first.
        const p = this.byPid.get(Number(a));
        if (!p) continue;
        this.byPid.delete(Number(a));
        p.done = true;
        if (p.connected) this.byToken.delete(p.token);
        p.exit(Number(b) < 0 ? { code: null, signal: signalName(Number(c)) } : { code: Number(b), signal: null });
        this.settled();
      }
    }
  }

  /** One launch fewer outstanding. */
  private settled(): void {
    if (--this.outstanding === 0) this.idle();
  }

  private fail(error: Error): void {
    this.closed = true;
    for (const p of new Set([...this.byToken.values(), ...this.byPid.values()])) {
      p.sync.reject(error);
      p.exit({ code: null, signal: null, error });
    }
    this.byToken.clear();
    this.byPid.clear();
    this.outstanding = 0;
    this.idle();
  }

  /** Outstanding launches keep the event loop alive (their exit is awaited), an idle launcher does not. */
  private busy(): void {
    (this.ctl as net.Socket).ref?.();
  }

  private idle(): void {
    (this.ctl as net.Socket).unref?.();
  }
}

/** n random bytes in hex. Web Crypto, loaded on first use: node:crypto at the top would cost every CLI
 * start (which never uses a launcher) ~2 ms of compiling its sixteen modules. */
function randomHex(n: number): string {
  return Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(n))).toString('hex');
}

