// The container manager: every container operation the API offers, each under the container's lock,
// publishing Docker's events.
import os from 'node:os';
import { killContainer, pauseContainer, resumeContainer, updateContainer, containerPids } from '../../runtime/index.js';
import { parseSignal } from '../../runtime/index.js';
import { prepareRootfs, resolveImage } from '../../image/index.js';
import { EngineError } from '../errors.js';
import type { ContainerCounts } from '../services.js';
import { containerPaths, type ContainerContext } from './context.js';
import { commandOf, mergeImageConfig } from './merge-config.js';
import { checkName, generateName, newContainerId } from './names.js';
import { resolveMounts } from './mounts.js';
import { resourcesFromHostConfig } from './resources.js';
import { effectiveCapabilities, parseSecurityOpts } from './security.js';
import { DOCKER_CAPABILITIES } from '../../runtime/spec/hardened-spec.js';
import { lastCap } from '../../runtime/lifecycle/create.js';
import { restartOnDaemonStart, validateRestartPolicy } from './restart-policy.js';
import { startContainerProcess, type BeforeStart } from './start.js';
import { adoptContainers, settleExit, watchContainer, type ExitHooks } from './exit.js';
import { containerSummary, inspectContainer, matchesFilters } from './view.js';
import type { ContainerRecord, CreateRequest } from './types.js';
import { hostDevice, swapAccounting } from './host.js';
import { HealthChecker } from './health.js';
import { removeTreeSync } from '../../common/remove-tree.js';

const ZERO_TIME = '0001-01-01T00:00:00Z';

export class ContainerManager {
  private readonly hooks: ExitHooks;
  /** Names claimed by creates still in flight (not yet in the store). */
  private readonly pendingNames = new Set<string>();

  constructor(readonly ctx: ContainerContext) {
    this.hooks = {
      restart: (rec) => this.startLocked(rec, async () => {}, 'restart'),
      remove: (rec) => this.removeLocked(rec, { volumes: true }),
    };
    ctx.health = new HealthChecker(ctx);
    ctx.volumes.setUsage((name) => ctx.store.all().filter((c) => c.Mounts.some((m) => m.Name === name)).map((c) => c.Id));
  }

  /** Re-adopts running containers, settles exits that happened while the daemon was down, applies restart policies. */
  async init(): Promise<void> {
    await adoptContainers(this.ctx, this.hooks);
    for (const rec of this.ctx.store.all()) {
      if (rec.State.Running || rec.State.Status === 'created') continue;
      if (restartOnDaemonStart(rec.HostConfig.RestartPolicy, rec.ManualStop === true) && rec.State.Status === 'exited') {
        await this.ctx.locks.run(rec.Id, () => this.startLocked(rec, async () => {}, 'start')).catch((e) => this.ctx.log('error', `container ${rec.Id}: restart at daemon start: ${(e as Error).message}`));
      }
    }
  }

  get(ref: string): ContainerRecord {
    return this.ctx.store.get(ref);
  }

  counts(): ContainerCounts {
    const all = this.ctx.store.all();
    const running = all.filter((c) => c.State.Status === 'running' || c.State.Status === 'restarting').length;
    const paused = all.filter((c) => c.State.Status === 'paused').length;
    return { total: all.length, running, paused, stopped: all.length - running - paused };
  }

