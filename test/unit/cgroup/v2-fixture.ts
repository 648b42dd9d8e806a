// A cgroup v2 hierarchy in a temp dir: a new dir gets the files of the controllers its parent enabled.
import { readFileSync } from 'node:fs';
import { kernelLikeFs, tempRoot, writeTree, type KernelLikeFs, type KernelLikeOptions } from './fixture.js';

export interface V2Host {
  root: string;
  fs: KernelLikeFs;
  cleanup: () => void;
}

export interface V2HostOptions extends Omit<Partial<KernelLikeOptions>, 'template'> {
  /** Controllers at the root (its cgroup.controllers). */
  controllers?: string[];
  swap?: boolean;
  io?: 'plain' | 'bfq';
}

function filesFor(controllers: string[], o: Required<Pick<V2HostOptions, 'swap' | 'io'>>): Record<string, string> {
  const has = (c: string) => controllers.includes(c);
  const files: Record<string, string> = {
    'cgroup.controllers': controllers.join(' ') + '\n', 'cgroup.subtree_control': '\n', 'cgroup.procs': '',
    'cgroup.freeze': '0\n', 'cgroup.events': 'populated 0\nfrozen 0\n',
    'cpu.stat': 'usage_usec 0\nuser_usec 0\nsystem_usec 0\n' + (has('cpu') ? 'nr_periods 0\nnr_throttled 0\nthrottled_usec 0\n' : ''),
  };
  if (has('cpu')) Object.assign(files, { 'cpu.weight': '100\n', 'cpu.max': 'max 100000\n', 'cpu.max.burst': '0\n', 'cpu.idle': '0\n' });
  if (has('cpuset')) Object.assign(files, { 'cpuset.cpus': '\n', 'cpuset.mems': '\n' });
  if (has('memory')) {
    Object.assign(files, {
      'memory.max': 'max\n', 'memory.high': 'max\n', 'memory.low': '0\n', 'memory.oom.group': '0\n', 'memory.current': '0\n', 'memory.peak': '0\n',
      'memory.stat': 'anon 0\nfile 0\n', 'memory.events': 'low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n',
    });
    if (o.swap) Object.assign(files, { 'memory.swap.max': 'max\n', 'memory.swap.current': '0\n' });
  }
  if (has('io')) {
    Object.assign(files, { 'io.max': '', 'io.stat': '' }, o.io === 'bfq' ? { 'io.bfq.weight': 'default 100\n' } : { 'io.weight': 'default 100\n' });
  }
  if (has('hugetlb')) Object.assign(files, { 'hugetlb.2MB.max': 'max\n', 'hugetlb.2MB.current': '0\n' });
  if (has('pids')) Object.assign(files, { 'pids.max': 'max\n', 'pids.current': '0\n' });
  return files;
}

/** The files the kernel gives a new cgroup2 dir under parent (a hybrid host's unified mount uses it too). */
export function v2ChildFiles(parent: string, o: { swap: boolean; io: 'plain' | 'bfq' } = { swap: true, io: 'plain' }): Record<string, string> {
  return filesFor(readFileSync(`${parent}/cgroup.subtree_control`, 'utf8').split(/\s+/).filter(Boolean), o);
}

/** Builds the hierarchy; extra options pass through to kernelLikeFs. */
export function v2Host(opts: V2HostOptions = {}): V2Host {
  const { root, cleanup } = tempRoot();
  const controllers = opts.controllers ?? ['cpuset', 'cpu', 'io', 'memory', 'hugetlb', 'pids'];
  const o = { swap: opts.swap ?? true, io: opts.io ?? 'plain' };
  writeTree(root, { 'cgroup.controllers': controllers.join(' ') + '\n', 'cgroup.subtree_control': '\n', 'cgroup.procs': '1\n', 'cpu.stat': 'usage_usec 0\n' });
  const fs = kernelLikeFs({
    ...opts,
    // As the kernel does: a child offers exactly the controllers its parent enabled for its subtree.
    template: (_dir, parent) => v2ChildFiles(parent, o),
  });
  return { root, fs, cleanup };
}
