// The CLI's daemon on demand: when nothing answers /_ping on the socket, start `berth daemon` detached
// (its own session, output to <run dir>/daemon.log, the caller's BERTH_* environment), wait for it to
// answer, and say so on stderr. A lock file keeps two CLIs started at once from starting two daemons.
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { packageRoot } from '../../common/package-root.js';
import { isRunning } from '../../common/process-probe.js';
import { DaemonUnreachableError } from './api-error.js';
import { autostartDisabled, runRootFromEnv, socketPathFromEnv } from './discovery.js';
import { EngineClient } from './http-client.js';

export interface ConnectOptions {
  env?: NodeJS.ProcessEnv;
  /** Where the "started one" notice goes (stderr). */
  notice?: (line: string) => void;
  /** How long a started daemon has to answer (default 10 s). */
  timeoutMs?: number;
}

/** Starting a daemon failed: the message carries the last lines of its log. */
export class DaemonStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DaemonStartError';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A client whose daemon answers: the running one, or one started now (unless BERTH_NO_AUTOSTART is set). */
export async function connectEngine(opts: ConnectOptions = {}): Promise<EngineClient> {
  const env = opts.env ?? process.env;
  const socket = socketPathFromEnv(env);
  const client = new EngineClient(socket);
  try {
    await client.ping();
    return client;
  } catch (e) {
    if (!(e instanceof DaemonUnreachableError)) throw e;
    if (e.code === 'EACCES' || e.code === 'EPERM') {
      throw new DaemonUnreachableError(`permission denied while trying to connect to the Berth daemon at ${socket}: run berth as root (or as a user who may open the socket)`, socket, e.code);
    }
    if (autostartDisabled(env)) {
      throw new DaemonUnreachableError(`cannot connect to the Berth daemon at ${socket}: is \`berth daemon\` running?`, socket, e.code);
    }
  }
  await startDaemon(client, env, opts);
  return client;
}

/** Starts `berth daemon` for the client's socket and waits until it answers. */
async function startDaemon(client: EngineClient, env: NodeJS.ProcessEnv, opts: ConnectOptions): Promise<void> {
  const socket = client.socketPath;
  const runRoot = runRootFromEnv(env);
  fs.mkdirSync(runRoot, { recursive: true, mode: 0o711 });
  fs.mkdirSync(path.dirname(socket), { recursive: true, mode: 0o711 });
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const lock = path.join(runRoot, 'daemon-autostart.lock');
  if (!takeLock(lock)) {
    // Another CLI is starting the daemon right now: wait for it instead of starting a second one.
    if (await waitForPing(client, timeoutMs, () => true)) return;
    throw new DaemonStartError(`no daemon was answering on ${socket}, and the one another berth command is starting (${lock}) did not answer within ${timeoutMs / 1000}s`);
  }
  const logFile = path.join(runRoot, 'daemon.log');
  try {
    const log = fs.openSync(logFile, 'a');
    let exit: string | undefined;
    let child;
    try {
      child = spawn(process.execPath, [path.join(packageRoot(), 'bin', 'berth.cjs'), 'daemon', '-H', `unix://${socket}`], {
        detached: true, // setsid: the daemon outlives this command and its terminal
        stdio: ['ignore', log, log],
        env,
        cwd: '/',
      });
    } finally {
      fs.closeSync(log);
    }
    child.on('exit', (code, signal) => (exit = signal ? `killed by ${signal}` : `exited with code ${code}`));
    child.on('error', (err) => (exit = `could not be started: ${err.message}`));
    child.unref();
    const pid = child.pid;
    if (await waitForPing(client, timeoutMs, () => exit === undefined)) {
      (opts.notice ?? ((l) => process.stderr.write(l)))(`berth: no daemon was answering on ${socket}; started one (pid ${pid}, log ${logFile})\n`);
      return;
    }
    if (exit === undefined && pid) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
    }
    const why = exit ?? `did not answer within ${timeoutMs / 1000}s and was stopped`;
    throw new DaemonStartError(`no daemon was answering on ${socket}; the one started (pid ${pid}) ${why}. Last lines of ${logFile}:\n${tail(logFile, 15)}`);
  } finally {
    fs.rmSync(lock, { force: true });
  }
}

/** Polls /_ping until it answers (true), `alive()` turns false or the time is up (false). */
async function waitForPing(client: EngineClient, timeoutMs: number, alive: () => boolean): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      await client.ping();
      return true;
    } catch (e) {
      if (!(e instanceof DaemonUnreachableError)) throw e;
    }
    if (!alive()) return false;
    await sleep(50);
  }
  return false;
}

/** Creates the lock file with our pid; a lock left by a dead process is taken over. */
function takeLock(file: string): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const owner = Number(fs.readFileSync(file, 'utf8').trim());
      if (isRunning(owner)) return false;
      fs.rmSync(file, { force: true });
    }
  }
  return false;
}

/** The last `n` lines of a file ('' when unreadable). */
function tail(file: string, n: number): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-n).join('\n');
  } catch {
    return '';
  }
}
