// cgroup v1 manager: the container has one directory in each mounted hierarchy.
import type { LinuxResources } from '../spec/types.js';
import { CgroupError, type CgroupManager, type CgroupStats } from './driver.js';
import { ensureDirs, readOptional, removeCgroup, rollbackDirs, type CgroupFs } from './fs.js';
import { emptyStats, parseFlatKeyed, parsePids, parseValue } from './parse.js';
import { applyV1Resources } from './v1-resources.js';

const FREEZE_TIMEOUT_MS = 2000;
const POLL_MS = 5;
/** cpuacct.stat counts USER_HZ ticks, which Linux fixes at 100/s for userspace on every arch. */
const NANOS_PER_TICK = 10_000_000;

export class V1Manager implements CgroupManager {
  private readonly createdDirs: Set<string>;

  /**
   * mounts: v1 controller (or name=…) → hierarchy mount point; co-mounted controllers share one.
   * created: directories a previous create() made (from state), so destroy() can remove them too.
   */
  constructor(
    readonly path: string,
    private readonly mounts: Record<string, string>,
    private readonly fs: CgroupFs,
    created: string[] = [],
  ) {
    this.createdDirs = new Set(created);
  }

  /** This cgroup's directory in the hierarchy of a controller, if that controller is mounted. */
  dirOf(controller: string): string | undefined {
    const mount = this.mounts[controller];
    return mount === undefined ? undefined : `${mount.replace(/\/+$/, '')}${this.path}`;
  }

  /** One mount point per hierarchy, even when controllers are co-mounted (cpu,cpuacct). */
  private hierarchyRoots(): string[] {
    return [...new Set(Object.values(this.mounts))];
  }

  create(resources?: LinuxResources): void {
    try {
      for (const root of this.hierarchyRoots()) {
        const isCpuset = this.mounts.cpuset === root;
        ensureDirs(this.fs, root, this.path, (dir, parent) => {
          this.createdDirs.add(dir);
          // A new cpuset cgroup starts with empty cpus/mems and refuses tasks until they are set.
          if (isCpuset) this.inheritCpuset(dir, parent);
        });
      }
      if (resources) this.update(resources);
    } catch (err) {
      // Undo only what this call made: an existing leaf may be shared and busy.
      rollbackDirs(this.fs, this.createdDirs);
      throw err;
    }
  }

  private inheritCpuset(dir: string, parent: string): void {
    for (const file of ['cpuset.cpus', 'cpuset.mems']) {
      if (this.fs.read(`${dir}/${file}`).trim() !== '') continue;
      const value = this.fs.read(`${parent}/${file}`).trim();
      this.fs.write(`${dir}/${file}`, value);
    }
  }

  procsFiles(): string[] {
    return this.hierarchyRoots().map((root) => `${root.replace(/\/+$/, '')}${this.path}/cgroup.procs`);
  }

  update(resources: LinuxResources): void {
    applyV1Resources(this.fs, (c) => this.dirOf(c), resources);
  }

  pids(): number[] {
    const ctrl = ['pids', 'freezer', 'memory', 'cpu', 'devices'].find((c) => this.mounts[c] !== undefined);
    const file = ctrl ? `${this.dirOf(ctrl)}/cgroup.procs` : this.procsFiles()[0];
    if (file === undefined) throw new CgroupError('no cgroup v1 hierarchy is mounted');
    return parsePids(this.fs.read(file));
  }

  private freezerState(): string {
    const dir = this.dirOf('freezer');
    if (!dir) throw new CgroupError('the freezer controller is not mounted (cgroup v1): cannot freeze or thaw');
    return `${dir}/freezer.state`;
  }

  /** Writes the wanted state until the kernel reports it; FREEZING can linger while tasks finish syscalls. */
  private setFreezer(want: 'FROZEN' | 'THAWED'): void {
    const file = this.freezerState();
    for (let waited = 0; ; waited += POLL_MS) {
      // Rewriting FROZEN nudges tasks that were not yet frozen on the previous attempt (as runc does).
      this.fs.write(file, want);
      const state = this.fs.read(file).trim();
      if (state === want) return;
      if (waited >= FREEZE_TIMEOUT_MS) {
        if (want === 'FROZEN') this.fs.write(file, 'THAWED');
        throw new CgroupError(`${file} stayed ${state} for ${waited}ms after writing ${want}`, file, 'ETIMEDOUT');
      }
      this.fs.sleep(POLL_MS);
    }
  }

  freeze(): void {
    this.setFreezer('FROZEN');
  }

