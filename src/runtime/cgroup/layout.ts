// Finds where each cgroup hierarchy is mounted, from /proc/self/mountinfo, per controller.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CgroupError, type CgroupLayout } from './driver.js';

// Super-options of a v1 cgroup mount that name controllers (everything else, e.g. rw, xattr,
// clone_children, release_agent=…, cpuset_v2_mode, favordynmods, is a mount option).
const V1_CONTROLLERS = new Set([
  'cpu', 'cpuacct', 'cpuset', 'memory', 'devices', 'freezer', 'net_cls', 'net_prio', 'blkio',
  'perf_event', 'hugetlb', 'pids', 'rdma', 'misc',
]);

/** Decodes the octal escapes (\040 for space, …) the kernel uses in mountinfo paths. */
function unescapeMountPath(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

interface MountLine { root: string; mountPoint: string; fsType: string; superOptions: string[] }

/** Parses one mountinfo line; optional fields end at the lone "-" separator. */
function parseMountLine(line: string): MountLine | undefined {
  const fields = line.split(' ');
  const sep = fields.indexOf('-', 6);
  if (fields.length < 7 || sep < 0 || fields.length < sep + 4) return undefined;
  return {
    root: unescapeMountPath(fields[3]),
    mountPoint: unescapeMountPath(fields[4]),
    fsType: fields[sep + 1],
    superOptions: fields[sep + 3].split(','),
  };
}

/** Pure: the cgroup layout described by a mountinfo text; readControllers lists a cgroup2 root's controllers. */
export function parseCgroupLayout(mountinfo: string, readControllers: (unifiedMount: string) => string[]): CgroupLayout {
  const v1: Record<string, string> = {};
  const v1Root: Record<string, string> = {};
  let unified: string | undefined;
  for (const line of mountinfo.split('\n')) {
    const m = parseMountLine(line);
    if (!m) continue;
    if (m.fsType === 'cgroup2') {
      unified ??= m.mountPoint;
      continue;
    }
    if (m.fsType !== 'cgroup') continue;
    for (const opt of m.superOptions) {
      if (!V1_CONTROLLERS.has(opt) && !opt.startsWith('name=')) continue;
      // The same hierarchy can be bind-mounted twice; prefer the mount of its real root.
      if (v1[opt] === undefined || (v1Root[opt] !== '/' && m.root === '/')) {
        v1[opt] = m.mountPoint;
        v1Root[opt] = m.root;
      }
    }
  }
  const hasV1 = Object.keys(v1).length > 0;
  if (!hasV1 && unified === undefined) {
    throw new CgroupError('no cgroup or cgroup2 filesystem is mounted (checked /proc/self/mountinfo)');
  }
  const layout: CgroupLayout = {
    mode: hasV1 && unified !== undefined ? 'hybrid' : hasV1 ? 'v1' : 'v2',
    v1,
    unifiedControllers: unified !== undefined ? readControllers(unified) : [],
  };
  if (unified !== undefined) layout.unified = unified;
  return layout;
}

let cached: CgroupLayout | undefined;

/** The host's cgroup layout, read once per process from /proc/self/mountinfo. */
export function detectCgroupLayout(): CgroupLayout {
  cached ??= parseCgroupLayout(readFileSync('/proc/self/mountinfo', 'utf8'), (mount) => {
    const file = join(mount, 'cgroup.controllers');
    try {
      return readFileSync(file, 'utf8').split(/\s+/).filter(Boolean);
    } catch (err) {
      throw new CgroupError(`read ${file}: ${(err as Error).message}`, file, (err as NodeJS.ErrnoException).code);
    }
  });
  return cached;
}
