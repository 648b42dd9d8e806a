// runc's lifecycle commands: create, start, run, kill, delete, exec, pause, resume, update.
import fs from 'node:fs';
import type { Command, CommandEnv } from './main.js';
import { contextOf as ctxOf, needArgs } from './main.js';
import { str as s, bool as b, list as l, type FlagSpec, type Flags } from '../../common/args.js';
import type { Process, LinuxResources } from '../spec/types.js';
import { parseBytes, parseIntFlag } from './units.js';


const createFlags: FlagSpec[] = [
  { name: 'bundle', short: 'b', kind: 'string', help: 'path to the bundle (default: current directory)' },
  { name: 'console-socket', kind: 'string', help: 'unix socket that receives the pty master' },
  { name: 'pid-file', kind: 'string', help: 'write the container process pid here' },
  { name: 'no-pivot', kind: 'bool', help: 'do not use pivot_root (for ramfs roots)' },
  { name: 'no-new-keyring', kind: 'bool', help: 'do not create a session keyring' },
  { name: 'preserve-fds', kind: 'string', help: 'pass this many extra fds (3…) to the container' },
];

/** Warnings go to the runtime log (callers such as containerd read it) and to stderr (for people). */
function warner(env: CommandEnv): (msg: string) => void {
  return (msg) => {
    env.log.warn(msg);
    process.stderr.write(`${env.name}: warning: ${msg}\n`);
  };
}

function createOpts(f: Flags, env: CommandEnv) {
  const preserve = s(f, 'preserve-fds');
  return {
    warn: warner(env),
    bundle: s(f, 'bundle') ?? process.cwd(),
    ...(s(f, 'pid-file') ? { pidFile: s(f, 'pid-file')! } : {}),
    ...(s(f, 'console-socket') ? { consoleSocket: s(f, 'console-socket')! } : {}),
    noPivot: b(f, 'no-pivot'),
    preserveFds: preserve ? parseIntFlag(preserve, 'preserve-fds') : 0,
  };
}

