// docker exec: exec instances (created, then started once) whose processes join a running container through
// the runtime, each under its own monitor — so an exec'd process, like the container, outlives the daemon.
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { execInContainer, execProcessFromConfig, loadContainer } from '../../runtime/index.js';
import { monitorArgs, watchExit, resizeTty, readExitFile } from '../monitor/index.js';
import { EngineError } from '../errors.js';
import { containerPaths, type ContainerContext } from '../containers/context.js';
import { joinMonitorWhenReady } from '../containers/attach.js';
import { parseDetachKeys } from '../containers/detach-keys.js';
import { resolveUser } from '../containers/user.js';
import { allCapabilities } from '../containers/security.js';
import { lastCap } from '../../runtime/lifecycle/create.js';
import type { ContainerRecord } from '../containers/types.js';
import { removeTreeSync } from '../../common/remove-tree.js';

/** POST /containers/{id}/exec body. */
export interface ExecConfig {
  Cmd?: string[];
  Tty?: boolean;
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  Env?: string[];
  User?: string;
  WorkingDir?: string;
  Privileged?: boolean;
  DetachKeys?: string;
  ConsoleSize?: [number, number] | null;
}

interface ExecInstance {
  id: string;
  containerId: string;
  config: ExecConfig;
  running: boolean;
  started: boolean;
  exitCode: number | null;
  pid: number;
  dir: string;
}

export class ExecManager {
  private readonly execs = new Map<string, ExecInstance>();

  constructor(private readonly ctx: ContainerContext) {}

  /** POST /containers/{id}/exec → the new exec id. */
  create(rec: ContainerRecord, config: ExecConfig): string {
    if (!rec.State.Running) throw new EngineError(`container ${rec.Id} is not running`, 'Conflict');
    if (rec.State.Paused) throw new EngineError(`container ${rec.Id} is paused, unpause the container before exec`, 'Conflict');
    if (!config.Cmd?.length) throw new EngineError('No exec command specified', 'InvalidArgument');
    parseDetachKeys(config.DetachKeys); // a bad spec is refused at create, as dockerd does
    const id = randomBytes(32).toString('hex');
    const dir = path.join(this.ctx.config.runRoot, 'e', id.slice(0, 24));
    this.execs.set(id, { id, containerId: rec.Id, config, running: false, started: false, exitCode: null, pid: 0, dir });
    rec.ExecIDs.push(id);
    this.ctx.events.publish('container', `exec_create: ${config.Cmd.join(' ')}`, rec.Id, { execID: id, name: rec.Name.slice(1), image: rec.ImageName });
    return id;
  }

  get(id: string): ExecInstance {
    const e = this.execs.get(id);
    if (!e) throw new EngineError(`No such exec instance: ${id}`, 'NotFound');
    return e;
  }

  /** GET /exec/{id}/json. */
  inspect(id: string): Record<string, unknown> {
    const e = this.get(id);
    const [entrypoint, ...args] = e.config.Cmd ?? [];
    return {
      ID: e.id, Running: e.running, ExitCode: e.exitCode, ProcessConfig: { tty: e.config.Tty === true, entrypoint, arguments: args, privileged: e.config.Privileged === true, user: e.config.User ?? '' },
      OpenStdin: e.config.AttachStdin === true, OpenStderr: e.config.AttachStderr === true, OpenStdout: e.config.AttachStdout === true,
      CanRemove: !e.running && e.started, ContainerID: e.containerId, DetachKeys: e.config.DetachKeys ?? '', Pid: e.pid,
    };
  }

