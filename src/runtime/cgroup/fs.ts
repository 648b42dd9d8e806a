// The file-effects port every cgroup manager goes through, and its real implementation on node:fs.
// Managers never touch node:fs directly, so unit tests can point them at a temp dir (or a fake where
// a temp dir cannot imitate the kernel, e.g. a write the kernel would refuse).
import * as nodeFs from 'node:fs';
import { CgroupError } from './driver.js';

export interface CgroupFs {
  /** Reads a whole cgroup file. */
  read(file: string): string;
  /** Writes a value to an existing cgroup file (never creates it: cgroupfs files exist or the controller is absent). */
  write(file: string, value: string): void;
  /** Creates one directory level (the kernel fills it with controller files). */
  mkdir(dir: string): void;
  /** Removes one cgroup directory. */
  rmdir(dir: string): void;
  exists(path: string): boolean;
  /** Names of the entries of a directory. */
  readdir(dir: string): string[];
  /** Whether a path is a directory (sub-cgroup) rather than a control file. */
  isDir(path: string): boolean;
  /** Names of the sub-directories (sub-cgroups) of a directory. */
  subdirs(dir: string): string[];
  /** Blocks the caller for ms milliseconds (polling freezer state, rmdir retries); injectable so tests do not wait. */
  sleep(ms: number): void;
}

const sleepCell = new Int32Array(new SharedArrayBuffer(4));

/** Turns a node:fs error into a CgroupError naming the operation, file and value. */
export function fsError(op: string, file: string, err: unknown, value?: string): CgroupError {
  const e = err as NodeJS.ErrnoException;
  const code = e?.code ?? 'EIO';
  // node messages look like "EINVAL: invalid argument, write"; keep only the human part.
  const m = /^[A-Z0-9]+: (.*?)(, .*)?$/.exec(e?.message ?? '');
  const why = m ? m[1] : (e?.message ?? String(err));
  const what = value === undefined ? `${op} ${file}` : `${op} ${JSON.stringify(value)} to ${file}`;
  return new CgroupError(`${what}: ${code} (${why})`, file, code);
}

/** The real port: synchronous node:fs calls, which are the cheapest way to poke small kernel files. */
export const nodeCgroupFs: CgroupFs = {
  read(file) {
    try {
      return nodeFs.readFileSync(file, 'utf8');
    } catch (err) {
      throw fsError('read', file, err);
    }
  },
  write(file, value) {
    let fd: number;
    try {
      // O_WRONLY without O_CREAT: a missing control file must fail (ENOENT), not be created in a temp dir,
      // and O_RDWR would be refused by kernfs for write-only files such as devices.allow.
      fd = nodeFs.openSync(file, nodeFs.constants.O_WRONLY | nodeFs.constants.O_TRUNC);
    } catch (err) {
      throw fsError('write', file, err, value);
    }
    try {
      // Cgroup files parse each write() separately, so the value must go in one call; retry EINTR.
      for (let attempt = 0; ; attempt++) {
        try {
          nodeFs.writeSync(fd, value);
          break;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EINTR' || attempt > 5) throw err;
        }
      }
    } catch (err) {
      throw fsError('write', file, err, value);
    } finally {
      nodeFs.closeSync(fd);
    }
  },
  mkdir(dir) {
    try {
      nodeFs.mkdirSync(dir);
    } catch (err) {
      throw fsError('mkdir', dir, err);
    }
  },
  rmdir(dir) {
    try {
      nodeFs.rmdirSync(dir);
    } catch (err) {
      throw fsError('rmdir', dir, err);
    }
  },
  exists(path) {
    return nodeFs.existsSync(path);
  },
  readdir(dir) {
    try {
      return nodeFs.readdirSync(dir);
    } catch (err) {
      throw fsError('readdir', dir, err);
    }
  },
  isDir(path) {
    try {
      return nodeFs.statSync(path).isDirectory();
    } catch {
      return false;
    }
  },
  subdirs(dir) {
    // d_type from readdir: a stat per control file costs ~2 ms per cgroup on delete's hot path.
    try {
      return nodeFs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    } catch (err) {
      throw fsError('readdir', dir, err);
    }
  },
  sleep(ms) {
    Atomics.wait(sleepCell, 0, 0, ms);
  },
};

