// Entry point of the cgroup module: picks the manager matching the host's cgroup layout.
import type { CgroupLayout, CgroupManager } from './driver.js';
import { nodeCgroupFs, type CgroupFs } from './fs.js';
import { HybridManager } from './hybrid.js';
import { detectCgroupLayout } from './layout.js';
import { checkCgroupPath } from './path.js';
import { V1Manager } from './v1.js';
import { V2Manager } from './v2.js';

export interface CgroupManagerOptions {
  /** Defaults to the host's layout from /proc/self/mountinfo. */
  layout?: CgroupLayout;
  /** Defaults to node:fs. */
  fs?: CgroupFs;
  /** Dirs a previous create() made (CgroupManager.created(), kept in state.json), so destroy() removes them. */
  created?: string[];
}

/** A manager for the cgroup at `path` (already resolved, e.g. /berth/abc) on this host's v1, v2 or hybrid layout. */
export function createCgroupManager(path: string, opts: CgroupManagerOptions = {}): CgroupManager {
  checkCgroupPath(path);
  const layout = opts.layout ?? detectCgroupLayout();
  const fs = opts.fs ?? nodeCgroupFs;
  switch (layout.mode) {
    case 'v1':
      return new V1Manager(path, layout.v1, fs, opts.created);
    case 'v2':
      return new V2Manager(path, layout.unified!, layout.unifiedControllers, fs, opts.created);
    case 'hybrid':
      return new HybridManager(path, layout, fs, opts.created);
  }
}

export { CgroupError } from './driver.js';
export type { CgroupLayout, CgroupManager, CgroupMode, CgroupStats } from './driver.js';
export { nodeCgroupFs, type CgroupFs } from './fs.js';
export { detectCgroupLayout, parseCgroupLayout } from './layout.js';
export { DEFAULT_CGROUP_PARENT, resolveCgroupPath, resolveCgroupPath as resolveCgroupsPath } from './path.js';
export { V1Manager } from './v1.js';
export { V2Manager } from './v2.js';
export { HybridManager } from './hybrid.js';
export { DisabledCgroupManager } from './disabled.js';
