// A spec mount of type "cgroup" means "the container's cgroup hierarchies at this path". On v2 that is one
// cgroup2 mount; on v1 and hybrid hosts it is a tmpfs with one mount per hierarchy under it, as runc does.
import path from 'node:path';
import type { CgroupLayout } from '../cgroup/index.js';
import type { PlanMount } from './launch-plan.js';

const MS_RDONLY = 1;
const MS_BIND = 4096;
const MS_REC = 16384;

/**
 * Replaces every `cgroup` mount with the mounts that show this host's hierarchies. With a cgroup namespace a
 * fresh cgroupfs mount shows the container's cgroup as its root; without one it would show the host's whole
 * tree, so then (as runc does) the container's own cgroup directories are bind-mounted instead.
 */
export function expandCgroupMounts(
  mounts: PlanMount[],
  layout: CgroupLayout,
  rootfs: string,
  withoutCgroupns?: { cgroupPath: string },
): PlanMount[] {
  return mounts.flatMap((m) => (m.fstype === 'cgroup' ? expandOne(m, layout, rootfs, withoutCgroupns?.cgroupPath) : [m]));
}

function expandOne(m: PlanMount, layout: CgroupLayout, rootfs: string, bindPath?: string): PlanMount[] {
  const base = { propagation: 0, data: '' };
  const bind = (hostMount: string, fstypeIfFresh: string, data: string, dest: string): PlanMount =>
    bindPath
      ? { ...base, source: path.posix.join(hostMount, bindPath), destination: dest, fstype: '', flags: MS_BIND | MS_REC | m.flags }
      : { ...base, source: fstypeIfFresh, destination: dest, fstype: fstypeIfFresh, flags: m.flags, data };
  if (layout.mode === 'v2') return [bind(layout.unified!, 'cgroup2', '', m.destination)];
  const out: PlanMount[] = [
    { ...base, source: 'tmpfs', destination: m.destination, fstype: 'tmpfs', flags: m.flags & ~MS_RDONLY, data: 'mode=755' },
  ];
  const byMount = new Map<string, string[]>();
  for (const [controller, mp] of Object.entries(layout.v1)) byMount.set(mp, [...(byMount.get(mp) ?? []), controller]);
  for (const [mp, controllers] of [...byMount].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const named = controllers.filter((c) => c.startsWith('name='));
    const data = named.length && named.length === controllers.length ? `none,${named.join(',')}` : controllers.join(',');
    out.push(bind(mp, 'cgroup', data, path.posix.join(m.destination, path.basename(mp))));
  }
  if (layout.unified) out.push(bind(layout.unified, 'cgroup2', '', path.posix.join(m.destination, path.basename(layout.unified))));
  if (m.flags & MS_RDONLY) {
    // The tmpfs had to be writable to create the mount points; now make it read-only like the spec asks.
    const hostPath = path.join(rootfs, m.destination);
    out.push({ ...base, source: hostPath, destination: m.destination, fstype: '', flags: MS_BIND | MS_REC | (m.flags & ~MS_REC) });
  }
  return out;
}