export const lifecycleCommands: Record<string, Command> = {
  create: {
    summary: 'create a container (its process waits for start)',
    usage: '[options] <container-id>',
    flags: createFlags,
    async run(env, f, args) {
      needArgs(args, ['container-id'], 'create');
      const { createContainer } = await import('../lifecycle/create.js');
      const c = await createContainer(ctxOf(env), args[0]!, createOpts(f, env));
      await c.helper.exited;
    },
  },
  start: {
    summary: 'start a created container',
    usage: '<container-id>',
    flags: [],
    async run(env, _f, args) {
      needArgs(args, ['container-id'], 'start');
      const { startContainer } = await import('../lifecycle/start.js');
      await startContainer(ctxOf(env), args[0]!);
    },
  },
  run: {
    summary: 'create and start a container; wait for it unless --detach',
    usage: '[options] <container-id>',
    flags: [...createFlags, { name: 'detach', short: 'd', kind: 'bool', help: 'return once started' },
      { name: 'keep', kind: 'bool', help: 'do not delete the container after it exits' }],
    async run(env, f, args) {
      needArgs(args, ['container-id'], 'run');
      const { runContainer } = await import('../lifecycle/run.js');
      const r = await runContainer(ctxOf(env), args[0]!, { ...createOpts(f, env), detach: b(f, 'detach'), keep: b(f, 'keep') });
      if (r.oomKilled) {
        env.log.warn(`container "${args[0]}" was killed by the OOM killer (memory limit reached)`);
        process.stderr.write(`${env.name}: container "${args[0]}": a process was killed by the OOM killer (memory limit reached)\n`);
      }
      return r.exitCode ?? 0;
    },
  },
  kill: {
    summary: 'send a signal to a container (default TERM)',
    usage: '[--all] <container-id> [signal]',
    flags: [{ name: 'all', short: 'a', kind: 'bool', help: 'signal every process in the container' }],
    async run(env, f, args) {
      needArgs(args, ['container-id'], 'kill');
      const { killContainer } = await import('../lifecycle/kill.js');
      killContainer(ctxOf(env), args[0]!, args[1] ?? 'TERM', b(f, 'all'));
    },
  },
  delete: {
    summary: 'delete a stopped container (--force: kill it first)',
    usage: '[--force] <container-id>...',
    flags: [{ name: 'force', short: 'f', kind: 'bool', help: 'kill a running container, then delete it' }],
    async run(env, f, args) {
      needArgs(args, ['container-id'], 'delete');
      const { deleteContainer } = await import('../lifecycle/kill.js');
      const ctx = ctxOf(env);
      for (const id of args) await deleteContainer(ctx, id, b(f, 'force'), warner(env));
    },
  },
  exec: {
    summary: 'run a new process inside a running container',
    usage: '[options] <container-id> [command args...]',
    failureCode: 255,
    flags: [
      { name: 'process', short: 'p', kind: 'string', help: 'process.json to run (instead of a command)' },
      { name: 'console-socket', kind: 'string', help: 'unix socket that receives the pty master' },
      { name: 'tty', short: 't', kind: 'bool', help: 'allocate a pseudo-terminal' },
      { name: 'cwd', kind: 'string', help: 'working directory' },
      { name: 'env', short: 'e', kind: 'list', help: 'set an environment variable (repeatable)' },
      { name: 'user', short: 'u', kind: 'string', help: 'uid[:gid]' },
      { name: 'additional-gids', short: 'g', kind: 'list', help: 'additional gid (repeatable)' },
      { name: 'cap', short: 'c', kind: 'list', help: 'add a capability (repeatable)' },
      { name: 'no-new-privs', kind: 'bool', help: 'set no_new_privileges' },
      { name: 'detach', short: 'd', kind: 'bool', help: 'do not wait for the process' },
      { name: 'pid-file', kind: 'string', help: 'write the process pid here' },
      { name: 'preserve-fds', kind: 'string', help: 'pass this many extra fds' },
      { name: 'process-label', kind: 'string' },
      { name: 'apparmor', kind: 'string' },
      { name: 'ignore-paused', kind: 'bool' },
    ],
    async run(env, f, args) {
      needArgs(args, ['container-id'], 'exec');
      const [id, ...cmd] = args;
      const ctx = ctxOf(env);
      const { execInContainer, execProcessFromConfig } = await import('../lifecycle/exec.js');
      let proc: Process;
      const file = s(f, 'process');
      if (file) {
        proc = JSON.parse(fs.readFileSync(file === '-' ? 0 : file, 'utf8')) as Process;
      } else {
        if (cmd.length === 0) throw new Error('exec: give a command to run, or --process FILE');
        const { loadContainer } = await import('../lifecycle/context.js');
        const base = loadContainer(ctx, id!).state.config.process;
        const user = s(f, 'user');
        proc = execProcessFromConfig(base, cmd, {
          ...(s(f, 'cwd') ? { cwd: s(f, 'cwd')! } : {}),
          env: l(f, 'env'),
          tty: b(f, 'tty'),
          noNewPrivs: b(f, 'no-new-privs'),
          caps: l(f, 'cap'),
          ...(user ? { user: parseUser(user, l(f, 'additional-gids')) } : {}),
        });
      }
      const detach = b(f, 'detach');
      const preserve = s(f, 'preserve-fds');
      const r = await execInContainer(ctx, id!, {
        process: proc, detach,
        ...(s(f, 'pid-file') ? { pidFile: s(f, 'pid-file')! } : {}),
        ...(s(f, 'console-socket') ? { consoleSocket: s(f, 'console-socket')! } : {}),
        preserveFds: preserve ? parseIntFlag(preserve, 'preserve-fds') : 0,
      });
      const forward = (sig: NodeJS.Signals) => r.helper.signal(sig);
      if (!detach) for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGWINCH'] as const) process.on(sig, forward);
      const exit = await r.helper.exited;
      return detach ? 0 : exit.code ?? 137;
    },
  },
  pause: {
    summary: 'freeze every process of a container',
    usage: '<container-id>',
    flags: [],
    async run(env, _f, args) {
      needArgs(args, ['container-id'], 'pause');
      const { pauseContainer } = await import('../lifecycle/resources.js');
      pauseContainer(ctxOf(env), args[0]!);
    },
  },
  resume: {
    summary: 'thaw a paused container',
    usage: '<container-id>',
    flags: [],
    async run(env, _f, args) {
      needArgs(args, ['container-id'], 'resume');
      const { resumeContainer } = await import('../lifecycle/resources.js');
      resumeContainer(ctxOf(env), args[0]!);
    },
  },
  update: {
    summary: 'change the resource limits of a running container',
    usage: '[options] <container-id>',
    flags: [
      { name: 'resources', short: 'r', kind: 'string', help: 'LinuxResources JSON file, or - for stdin' },
      { name: 'memory', kind: 'string', help: 'memory limit (e.g. 64m)' },
      { name: 'memory-reservation', kind: 'string', help: 'memory soft limit' },
      { name: 'memory-swap', kind: 'string', help: 'memory + swap limit (-1 unlimited)' },
      { name: 'cpu-shares', kind: 'string', help: 'relative CPU weight' },
      { name: 'cpu-share', kind: 'string' },
      { name: 'cpu-quota', kind: 'string', help: 'CPU quota per period (µs)' },
      { name: 'cpu-period', kind: 'string', help: 'CPU period (µs)' },
      { name: 'cpu-rt-period', kind: 'string' },
      { name: 'cpu-rt-runtime', kind: 'string' },
      { name: 'cpuset-cpus', kind: 'string', help: 'CPUs allowed (e.g. 0-1)' },
      { name: 'cpuset-mems', kind: 'string', help: 'memory nodes allowed' },
      { name: 'pids-limit', kind: 'string', help: 'maximum number of processes' },
      { name: 'blkio-weight', kind: 'string', help: 'block IO weight (10–1000)' },
    ],
    async run(env, f, args) {
      needArgs(args, ['container-id'], 'update');
      const { updateContainer } = await import('../lifecycle/resources.js');
      updateContainer(ctxOf(env), args[0]!, resourcesFromFlags(f));
    },
  },
};