  thaw(): void {
    this.setFreezer('THAWED');
  }

  isFrozen(): boolean {
    return this.fs.read(this.freezerState()).trim() === 'FROZEN';
  }

  stats(): CgroupStats {
    const s = emptyStats();
    const opt = (ctrl: string, file: string) => {
      const dir = this.dirOf(ctrl);
      return dir ? readOptional(this.fs, `${dir}/${file}`) : undefined;
    };
    if (this.dirOf('cpuacct')) {
      s.cpu.usageNanos = parseValue(opt('cpuacct', 'cpuacct.usage'));
      const user = opt('cpuacct', 'cpuacct.usage_user');
      const sys = opt('cpuacct', 'cpuacct.usage_sys');
      if (user !== undefined && sys !== undefined) {
        // Exact nanoseconds where the kernel offers them; cpuacct.stat only has 10ms ticks.
        s.cpu.userNanos = parseValue(user);
        s.cpu.systemNanos = parseValue(sys);
      } else {
        const ticks = parseFlatKeyed(opt('cpuacct', 'cpuacct.stat'));
        s.cpu.userNanos = (ticks.user ?? 0) * NANOS_PER_TICK;
        s.cpu.systemNanos = (ticks.system ?? 0) * NANOS_PER_TICK;
      }
    }
    const cpuStat = parseFlatKeyed(opt('cpu', 'cpu.stat'));
    s.cpu.throttledPeriods = cpuStat.nr_throttled ?? 0;
    s.cpu.throttledNanos = cpuStat.throttled_time ?? 0;
    if (this.dirOf('memory')) {
      const mstat = parseFlatKeyed(opt('memory', 'memory.stat'));
      s.memory.usage = parseValue(opt('memory', 'memory.usage_in_bytes'));
      s.memory.maxUsage = parseValue(opt('memory', 'memory.max_usage_in_bytes'));
      s.memory.limit = parseValue(opt('memory', 'memory.limit_in_bytes'));
      s.memory.cache = mstat.cache ?? 0;
      s.memory.swapUsage = mstat.swap ?? 0;
      s.memory.oomKills = this.oomKills();
    }
    s.pids.current = parseValue(opt('pids', 'pids.current'));
    if (this.dirOf('pids')) s.pids.limit = parseValue(opt('pids', 'pids.max'));
    for (const line of (opt('blkio', 'blkio.throttle.io_service_bytes') ?? '').split('\n')) {
      const [, op, n] = line.trim().split(/\s+/);
      if (op === 'Read') s.blkio.readBytes += parseValue(n);
      if (op === 'Write') s.blkio.writeBytes += parseValue(n);
    }
    const hugetlbDir = this.dirOf('hugetlb');
    if (hugetlbDir && this.fs.exists(hugetlbDir)) {
      for (const name of this.fs.readdir(hugetlbDir)) {
        const m = /^hugetlb\.([0-9]+[KMG]B)\.usage_in_bytes$/.exec(name);
        if (!m) continue;
        s.hugetlb[m[1]] = {
          usage: parseValue(this.fs.read(`${hugetlbDir}/${name}`)),
          limit: parseValue(opt('hugetlb', `hugetlb.${m[1]}.limit_in_bytes`)),
        };
      }
    }
    return s;
  }

  oomKills(): number {
    const dir = this.dirOf('memory');
    if (!dir) return 0;
    // The oom_kill line appeared in 4.13; older kernels only say under_oom. A removed cgroup counts none.
    return parseFlatKeyed(readOptional(this.fs, `${dir}/memory.oom_control`)).oom_kill ?? 0;
  }

  destroy(): void {
    const errors: string[] = [];
    for (const root of this.hierarchyRoots()) {
      try {
        removeCgroup(this.fs, root, this.path, this.createdDirs);
      } catch (err) {
        errors.push((err as Error).message);
      }
    }
    for (const dir of [...this.createdDirs]) if (!this.fs.exists(dir)) this.createdDirs.delete(dir);
    if (errors.length) throw new CgroupError(`destroy ${this.path}: ${errors.join('; ')}`, this.path, 'EBUSY');
  }

  /** Removes only the dirs create() made in this process (after a failed create elsewhere in a composite). */
  rollback(): void {
    rollbackDirs(this.fs, this.createdDirs);
  }

  dirs(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const c of Object.keys(this.mounts)) out[c] = this.dirOf(c)!;
    return out;
  }

  created(): string[] {
    return [...this.createdDirs];
  }
}
