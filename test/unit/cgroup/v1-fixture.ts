// A cgroup v1 host in a temp dir: cpu,cpuacct co-mounted, one hierarchy per other controller.
import { basename, dirname } from 'node:path';
import { v2ChildFiles } from './v2-fixture.js';
import { kernelLikeFs, tempRoot, writeTree, type KernelLikeFs, type KernelLikeOptions } from './fixture.js';

export const UNLIMITED = '9223372036854771712';

export interface V1Host {
  root: string;
  mounts: Record<string, string>;
  fs: KernelLikeFs;
  cleanup: () => void;
}

/** The control files the kernel puts into a new cgroup of each hierarchy (trimmed to what Berth uses). */
function filesFor(hierarchy: string, opts: { memsw: boolean; blkio: 'cfq' | 'bfq' }): Record<string, string> {
  const common = { 'cgroup.procs': '', tasks: '' };
  switch (hierarchy) {
    case 'cpu,cpuacct':
      return {
        ...common, 'cpu.shares': '1024\n', 'cpu.cfs_period_us': '100000\n', 'cpu.cfs_quota_us': '-1\n', 'cpu.cfs_burst_us': '0\n',
        'cpu.rt_period_us': '1000000\n', 'cpu.rt_runtime_us': '0\n', 'cpu.idle': '0\n',
        'cpu.stat': 'nr_periods 0\nnr_throttled 0\nthrottled_time 0\n',
        'cpuacct.usage': '0\n', 'cpuacct.stat': 'user 0\nsystem 0\n',
      };
    case 'cpuset':
      return { ...common, 'cpuset.cpus': '\n', 'cpuset.mems': '\n' };
    case 'memory':
      return {
        ...common, 'memory.limit_in_bytes': `${UNLIMITED}\n`, 'memory.soft_limit_in_bytes': `${UNLIMITED}\n`,
        'memory.usage_in_bytes': '0\n', 'memory.max_usage_in_bytes': '0\n', 'memory.swappiness': '60\n',
        'memory.oom_control': 'oom_kill_disable 0\nunder_oom 0\noom_kill 0\n', 'memory.stat': 'cache 0\nrss 0\n',
        'memory.use_hierarchy': '1\n', 'memory.kmem.tcp.limit_in_bytes': `${UNLIMITED}\n`,
        ...(opts.memsw ? { 'memory.memsw.limit_in_bytes': `${UNLIMITED}\n` } : {}),
      };
    case 'devices':
      return { ...common, 'devices.allow': '', 'devices.deny': '', 'devices.list': 'a *:* rwm\n' };
    case 'freezer':
      return { ...common, 'freezer.state': 'THAWED\n' };
    case 'blkio':
      return {
        ...common,
        ...(opts.blkio === 'bfq'
          ? { 'blkio.bfq.weight': 'default 100\n', 'blkio.bfq.weight_device': '' }
          : { 'blkio.weight': '500\n', 'blkio.weight_device': '', 'blkio.leaf_weight': '500\n', 'blkio.leaf_weight_device': '' }),
        'blkio.throttle.read_bps_device': '', 'blkio.throttle.write_bps_device': '',
        'blkio.throttle.read_iops_device': '', 'blkio.throttle.write_iops_device': '',
        'blkio.throttle.io_service_bytes': 'Total 0\n',
      };
    case 'pids':
      return { ...common, 'pids.max': 'max\n', 'pids.current': '0\n' };
    case 'hugetlb':
      return { ...common, 'hugetlb.2MB.limit_in_bytes': `${UNLIMITED}\n`, 'hugetlb.2MB.usage_in_bytes': '0\n' };
    default:
      return common;
  }
}

/** Builds the host; extra options pass through to kernelLikeFs (refusals, read overrides). */
export function v1Host(
  opts: { memsw?: boolean; blkio?: 'cfq' | 'bfq'; hugetlbIn?: 'v1' | 'unified' } & Omit<Partial<KernelLikeOptions>, 'template'> = {},
): V1Host & { unified: string } {
  const { root, cleanup } = tempRoot();
  const o = { memsw: opts.memsw ?? true, blkio: opts.blkio ?? 'cfq' };
  const hierarchies = ['cpu,cpuacct', 'cpuset', 'memory', 'devices', 'freezer', 'blkio', 'pids'];
  if (opts.hugetlbIn !== 'unified') hierarchies.push('hugetlb');
  const mounts: Record<string, string> = {};
  const tree: Record<string, string> = {};
  for (const h of hierarchies) {
    for (const c of h.split(',')) mounts[c] = `${root}/${h}`;
    for (const [f, v] of Object.entries(filesFor(h, o))) tree[`${h}/${f}`] = v;
  }
  tree['cpuset/cpuset.cpus'] = '0-3\n';
  tree['cpuset/cpuset.mems'] = '0\n';
  // Always a cgroup2 mount beside the v1 ones, as on hybrid hosts; v1-only tests simply do not use it.
  tree['unified/cgroup.controllers'] = opts.hugetlbIn === 'unified' ? 'hugetlb\n' : '\n';
  tree['unified/cgroup.subtree_control'] = '\n';
  tree['unified/cgroup.procs'] = '1\n';
  writeTree(root, tree);
  const hierarchyOf = (dir: string): string => {
    let d = dir;
    while (dirname(d) !== root) d = dirname(d);
    return basename(d);
  };
  const fs = kernelLikeFs({
    ...opts,
    template: (dir, parent) => (hierarchyOf(dir) === 'unified' ? v2ChildFiles(parent) : filesFor(hierarchyOf(dir), o)),
  });
  return { root, mounts, fs, cleanup, unified: `${root}/unified` };
}
