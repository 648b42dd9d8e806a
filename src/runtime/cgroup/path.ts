// Resolves the OCI linux.cgroupsPath into the path used under every hierarchy root.
import { CgroupError } from './driver.js';

export const DEFAULT_CGROUP_PARENT = 'berth';

/** Throws unless every segment of p is a plain directory name. */
function checkSegments(p: string, what: string): void {
  if (p.includes('\0')) throw new CgroupError(`${what} ${JSON.stringify(p)} contains a NUL byte`);
  const segments = p.replace(/^\//, '').split('/');
  for (const seg of segments) {
    if (seg === '') throw new CgroupError(`${what} ${JSON.stringify(p)} has an empty path segment`);
    if (seg === '.' || seg === '..') throw new CgroupError(`${what} ${JSON.stringify(p)} must not contain "${seg}"`);
  }
}

/**
 * The cgroup path of a container: an absolute cgroupsPath as is, a relative one under /<parent>,
 * none at all as /<parent>/<container id>.
 */
export function resolveCgroupPath(cgroupsPath: string | undefined, containerId: string, parent = DEFAULT_CGROUP_PARENT): string {
  checkSegments(parent, 'cgroup parent');
  const base = '/' + parent.replace(/^\//, '');
  if (cgroupsPath === undefined || cgroupsPath === '') {
    if (containerId === '' || containerId.includes('/')) {
      throw new CgroupError(`container id ${JSON.stringify(containerId)} cannot name a cgroup (linux.cgroupsPath is unset)`);
    }
    checkSegments(containerId, 'container id');
    return `${base}/${containerId}`;
  }
  if (cgroupsPath === '/') throw new CgroupError('linux.cgroupsPath "/" would be the root cgroup, which Berth never manages');
  checkSegments(cgroupsPath, 'linux.cgroupsPath');
  return cgroupsPath.startsWith('/') ? cgroupsPath : `${base}/${cgroupsPath}`;
}

/** Throws unless p is a resolved cgroup path: absolute, not the root, plain segments only. */
export function checkCgroupPath(p: string): string {
  if (!p.startsWith('/') || p === '/') throw new CgroupError(`cgroup path ${JSON.stringify(p)} must be absolute and below the root`);
  checkSegments(p, 'cgroup path');
  return p;
}
