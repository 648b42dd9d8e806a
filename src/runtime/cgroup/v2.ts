// cgroup v2 manager: one directory in the unified hierarchy, controllers enabled from the root down.
import type { LinuxResources } from '../spec/types.js';
import { CgroupError, type CgroupManager, type CgroupStats } from './driver.js';
import { chainOf, ensureDirs, readOptional, removeCgroup, rollbackDirs, type CgroupFs } from './fs.js';
import { emptyStats, parseFlatKeyed, parseNestedKeyed, parsePids, parseValue } from './parse.js';
import { applyV2Resources } from './v2-resources.js';

const FREEZE_TIMEOUT_MS = 2000;
const POLL_MS = 5;

export class V2Manager implements CgroupManager {
  private readonly createdDirs: Set<string>;
  private readonly root: string;

  /**
   * root: the cgroup2 mount point. controllers: those this manager enables and drives (all of the root's
   * on a pure v2 host; in hybrid mode only those no v1 hierarchy has). created: see CgroupManager.created().
   */
  constructor(
    readonly path: string,
    root: string,
    private readonly controllers: string[],
    private readonly fs: CgroupFs,
    created: string[] = [],
  ) {
    this.root = root.replace(/\/+$/, '');
    this.createdDirs = new Set(created);
  }

  /** This cgroup's directory. */
  get dir(): string {
    return `${this.root}${this.path}`;
  }

  create(resources?: LinuxResources): void {
    try {
      // Controllers must be enabled in every ancestor's subtree_control for the leaf to get their files;
      // never in the leaf itself, which holds processes (the "no internal processes" rule).
      for (const parent of [this.root, ...chainOf(this.root, this.path).slice(0, -1)]) {
        if (this.fs.exists(parent)) this.enableControllers(parent);
        ensureDirs(this.fs, parent, this.nextSegment(parent), (dir) => this.createdDirs.add(dir));
      }
      if (resources) this.update(resources);
    } catch (err) {
      rollbackDirs(this.fs, this.createdDirs);
      throw err;
    }
  }

  /** The one path segment below parent on the way to this cgroup. */
  private nextSegment(parent: string): string {
    return this.dir.slice(parent.length).split('/').filter(Boolean)[0] ?? '';
  }

  /** Adds our controllers to dir's cgroup.subtree_control when dir offers them and they are not on yet. */
  private enableControllers(dir: string): void {
    const available = this.fs.read(`${dir}/cgroup.controllers`).split(/\s+/);
    const enabled = this.fs.read(`${dir}/cgroup.subtree_control`).split(/\s+/);
    for (const c of this.controllers) {
      if (available.includes(c) && !enabled.includes(c)) this.fs.write(`${dir}/cgroup.subtree_control`, `+${c}`);
    }
  }

  procsFiles(): string[] {
    return [`${this.dir}/cgroup.procs`];
  }

  update(resources: LinuxResources): void {
    applyV2Resources(this.fs, this.dir, resources, (c) => this.controllers.includes(c));
  }

  pids(): number[] {
    return parsePids(this.fs.read(`${this.dir}/cgroup.procs`));
  }

  /** Sets cgroup.freeze and waits for cgroup.events to confirm: freezing completes asynchronously on v2. */
  private setFrozen(want: boolean): void {
    this.fs.write(`${this.dir}/cgroup.freeze`, want ? '1' : '0');
    for (let waited = 0; this.isFrozen() !== want; waited += POLL_MS) {
      if (waited >= FREEZE_TIMEOUT_MS) {
        if (want) this.fs.write(`${this.dir}/cgroup.freeze`, '0');
        const file = `${this.dir}/cgroup.events`;
        throw new CgroupError(`${file} did not report "frozen ${want ? 1 : 0}" within ${waited}ms`, file, 'ETIMEDOUT');
      }
      this.fs.sleep(POLL_MS);
    }
  }

  freeze(): void {
    this.setFrozen(true);
  }

  thaw(): void {
    this.setFrozen(false);
  }

  isFrozen(): boolean {
    return parseFlatKeyed(this.fs.read(`${this.dir}/cgroup.events`)).frozen === 1;
  }

  stats(): CgroupStats {
    const s = emptyStats();
    const opt = (file: string) => readOptional(this.fs, `${this.dir}/${file}`);
    const has = (c: string) => this.controllers.includes(c);
    // cpu.stat's usage lines exist even without the cpu controller; throttling lines only with it.
    const cpu = parseFlatKeyed(opt('cpu.stat'));
    s.cpu.usageNanos = (cpu.usage_usec ?? 0) * 1000;
    s.cpu.userNanos = (cpu.user_usec ?? 0) * 1000;
    s.cpu.systemNanos = (cpu.system_usec ?? 0) * 1000;
    s.cpu.throttledPeriods = cpu.nr_throttled ?? 0;
    s.cpu.throttledNanos = (cpu.throttled_usec ?? 0) * 1000;
    if (has('memory')) {
      s.memory.usage = parseValue(opt('memory.current'));
      s.memory.limit = parseValue(opt('memory.max'));
      s.memory.maxUsage = parseValue(opt('memory.peak'));
      s.memory.swapUsage = parseValue(opt('memory.swap.current'));
      s.memory.cache = parseFlatKeyed(opt('memory.stat')).file ?? 0;
      s.memory.oomKills = this.oomKills();
    }
    if (has('pids')) {
      s.pids.current = parseValue(opt('pids.current'));
      s.pids.limit = parseValue(opt('pids.max'));
    }
    if (has('io')) {
      for (const row of parseNestedKeyed(opt('io.stat'))) {
        s.blkio.readBytes += row.rbytes ?? 0;
        s.blkio.writeBytes += row.wbytes ?? 0;
      }
    }
    if (has('hugetlb') && this.fs.exists(this.dir)) {
      for (const name of this.fs.readdir(this.dir)) {
        const m = /^hugetlb\.([0-9]+[KMG]B)\.current$/.exec(name);
        if (m) s.hugetlb[m[1]] = { usage: parseValue(opt(name)), limit: parseValue(opt(`hugetlb.${m[1]}.max`)) };
      }
    }
    return s;
  }

  oomKills(): number {
    if (!this.controllers.includes('memory')) return 0;
    return parseFlatKeyed(readOptional(this.fs, `${this.dir}/memory.events`)).oom_kill ?? 0;
  }

  destroy(): void {
    try {
      removeCgroup(this.fs, this.root, this.path, this.createdDirs);
    } finally {
      for (const dir of [...this.createdDirs]) if (!this.fs.exists(dir)) this.createdDirs.delete(dir);
    }
  }

  /** Removes only the dirs create() made in this process (after a failed create elsewhere in a composite). */
  rollback(): void {
    rollbackDirs(this.fs, this.createdDirs);
  }

  dirs(): Record<string, string> {
    return { unified: this.dir };
  }

  created(): string[] {
    return [...this.createdDirs];
  }
}