  /** POST /containers/create. */
  async create(req: CreateRequest, name: string | undefined): Promise<{ Id: string; Warnings: string[] }> {
    const { store, images } = this.ctx;
    const imageRef = req.Image ?? '';
    if (!imageRef) throw new EngineError('Config.Image is required: name the image to run', 'InvalidArgument');
    const { group } = await resolveImage(images, imageRef);
    const host = { ...(req.HostConfig ?? {}) };
    if (!host.NetworkMode || host.NetworkMode === 'default') host.NetworkMode = 'bridge';
    // Docker: with the host's network the container takes the host's name too (unless -h gives one).
    if (host.NetworkMode === 'host' && !req.Hostname) req = { ...req, Hostname: os.hostname() };
    const { HostConfig: _h, NetworkingConfig: netConfig, ...userConfig } = req;
    void _h;
    const config = mergeImageConfig(userConfig, group.image.config.config);
    const { path, args } = commandOf(config);
    validateRestartPolicy(host);
    resourcesFromHostConfig(host, swapAccounting());
    parseSecurityOpts(host.SecurityOpt ?? []);
    effectiveCapabilities(DOCKER_CAPABILITIES, host.CapAdd ?? [], host.CapDrop ?? [], lastCap());
    for (const dev of host.Devices ?? []) hostDevice(dev.PathOnHost);
    // Docker records the swap it will apply: twice the memory unless given.
    if ((host.Memory ?? 0) > 0 && !host.MemorySwap && swapAccounting()) host.MemorySwap = host.Memory! * 2;
    const warnings: string[] = [];
    if ((host.Memory ?? 0) > 0 && !swapAccounting()) warnings.push('Your kernel does not support swap limit capabilities or the cgroup is not mounted. Memory limited without swap.');
    const id = newContainerId();
    const cname = name ? checkName(name) : generateName((n) => store.nameTaken(n) || this.pendingNames.has(n));
    store.checkNameFree(cname);
    if (this.pendingNames.has(cname)) {
      throw new EngineError(`Conflict. The container name "/${cname}" is already in use by a container being created. You have to remove (or rename) that container to be able to reuse that name.`, 'Conflict');
    }
    this.pendingNames.add(cname);
    try {
      const rec: ContainerRecord = {
        Id: id, Name: `/${cname}`, Created: new Date().toISOString(), Path: path, Args: args,
        Config: { ...config, Image: imageRef }, HostConfig: host, Image: group.id, ImageName: imageRef,
        State: { Status: 'created', Running: false, Paused: false, Restarting: false, OOMKilled: false, Dead: false, Pid: 0, ExitCode: 0, Error: '', StartedAt: ZERO_TIME, FinishedAt: ZERO_TIME },
        RestartCount: 0, Mounts: [], Networks: {}, Ports: {}, SnapshotKey: `container-${id}`, ExecIDs: [],
      };
      // Aliases and static addresses the client asked for are kept for the network layer.
      if (netConfig?.EndpointsConfig) rec.Networks = Object.fromEntries(Object.entries(netConfig.EndpointsConfig).map(([k, v]) => [k, { ...v }]));
      this.ctx.networking.validate(rec);
      const { points, createdVolumes } = resolveMounts(rec, this.ctx.volumes);
      rec.Mounts = points;
      try {
        await prepareRootfs(images, group.id, rec.SnapshotKey, { labels: { 'berth.io/container': id } });
        store.add(rec);
      } catch (e) {
        for (const v of createdVolumes) this.ctx.volumes.remove(v, true);
        await images.snapshots.remove(rec.SnapshotKey).catch(() => undefined);
        throw e;
      }
      this.ctx.events.publish('container', 'create', id, { image: rec.ImageName, name: cname });
      return { Id: id, Warnings: warnings };
    } finally {
      // Claimed across the awaits above, so two creates in flight never pick the same generated name.
      this.pendingNames.delete(cname);
    }
  }

  /** POST /containers/{id}/start; NotModified when it already runs. */
  async start(ref: string, beforeStart: BeforeStart = async () => {}): Promise<void> {
    const rec = this.get(ref);
    await this.ctx.locks.run(rec.Id, async () => {
      if (rec.State.Running) throw new EngineError('container already started', 'NotModified');
      if (rec.State.Status === 'removing') throw new EngineError(`cannot start container ${rec.Id.slice(0, 12)}: it is being removed`, 'Conflict');
      rec.ManualStop = false;
      try {
        await this.startLocked(rec, beforeStart, 'start');
      } catch (e) {
        // Docker removes a --rm container whose start failed: nothing is left behind.
        if (rec.HostConfig.AutoRemove) await this.removeLocked(rec, { volumes: true }).catch(() => undefined);
        throw e;
      }
    });
  }

