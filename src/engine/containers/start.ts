// Starting a container: mount its snapshot, resolve its user, attach its networks, write its bundle, and hand
// its process to a monitor (native/monitor) through the runtime, so the container outlives this daemon.
import fs from 'node:fs';
import path from 'node:path';
import { createContainer, deleteContainer, startContainer as runtimeStart } from '../../runtime/index.js';
import { lastCap } from '../../runtime/lifecycle/create.js';
import { mountAll, unmountAll } from '../../image/index.js';
import { monitorArgs } from '../monitor/index.js';
import { EngineError } from '../errors.js';
import { containerPaths, type ContainerContext } from './context.js';
import { buildSpec, type NamespaceSource } from './oci-spec.js';
import { copyUpVolumes, ociMounts } from './mounts.js';
import { resolveUser } from './user.js';
import { hostDevice, swapAccounting, copyTree, INIT_BINARY } from './host.js';
import type { ContainerRecord } from './types.js';
import { stoppedEndpoints } from '../networks/endpoints.js';
import { removeTreeSync } from '../../common/remove-tree.js';

/** Called with the monitor's socket between the runtime's create and start: attach clients connect here. */
export type BeforeStart = (socketPath: string) => Promise<void>;

/** Starts a created or exited container; returns when its process runs. The caller holds the container's lock. */
export async function startContainerProcess(ctx: ContainerContext, rec: ContainerRecord, beforeStart: BeforeStart): Promise<void> {
  const p = containerPaths(ctx, rec.Id);
  fs.mkdirSync(p.run, { recursive: true, mode: 0o700 });
  fs.mkdirSync(p.rootfs, { recursive: true });
  fs.mkdirSync(p.bundle, { recursive: true });
  fs.rmSync(p.exit, { force: true });
  const undo: (() => Promise<void>)[] = [];
  const t0 = performance.now();
  const steps: string[] = [];
  const step = (name: string) => steps.push(`${name} ${(performance.now() - t0).toFixed(1)}ms`);
  try {
    const fsops = await ctx.fsops();
    const mounts = await ctx.images.snapshots.mounts(rec.SnapshotKey);
    await mountAll(mounts, p.rootfs, fsops);
    undo.push(() => unmountAll(p.rootfs, fsops));
    step('rootfs');

    const user = resolveUser(p.rootfs, rec.Config.User ?? '', rec.HostConfig.GroupAdd ?? []);
    await copyUpVolumes(rec.Mounts, p.rootfs, copyTree);

    const net = await ctx.networking.setup(rec);
    undo.push(() => ctx.networking.teardown(rec));
    rec.Networks = net.endpoints;
    rec.Ports = net.ports;
    step('network');

    const etc = ctx.networking.etcFiles(rec, net);
    fs.writeFileSync(p.hosts, etc.hosts);
    fs.writeFileSync(p.resolvConf, etc.resolvConf);
    fs.writeFileSync(p.hostname, etc.hostname);
    const etcMounts = etcBinds(p, rec);

    const spec = buildSpec(rec, {
      rootfs: p.rootfs,
      user,
      cgroupsPath: rec.HostConfig.CgroupParent ? `${rec.HostConfig.CgroupParent.replace(/\/+$/, '')}/${rec.Id}` : rec.Id,
      network: net.namespace,
      ...sharedNamespaces(ctx, rec),
      mounts: [...ociMounts(rec.Mounts), ...etcMounts],
      initPath: INIT_BINARY,
      lastCap: lastCap(),
      swapAccounting: swapAccounting(),
      hostDevice,
    });
    fs.writeFileSync(path.join(p.bundle, 'config.json'), JSON.stringify(spec));

    const tty = rec.Config.Tty === true;
    const logOpts = rec.HostConfig.LogConfig?.Config ?? {};
    await createContainer(ctx.runtime, rec.Id, {
      bundle: p.bundle,
      pidFile: p.pid,
      stdio: ['ignore', 'ignore', 'ignore'],
      ...(tty ? { consoleSocket: p.console } : {}),
      helperWrapper: monitorArgs({
        logPath: p.log,
        logMaxSize: parseSize(logOpts['max-size']),
        logMaxFiles: Number(logOpts['max-file'] ?? 1),
        exitFile: p.exit,
        socketPath: p.socket,
        ctlPath: p.ctl,
        pidFile: p.pid,
        tty,
        ...(tty ? { consoleSocket: p.console } : {}),
        stdin: rec.Config.OpenStdin === true,
        // Docker closes stdin after the first client only without a TTY (a TTY client detaches instead).
        stdinOnce: rec.Config.StdinOnce === true && rec.Config.Tty !== true,
      }),
    });
    undo.push(() => deleteContainer(ctx.runtime, rec.Id, true, () => {}));
    step('create');
    await beforeStart(p.socket);
    await runtimeStart(ctx.runtime, rec.Id);
    step('start');
    ctx.log('debug', `container ${rec.Id.slice(0, 12)} started: ${steps.join(', ')}`);
    const pid = Number(fs.readFileSync(p.pid, 'utf8').trim());
    rec.State = {
      ...rec.State, Status: 'running', Running: true, Paused: false, Restarting: false, OOMKilled: false, Dead: false,
      Pid: pid, ExitCode: 0, Error: '', StartedAt: new Date().toISOString(),
      ...(rec.Config.Healthcheck?.Test?.length && rec.Config.Healthcheck.Test[0] !== 'NONE' ? { Health: { Status: 'starting', FailingStreak: 0, Log: [] } } : {}),
    };
    ctx.store.save(rec);
  } catch (e) {
    for (const u of undo.reverse()) await u().catch((err) => ctx.log('warn', `container ${rec.Id}: cleanup after a failed start: ${(err as Error).message}`));
    rec.State = { ...rec.State, Status: rec.State.StartedAt && rec.State.StartedAt !== '0001-01-01T00:00:00Z' ? 'exited' : 'created', Running: false, Pid: 0, ExitCode: 128, Error: (e as Error).message };
    rec.Networks = stoppedEndpoints(rec.Networks); // the endpoint config stays for the next start
    ctx.store.save(rec);
    throw startError(e, rec);
  }
}