/** Reads a file if it exists, else returns undefined (for optional kernel features such as memory.peak). */
export function readOptional(fs: CgroupFs, file: string): string | undefined {
  return fs.exists(file) ? fs.read(file) : undefined;
}

/**
 * Removes a cgroup dir, retrying while the kernel still reports it busy (tasks that just exited linger
 * as zombies/dying css for a few ms). ENOENT counts as success so destroy() stays idempotent.
 */
export function rmdirRetry(fs: CgroupFs, dir: string, timeoutMs = 2000): void {
  const stepMs = 10;
  for (let waited = 0; ; waited += stepMs) {
    try {
      fs.rmdir(dir);
      return;
    } catch (err) {
      const code = (err as CgroupError).code;
      if (code === 'ENOENT') return;
      if (code !== 'EBUSY' || waited >= timeoutMs) {
        throw new CgroupError(`cannot remove cgroup ${dir} after ${waited}ms: ${(err as Error).message}`, dir, code);
      }
    }
    fs.sleep(stepMs);
  }
}

/** The directories from root down to root+path (excluding root itself), shallowest first. */
export function chainOf(root: string, path: string): string[] {
  const out: string[] = [];
  let cur = root.replace(/\/+$/, '');
  for (const seg of path.split('/').filter(Boolean)) {
    cur = `${cur}/${seg}`;
    out.push(cur);
  }
  return out;
}

/** mkdir -p of root+path; calls onCreated for each directory this call made (parents first). */
export function ensureDirs(fs: CgroupFs, root: string, path: string, onCreated: (dir: string, parent: string) => void): void {
  let parent = root.replace(/\/+$/, '');
  let madeParent = false;
  for (const dir of chainOf(root, path)) {
    // Below a directory this call made nothing can exist yet: no need to ask (one syscall less per level).
    if (madeParent || !fs.exists(dir)) {
      try {
        fs.mkdir(dir);
        onCreated(dir, parent);
        madeParent = true;
      } catch (err) {
        // Another container creating the same parent at the same moment is fine.
        if ((err as CgroupError).code !== 'EEXIST') throw err;
        madeParent = false;
      }
    }
    parent = dir;
  }
}

/** Sub-cgroups of a dir (cgroupfs lists control files and child cgroups side by side). */
function childCgroups(fs: CgroupFs, dir: string): string[] {
  return fs.subdirs(dir).map((n) => `${dir}/${n}`);
}

/** rmdir that reports instead of throwing: removed (or already gone), or the error code (EBUSY: children or tasks). */
function tryRmdir(fs: CgroupFs, dir: string): 'removed' | string {
  try {
    fs.rmdir(dir);
    return 'removed';
  } catch (err) {
    const code = (err as CgroupError).code ?? 'EIO';
    return code === 'ENOENT' ? 'removed' : code;
  }
}

/** Removes a cgroup and any sub-cgroups the container made inside it, deepest first. */
function removeTree(fs: CgroupFs, dir: string): void {
  // Most cgroups have no sub-cgroups: rmdir first, and list the directory only when the kernel says busy.
  if (tryRmdir(fs, dir) === 'removed') return;
  for (const child of childCgroups(fs, dir)) removeTree(fs, child);
  rmdirRetry(fs, dir);
}

/**
 * Removes root+path, then each parent in `created` that is left without sub-cgroups (parents shared with
 * other containers stay: the kernel refuses to remove a cgroup with children). Never touches a directory
 * outside root+path's chain.
 */
export function removeCgroup(fs: CgroupFs, root: string, path: string, created: ReadonlySet<string>): void {
  const chain = chainOf(root, path);
  const leaf = chain.pop();
  if (leaf === undefined) throw new CgroupError(`refusing to remove the root cgroup ${root}`, root);
  removeTree(fs, leaf);
  for (const dir of chain.reverse()) {
    if (!created.has(dir)) continue;
    if (tryRmdir(fs, dir) !== 'removed') break;
  }
}

/** Best-effort removal of freshly created dirs, deepest first, after a failed create(); forgets them. */
export function rollbackDirs(fs: CgroupFs, created: Set<string>): void {
  for (const dir of [...created].sort((a, b) => b.length - a.length)) {
    try {
      rmdirRetry(fs, dir, 200);
    } catch {
      // The create() error is what the caller needs; a leftover empty dir is reported by destroy later.
    }
    created.delete(dir);
  }
}