  private async startLocked(rec: ContainerRecord, beforeStart: BeforeStart, action: 'start' | 'restart'): Promise<void> {
    await startContainerProcess(this.ctx, rec, beforeStart);
    this.ctx.networking.refreshPeers(rec);
    this.ctx.events.publish('container', 'start', rec.Id, { image: rec.ImageName, name: rec.Name.slice(1) });
    if (action === 'restart') this.ctx.events.publish('container', 'restart', rec.Id, { image: rec.ImageName, name: rec.Name.slice(1) });
    watchContainer(this.ctx, rec, this.hooks);
    this.ctx.health?.start(rec);
  }

  /** POST /containers/{id}/stop: the stop signal, then SIGKILL after the timeout; NotModified when not running. */
  async stop(ref: string, opts: { timeout?: number; signal?: string } = {}): Promise<void> {
    const rec = this.get(ref);
    if (rec.State.Status === 'restarting') {
      await this.ctx.locks.run(rec.Id, async () => {
        rec.ManualStop = true;
        rec.State = { ...rec.State, Status: 'exited', Restarting: false };
        this.ctx.store.save(rec);
        this.ctx.waiters.notify(rec, 'exit', true);
      });
      return;
    }
    if (!rec.State.Running) throw new EngineError('container already stopped', 'NotModified');
    rec.ManualStop = true;
    this.ctx.store.save(rec);
    const signal = opts.signal || rec.Config.StopSignal || 'SIGTERM';
    const timeout = opts.timeout ?? (typeof rec.Config.StopTimeout === 'number' ? rec.Config.StopTimeout : 10);
    this.ctx.events.publish('container', 'kill', rec.Id, { image: rec.ImageName, name: rec.Name.slice(1), signal: String(parseSignal(signal).number) });
    if (rec.State.Paused) this.signal(rec, 'SIGKILL');
    else this.signal(rec, signal);
    const exited = this.ctx.waiters.add(rec.Id, 'not-running');
    const timedOut = timeout >= 0 ? await Promise.race([exited.then(() => false), sleep(timeout * 1000).then(() => true)]) : await exited.then(() => false);
    if (timedOut && rec.State.Running) {
      this.signal(rec, 'SIGKILL');
      await exited;
    }
    this.ctx.events.publish('container', 'stop', rec.Id, { image: rec.ImageName, name: rec.Name.slice(1) });
  }

  /** POST /containers/{id}/kill; Conflict when not running. */
  async kill(ref: string, signal = 'SIGKILL'): Promise<void> {
    const rec = this.get(ref);
    if (!rec.State.Running) throw new EngineError(`Cannot kill container: ${ref}: Container ${rec.Id} is not running`, 'Conflict');
    const sig = parseSignal(signal);
    if (sig.number === 9 || sig.number === 15) {
      rec.ManualStop = true;
      this.ctx.store.save(rec);
    }
    const exited = sig.number === 9 ? this.ctx.waiters.add(rec.Id, 'not-running') : undefined;
    this.signal(rec, signal);
    this.ctx.events.publish('container', 'kill', rec.Id, { image: rec.ImageName, name: rec.Name.slice(1), signal: String(sig.number) });
    // Docker's kill with SIGKILL returns once the container is down (inspect then says exited).
    if (exited) await Promise.race([exited, sleep(10_000)]);
  }

  private signal(rec: ContainerRecord, signal: string): void {
    try {
      killContainer(this.ctx.runtime, rec.Id, signal.replace(/^SIG/, ''));
    } catch (e) {
      if (!/not running|does not exist/.test((e as Error).message)) throw new EngineError(`cannot signal container ${rec.Id.slice(0, 12)}: ${(e as Error).message}`, 'Internal');
    }
  }

  /** POST /containers/{id}/restart. */
  async restart(ref: string, opts: { timeout?: number; signal?: string } = {}): Promise<void> {
    const rec = this.get(ref);
    if (rec.State.Running) await this.stop(ref, opts);
    await this.start(rec.Id);
  }