/** Undoes what a start made once the process has exited: runtime state and cgroup, networks, rootfs mount. */
export async function releaseContainerResources(ctx: ContainerContext, rec: ContainerRecord): Promise<void> {
  const p = containerPaths(ctx, rec.Id);
  const attempt = async (what: string, step: () => Promise<void>) => {
    try {
      await step();
    } catch (e) {
      const msg = (e as Error).message;
      if (!/does not exist|not found|ENOENT/i.test(msg)) ctx.log('warn', `container ${rec.Id}: releasing ${what}: ${msg}`);
    }
  };
  // Independent once the init is gone (its pid namespace took every other process with it): in parallel.
  await Promise.all([
    attempt('runtime state', () => deleteContainer(ctx.runtime, rec.Id, true, () => {})),
    attempt('networks', () => ctx.networking.teardown(rec)),
    attempt('rootfs', async () => unmountAll(p.rootfs, await ctx.fsops())),
  ]);
  await attempt('run dir', async () => removeTreeSync(p.run));
}

/** The generated /etc files, bind-mounted as Docker does (read-only with --read-only). */
function etcBinds(p: ReturnType<typeof containerPaths>, rec: ContainerRecord) {
  const ro = rec.HostConfig.ReadonlyRootfs ? 'ro' : 'rw';
  return [
    { destination: '/etc/hostname', type: 'bind', source: p.hostname, options: ['rbind', 'rprivate', ro] },
    { destination: '/etc/hosts', type: 'bind', source: p.hosts, options: ['rbind', 'rprivate', ro] },
    { destination: '/etc/resolv.conf', type: 'bind', source: p.resolvConf, options: ['rbind', 'rprivate', ro] },
  ];
}

/** --pid, --ipc and --uts: new (default), host, or container:<id> (the other container's namespace). */
function sharedNamespaces(ctx: ContainerContext, rec: ContainerRecord): { pid: NamespaceSource; ipc: NamespaceSource; uts: NamespaceSource } {
  const source = (mode: string | undefined, ns: string, flag: string): NamespaceSource => {
    if (!mode || mode === 'private' || mode === 'shareable' || mode === '') return { kind: 'new' };
    if (mode === 'host') return { kind: 'host' };
    if (mode.startsWith('container:')) {
      const other = ctx.store.get(mode.slice('container:'.length));
      if (!other.State.Running) throw new EngineError(`cannot join the ${flag} namespace of container ${other.Name.slice(1)}: it is not running`, 'Conflict');
      return { kind: 'path', path: `/proc/${other.State.Pid}/ns/${ns}` };
    }
    throw new EngineError(`invalid ${flag} mode "${mode}": use host, private or container:<name|id>`, 'InvalidArgument');
  };
  return {
    pid: source(rec.HostConfig.PidMode, 'pid', '--pid'),
    ipc: source(rec.HostConfig.IpcMode, 'ipc', '--ipc'),
    uts: source(rec.HostConfig.UTSMode, 'uts', '--uts'),
  };
}

/** Docker's size strings for log options ("10m", "1g", "512k"). */
export function parseSize(v: string | undefined): number {
  if (!v) return 0;
  const m = /^(\d+(?:\.\d+)?)\s*([kmgKMG]?)[bB]?$/.exec(v.trim());
  if (!m) throw new EngineError(`invalid size "${v}" for log option max-size (e.g. 10m, 512k)`, 'InvalidArgument');
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
  return Math.floor(Number(m[1]) * mult);
}

/** A start failure in Docker's terms: the CLI exits 127 for "executable file not found", 126 for "permission denied". */
function startError(e: unknown, rec: ContainerRecord): Error {
  if (e instanceof EngineError) return e;
  const msg = ((e as Error).message ?? String(e)).replace(/^create container "[0-9a-f]+": /, '');
  if (/executable file not found|exec: .*(ENOENT|EACCES|permission denied)/i.test(msg)) {
    return new EngineError(`failed to create task for container: OCI runtime create failed: unable to start container process: ${msg.replace('EACCES (permission denied)', 'permission denied')}: unknown`, 'InvalidArgument');
  }
  return new EngineError(`failed to start container ${rec.Id.slice(0, 12)}: ${msg}`, 'Internal');
}