/** `update` flags (or --resources JSON) as a LinuxResources patch. */
export function resourcesFromFlags(f: Flags): LinuxResources {
  const file = s(f, 'resources');
  if (file) return JSON.parse(fs.readFileSync(file === '-' ? 0 : file, 'utf8')) as LinuxResources;
  const r: LinuxResources = {};
  const mem = (k: string) => (s(f, k) !== undefined ? parseBytes(s(f, k)!, k) : undefined);
  const int = (k: string) => (s(f, k) !== undefined ? parseIntFlag(s(f, k)!, k) : undefined);
  const memory = { limit: mem('memory'), reservation: mem('memory-reservation'), swap: mem('memory-swap') };
  const cpu = {
    shares: int('cpu-shares') ?? int('cpu-share'), quota: int('cpu-quota'), period: int('cpu-period'),
    realtimePeriod: int('cpu-rt-period'), realtimeRuntime: int('cpu-rt-runtime'),
    cpus: s(f, 'cpuset-cpus'), mems: s(f, 'cpuset-mems'),
  };
  const defined = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
  if (Object.keys(defined(memory)).length) r.memory = defined(memory);
  if (Object.keys(defined(cpu)).length) r.cpu = defined(cpu);
  const pids = int('pids-limit');
  if (pids !== undefined) r.pids = { limit: pids };
  const w = int('blkio-weight');
  if (w !== undefined) r.blockIO = { weight: w };
  if (Object.keys(r).length === 0) throw new Error('update: nothing to change: give --resources or a limit flag such as --memory');
  return r;
}

function parseUser(spec: string, extraGids: string[]): { uid: number; gid: number; additionalGids?: number[] } {
  const m = /^(\d+)(?::(\d+))?$/.exec(spec);
  if (!m) throw new Error(`--user must be uid[:gid] in numbers, not "${spec}"`);
  const gids = extraGids.map((g) => parseIntFlag(g, 'additional-gids'));
  return { uid: Number(m[1]), gid: Number(m[2] ?? 0), ...(gids.length ? { additionalGids: gids } : {}) };
}