  async pause(ref: string): Promise<void> {
    const rec = this.get(ref);
    await this.ctx.locks.run(rec.Id, async () => {
      if (!rec.State.Running) throw new EngineError(`Container ${rec.Id} is not running`, 'Conflict');
      if (rec.State.Paused) throw new EngineError(`Container ${rec.Id} is already paused`, 'Conflict');
      pauseContainer(this.ctx.runtime, rec.Id);
      rec.State = { ...rec.State, Status: 'paused', Paused: true };
      this.ctx.store.save(rec);
      this.ctx.events.publish('container', 'pause', rec.Id, { image: rec.ImageName, name: rec.Name.slice(1) });
    });
  }

  async unpause(ref: string): Promise<void> {
    const rec = this.get(ref);
    await this.ctx.locks.run(rec.Id, async () => {
      if (!rec.State.Paused) throw new EngineError(`Container ${rec.Id} is not paused`, 'Conflict');
      resumeContainer(this.ctx.runtime, rec.Id);
      rec.State = { ...rec.State, Status: 'running', Paused: false };
      this.ctx.store.save(rec);
      this.ctx.events.publish('container', 'unpause', rec.Id, { image: rec.ImageName, name: rec.Name.slice(1) });
    });
  }

  /** POST /containers/{id}/wait. */
  async wait(ref: string, condition: 'not-running' | 'next-exit' | 'removed' = 'not-running', signal?: AbortSignal): Promise<{ StatusCode: number; Error: null }> {
    const rec = this.get(ref);
    if (condition === 'not-running' && !rec.State.Running && rec.State.Status !== 'restarting') return { StatusCode: rec.State.ExitCode, Error: null };
    const code = await this.ctx.waiters.add(rec.Id, condition, signal);
    return { StatusCode: code, Error: null };
  }

  /** DELETE /containers/{id}. */
  async remove(ref: string, opts: { force?: boolean; volumes?: boolean } = {}): Promise<void> {
    const rec = this.get(ref);
    if (rec.State.Running || rec.State.Status === 'restarting') {
      if (!opts.force) {
        const what = rec.State.Paused ? 'paused' : 'running';
        throw new EngineError(`cannot remove container "${rec.Name}": container is ${what}: stop the container before removing or force remove`, 'Conflict');
      }
      rec.ManualStop = true;
      if (rec.State.Running) {
        const exited = this.ctx.waiters.add(rec.Id, 'not-running');
        this.signal(rec, 'SIGKILL');
        if (rec.State.Paused) resumeContainer(this.ctx.runtime, rec.Id);
        await exited;
      }
    }
    await this.ctx.locks.run(rec.Id, () => this.removeLocked(rec, opts));
  }

  private async removeLocked(rec: ContainerRecord, opts: { volumes?: boolean }): Promise<void> {
    if (!this.ctx.store.find(rec.Id)) return;
    if (rec.State.Running) {
      // The exit has not been settled yet (the monitor reports it a moment after SIGKILL).
      await settleExit(this.ctx, rec, undefined, { restart: async () => {}, remove: async () => {} });
    }
    rec.State = { ...rec.State, Status: 'removing' };
    await this.ctx.images.snapshots.remove(rec.SnapshotKey).catch((e) => {
      if (!/not found|does not exist|No such/i.test((e as Error).message)) throw e;
    });
    this.ctx.store.remove(rec);
    if (opts.volumes) {
      for (const m of rec.Mounts) {
        const v = m.Name ? this.ctx.volumes.find(m.Name) : undefined;
        if (v?.Anonymous) {
          try {
            this.ctx.volumes.remove(v.Name);
          } catch (e) {
            this.ctx.log('warn', `container ${rec.Id}: keeping volume ${v.Name}: ${(e as Error).message}`);
          }
        }
      }
    }
    removeTreeSync(containerPaths(this.ctx, rec.Id).run);
    this.ctx.events.publish('container', 'destroy', rec.Id, { image: rec.ImageName, name: rec.Name.slice(1) });
    this.ctx.waiters.notify(rec, 'removed', true);
  }