  /**
   * POST /exec/{id}/start: starts the process; with a client, joins it to the process's stdio and resolves when the
   * process has exited (detached: as soon as it runs).
   */
  async start(id: string, client: Duplex | undefined, opts: { detach: boolean }): Promise<void> {
    const e = this.get(id);
    if (e.started) throw new EngineError(`Error: Exec command ${id} has already run`, 'Conflict');
    const rec = this.ctx.store.get(e.containerId);
    if (!rec.State.Running) throw new EngineError(`container ${rec.Id} is not running`, 'Conflict');
    e.started = true;
    fs.mkdirSync(e.dir, { recursive: true, mode: 0o700 });
    const files = { socket: path.join(e.dir, 'sock'), ctl: path.join(e.dir, 'ctl'), console: path.join(e.dir, 'console'), exit: path.join(e.dir, 'exit'), pid: path.join(e.dir, 'pid') };
    const tty = e.config.Tty === true;
    const base = loadContainer(this.ctx.runtime, rec.Id).state.config.process;
    const rootfs = containerPaths(this.ctx, rec.Id).rootfs;
    const user = e.config.User ? resolveUser(rootfs, e.config.User) : undefined;
    const proc = execProcessFromConfig(base, e.config.Cmd!, {
      ...(e.config.WorkingDir ? { cwd: e.config.WorkingDir } : {}),
      env: [...(e.config.Env ?? []), ...(tty ? ['TERM=xterm'] : [])],
      ...(user ? { user: { uid: user.uid, gid: user.gid, additionalGids: user.additionalGids } } : {}),
      tty,
      ...(e.config.Privileged ? { caps: allCapabilities(lastCap()) } : {}),
    });
    if (e.config.ConsoleSize?.length === 2) proc.consoleSize = { height: e.config.ConsoleSize[0], width: e.config.ConsoleSize[1] };
    const stdin = e.config.AttachStdin === true && !opts.detach;
    const attached = client !== undefined && !opts.detach;
    let failed = false;
    const starting = execInContainer(this.ctx.runtime, rec.Id, {
      process: proc, detach: true, pidFile: files.pid, stdio: ['ignore', 'ignore', 'ignore'],
      ...(tty ? { consoleSocket: files.console } : {}),
      helperWrapper: monitorArgs({
        exitFile: files.exit, socketPath: files.socket, ctlPath: files.ctl, pidFile: files.pid, tty,
        ...(tty ? { consoleSocket: files.console } : {}), stdin, stdinOnce: stdin && !tty, waitClient: attached, // a TTY client detaches, never closes stdin (Docker)
      }),
    });
    starting.catch(() => (failed = true));
    const settle = () => {
      // The monitor wrote the exit file before closing its clients: the code is known when the client's stream ends.
      const exit = readExitFile(files.exit);
      if (exit && e.exitCode === null) this.finished(rec, e, exit.exitCode);
    };
    try {
      // With a client, the monitor starts the process only once the client is connected: no output is missed.
      if (attached) {
        await joinMonitorWhenReady(files.socket, client, {
          tty, stdin, stdout: e.config.AttachStdout !== false, stderr: e.config.AttachStderr !== false, onEnd: settle,
          detachKeys: parseDetachKeys(e.config.DetachKeys),
        }, () => failed);
      }
      const { pid } = await starting;
      e.pid = pid;
      if (e.exitCode === null) e.running = true; // a fast process may have ended (and been recorded) already
    } catch (err) {
      e.exitCode = 126;
      removeTreeSync(e.dir);
      throw execError(err as Error, e.config.Cmd![0]!);
    }
    this.ctx.events.publish('container', `exec_start: ${e.config.Cmd!.join(' ')}`, rec.Id, { execID: id, name: rec.Name.slice(1), image: rec.ImageName });
    const finished = watchExit(files.exit, files.socket)
      .then((exit) => (e.exitCode === null ? this.finished(rec, e, exit.exitCode) : undefined))
      .catch(() => (e.exitCode === null ? this.finished(rec, e, 126) : undefined));
    if (!opts.detach) await finished;
  }

  private finished(rec: ContainerRecord, e: ExecInstance, code: number): void {
    e.running = false;
    e.exitCode = code;
    removeTreeSync(e.dir);
    rec.ExecIDs = rec.ExecIDs.filter((x) => x !== e.id);
    this.ctx.events.publish('container', 'exec_die', rec.Id, { execID: e.id, exitCode: String(code), name: rec.Name.slice(1), image: rec.ImageName });
  }

  /** POST /exec/{id}/resize. */
  resize(id: string, rows: number, cols: number): void {
    const e = this.get(id);
    if (!e.running) throw new EngineError(`exec ${id} is not running`, 'Conflict');
    resizeTty(path.join(e.dir, 'ctl'), rows, cols);
  }
}

function execError(err: Error, prog: string): EngineError {
  if (/ENOENT|No such file|not found/i.test(err.message)) {
    return new EngineError(`OCI runtime exec failed: exec failed: unable to start container process: exec: "${prog}": executable file not found in $PATH: unknown`, 'InvalidArgument');
  }
  return new EngineError(err.message, 'Internal');
}
