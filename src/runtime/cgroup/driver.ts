// The one interface every cgroup implementation (v1, v2, hybrid) provides.
import type { LinuxResources } from '../spec/types.js';

export type CgroupMode = 'v1' | 'v2' | 'hybrid';

/** Where the cgroup hierarchies are mounted, as read from /proc/self/mountinfo. */
export interface CgroupLayout {
  mode: CgroupMode;
  /** v1 controller name (cpu, cpuacct, cpuset, memory, devices, freezer, blkio, pids, hugetlb, …) → mount point. */
  v1: Record<string, string>;
  /** The cgroup2 mount point, if any (e.g. /sys/fs/cgroup or /sys/fs/cgroup/unified). */
  unified?: string;
  /** Controllers enabled at the cgroup2 root (its cgroup.controllers). */
  unifiedControllers: string[];
}

/** Counters of a cgroup; limits the kernel reports as unlimited ("max", v1's 2^63-4096) are -1. */
export interface CgroupStats {
  cpu: { usageNanos: number; userNanos: number; systemNanos: number; throttledPeriods: number; throttledNanos: number };
  memory: { usage: number; limit: number; maxUsage: number; swapUsage: number; cache: number; oomKills: number };
  pids: { current: number; limit: number };
  blkio: { readBytes: number; writeBytes: number };
  hugetlb: Record<string, { usage: number; limit: number }>;
}

/** A container's cgroup, across every hierarchy it lives in. */
export interface CgroupManager {
  /** The cgroup path relative to each hierarchy root, e.g. /berth/abc. */
  readonly path: string;
  /** Creates the directories (and missing parents) and applies resources. Throws CgroupError naming the file. */
  create(resources?: LinuxResources): void;
  /** The cgroup.procs files a new process is written into to join this cgroup. */
  procsFiles(): string[];
  /** Applies resources to an existing cgroup (update of a live container). */
  update(resources: LinuxResources): void;
  /** Every pid in the cgroup (host pids). */
  pids(): number[];
  freeze(): void;
  thaw(): void;
  isFrozen(): boolean;
  stats(): CgroupStats;
  /** Number of OOM kills recorded in this cgroup. */
  oomKills(): number;
  /** Removes every directory create() made (leaf first); retries while the kernel releases dying tasks. */
  destroy(): void;
  /** The directory of each hierarchy this cgroup occupies (controller or 'unified' → dir), for state.json. */
  dirs(): Record<string, string>;
  /**
   * Absolute dirs create() made (parents included), for state.json: pass them back as
   * createCgroupManager(path, { created }) so a later destroy() in another process removes them too.
   */
  created(): string[];
}

/** A cgroup write or read that failed, with the file and the value concerned. */
export class CgroupError extends Error {
  constructor(message: string, readonly file?: string, readonly code?: string) {
    super(message);
    this.name = 'CgroupError';
  }
}