  /** POST /containers/{id}/rename. */
  async rename(ref: string, newName: string): Promise<void> {
    const rec = this.get(ref);
    const name = checkName(newName);
    const old = rec.Name.slice(1);
    if (old === name) throw new EngineError(`Renaming a container with the same name as its current name`, 'InvalidArgument');
    this.ctx.store.rename(rec, name);
    this.ctx.networking.refreshPeers(rec);
    this.ctx.events.publish('container', 'rename', rec.Id, { name, oldName: `/${old}` });
  }

  /** POST /containers/{id}/update: new limits for a live container (and the record for later starts). */
  async update(ref: string, patch: Record<string, unknown>): Promise<{ Warnings: string[] }> {
    const rec = this.get(ref);
    const keys = ['Memory', 'MemorySwap', 'MemoryReservation', 'NanoCpus', 'CpuShares', 'CpuPeriod', 'CpuQuota', 'CpusetCpus', 'CpusetMems', 'PidsLimit', 'BlkioWeight'];
    const host = { ...rec.HostConfig };
    for (const k of keys) if (patch[k] !== undefined && patch[k] !== 0 && patch[k] !== '') host[k] = patch[k];
    if (patch.RestartPolicy) host.RestartPolicy = patch.RestartPolicy as ContainerRecord['HostConfig']['RestartPolicy'];
    validateRestartPolicy(host);
    const resources = resourcesFromHostConfig(host, swapAccounting());
    if (rec.State.Running) updateContainer(this.ctx.runtime, rec.Id, resources);
    rec.HostConfig = host;
    this.ctx.store.save(rec);
    this.ctx.events.publish('container', 'update', rec.Id, { name: rec.Name.slice(1) });
    return { Warnings: [] };
  }

  /** Host pids of the container's processes (top). */
  pids(ref: string): number[] {
    const rec = this.get(ref);
    if (!rec.State.Running) throw new EngineError(`Container ${rec.Id} is not running`, 'Conflict');
    return containerPids(this.ctx.runtime, rec.Id);
  }

  inspect(ref: string): Record<string, unknown> {
    const rec = this.get(ref);
    const p = containerPaths(this.ctx, rec.Id);
    return inspectContainer(rec, { logPath: p.log, hostsPath: p.hosts, hostnamePath: p.hostname, resolvConfPath: p.resolvConf, driver: this.ctx.images.snapshots.name });
  }

  /** /system/df: every container with the size of its writable layer. */
  async diskUsage(): Promise<Record<string, unknown>[]> {
    const out: Record<string, unknown>[] = [];
    for (const rec of this.ctx.store.all()) {
      const usage = await this.ctx.images.snapshots.usage(rec.SnapshotKey).catch(() => ({ size: 0 }));
      out.push({ ...containerSummary(rec), SizeRw: usage.size, SizeRootFs: usage.size });
    }
    return out;
  }

  /** GET /containers/json. */
  async list(opts: { all?: boolean; limit?: number; filters?: Map<string, string[]> }): Promise<Record<string, unknown>[]> {
    const filters = opts.filters ?? new Map();
    const ancestors = new Map<string, string[]>();
    for (const ref of filters.get('ancestor') ?? []) {
      ancestors.set(ref, await resolveImage(this.ctx.images, ref).then((r) => [r.group.id], () => []));
    }
    let recs = this.ctx.store.all()
      .filter((r) => opts.all || r.State.Running || r.State.Status === 'restarting' || filters.size > 0)
      .filter((r) => matchesFilters(r, filters, (x) => this.ctx.store.find(x), (x) => ancestors.get(x) ?? []))
      .sort((a, b) => Date.parse(b.Created) - Date.parse(a.Created));
    if (!opts.all && !filters.has('status') && !filters.has('exited')) recs = recs.filter((r) => r.State.Running || r.State.Status === 'restarting');
    if (opts.limit && opts.limit > 0) recs = recs.slice(0, opts.limit);
    const now = Date.now();
    return recs.map((r) => containerSummary(r, now));
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
