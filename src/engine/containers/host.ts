// Facts about the host the container specs depend on: device numbers, swap accounting, the init binary.
import fs from 'node:fs';
import { spawn } from 'node:child_process';
import { EngineError } from '../errors.js';
import type { DeviceInfo } from './security.js';

/** tini (Debian's static build), bind-mounted as /sbin/docker-init for --init, as Docker does with its own copy. */
export const INIT_BINARY = fs.existsSync('/usr/bin/tini-static') ? '/usr/bin/tini-static' : '/usr/bin/tini';

/** A host device node's type and numbers (--device). */
export function hostDevice(p: string): DeviceInfo {
  let st: fs.Stats;
  try {
    st = fs.statSync(p);
  } catch (e) {
    throw new EngineError(`error gathering device information while adding custom device "${p}": ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (e as Error).message}`, 'InvalidArgument');
  }
  if (!st.isCharacterDevice() && !st.isBlockDevice()) throw new EngineError(`error gathering device information while adding custom device "${p}": not a device node`, 'InvalidArgument');
  const rdev = st.rdev;
  return {
    type: st.isCharacterDevice() ? 'c' : 'b',
    major: Number((BigInt(rdev) >> 8n) & 0xfffn),
    minor: Number((BigInt(rdev) & 0xffn) | ((BigInt(rdev) >> 12n) & 0xfff00n)),
    mode: st.mode, uid: st.uid, gid: st.gid,
  };
}

let swap: boolean | undefined;
/** Whether the kernel accounts swap per cgroup (memory.memsw.* on v1; memory.swap.max on v2). */
export function swapAccounting(): boolean {
  swap ??= fs.existsSync('/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes') || fs.existsSync('/sys/fs/cgroup/memory.swap.max') || fs.existsSync('/sys/fs/cgroup/berth/memory.swap.max');
  return swap;
}

/** Copies a directory's contents with owners, modes, xattrs and times (volume copy-up). */
export function copyTree(from: string, to: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const cp = spawn('cp', ['-a', '--', `${from}/.`, `${to}/`], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    cp.stderr.on('data', (d: Buffer) => (err += d.toString()));
    cp.on('error', reject);
    cp.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`copying ${from} into volume ${to}: ${err.trim() || `cp exited ${code}`}`))));
  });
}
