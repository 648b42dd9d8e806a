// A temp directory laid out like cgroupfs, and a CgroupFs over it that imitates the few kernel behaviours
// a plain directory cannot: mkdir fills in control files, rmdir ignores them, subtree_control takes +/-.
import { mkdtempSync, mkdirSync, readdirSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fsError, nodeCgroupFs, type CgroupFs } from '../../../src/runtime/cgroup/fs.js';

/** A fresh temp dir, removed by the returned cleanup. */
export function tempRoot(): { root: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'berth-cgroup-'));
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** Writes files (relative path → content) under root, creating directories. */
export function writeTree(root: string, files: Record<string, string>): void {
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), content);
  }
}

export interface KernelLikeFs extends CgroupFs {
  /** Every successful write, in order, as [file, value]. */
  writes: [string, string][];
  /** Number of sleep() calls (they return at once). */
  sleeps: number;
}

export interface KernelLikeOptions {
  /** Control files a new dir gets (the kernel's job on mkdir), given the dir and its parent. */
  template: (dir: string, parent: string) => Record<string, string>;
  /** Return an errno to make a write fail as the kernel would (e.g. EINVAL), or undefined to let it through. */
  refuseWrite?: (file: string, value: string) => string | undefined;
  /** Return an errno to make an rmdir fail (e.g. EBUSY while tasks exit). */
  refuseRmdir?: (dir: string) => string | undefined;
  /** Override what a read returns (e.g. freezer.state passing through FREEZING). */
  overrideRead?: (file: string, real: string) => string;
}

const ERRNO_TEXT: Record<string, string> = {
  EINVAL: 'invalid argument', EBUSY: 'device or resource busy', EPERM: 'operation not permitted',
  ENOSPC: 'no space left on device',
};

function errnoError(code: string, syscall: string): NodeJS.ErrnoException {
  const e = new Error(`${code}: ${ERRNO_TEXT[code] ?? code.toLowerCase()}, ${syscall}`) as NodeJS.ErrnoException;
  e.code = code;
  return e;
}

/** The real node:fs port plus the kernel imitations listed in KernelLikeOptions. */
export function kernelLikeFs(opts: KernelLikeOptions): KernelLikeFs {
  const fs: KernelLikeFs = {
    ...nodeCgroupFs,
    writes: [],
    sleeps: 0,
    read(file) {
      const real = nodeCgroupFs.read(file);
      return opts.overrideRead ? opts.overrideRead(file, real) : real;
    },
    write(file, value) {
      const refused = opts.refuseWrite?.(file, value);
      if (refused) throw fsError('write', file, errnoError(refused, 'write'), value);
      if (file.endsWith('/cgroup.subtree_control') && /^[+-]/.test(value)) {
        // The kernel edits the enabled set instead of replacing the file.
        const set = new Set(nodeCgroupFs.read(file).split(/\s+/).filter(Boolean));
        for (const tok of value.split(/\s+/)) tok.startsWith('+') ? set.add(tok.slice(1)) : set.delete(tok.slice(1));
        nodeCgroupFs.write(file, [...set].join(' '));
      } else {
        nodeCgroupFs.write(file, value);
      }
      fs.writes.push([file, value]);
    },
    mkdir(dir) {
      nodeCgroupFs.mkdir(dir);
      for (const [name, content] of Object.entries(opts.template(dir, dirname(dir)))) writeFileSync(join(dir, name), content);
    },
    rmdir(dir) {
      const refused = opts.refuseRmdir?.(dir);
      if (refused) throw fsError('rmdir', dir, errnoError(refused, 'rmdir'));
      // cgroupfs removes a cgroup together with its control files, but never one with child cgroups.
      const entries = readdirSync(dir);
      if (entries.some((n) => statSync(join(dir, n)).isDirectory())) {
        throw fsError('rmdir', dir, errnoError('EBUSY', 'rmdir'));
      }
      for (const n of entries) unlinkSync(join(dir, n));
      nodeCgroupFs.rmdir(dir);
    },
    sleep() {
      fs.sleeps++;
    },
  };
  return fs;
}

/** The writes under a directory, with paths made relative to it, for compact assertions. */
export function writesUnder(fs: KernelLikeFs, dir: string): [string, string][] {
  return fs.writes.filter(([f]) => f.startsWith(`${dir}/`)).map(([f, v]) => [f.slice(dir.length + 1), v]);
}
