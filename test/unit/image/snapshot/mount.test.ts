// mountAll/unmountAll against a recording FsOps and a simulated mount table (no root).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mountAll, unmountAll } from '../../../../src/image/snapshot/mount.js';
import { FsOpsError, type FsOps } from '../../../../src/image/native/fsops.js';
import { isImageError } from '../../../../src/image/errors.js';

/** Records calls; mount/umount consult `fail` and keep a simulated table of mount points. */
function recorder(table: string[] = [], fail: (op: string, target: string, flags?: number) => number = () => 0) {
  const calls: string[] = [];
  const ops: FsOps = {
    async mknod() {}, async setxattr() {}, async xattrs() { return new Map(); }, async close() {}, async pinNetns() {}, async run() { throw new Error("not used here"); },
    async mount(type, source, target, options) {
      calls.push(`mount ${type} ${source} ${target} ${options.join(',')}`);
      const errno = fail('mount', target);
      if (errno) throw new FsOpsError('mount', target, errno, `errno ${errno}`);
      table.push(target);
    },
    async umount(target, flags = 0) {
      calls.push(`umount ${target} ${flags}`);
      const errno = fail('umount', target, flags);
      if (errno) throw new FsOpsError('umount', target, errno, `errno ${errno}`);
      table.splice(table.lastIndexOf(target), 1);
    },
  };
  const mountInfo = async () => table.map((p, i) => `${i + 100} 1 0:${i} / ${p} rw - tmpfs tmpfs rw`).join('\n');
  return { ops, calls, table, mountInfo };
}

test('mountAll mounts in order; a failure undoes the earlier mounts and names the failing one', async () => {
  const r = recorder([], (op, _t) => (op === 'mount' && r.calls.length === 2 ? 1 : 0));
  const mounts = [
    { type: 'bind', source: '/s/1/fs', options: ['rbind', 'rw'] },
    { type: 'overlay', source: 'overlay', options: ['lowerdir=/a:/b'] },
  ];
  await assert.rejects(mountAll(mounts, '/t', r.ops), (e) => isImageError(e) && /overlay overlay \(lowerdir=\/a:\/b\) on \/t/.test(e.message));
  assert.deepEqual(r.calls, ['mount bind /s/1/fs /t rbind,rw', 'mount overlay overlay /t lowerdir=/a:/b', 'umount /t 2']);
  assert.deepEqual(r.table, []);
});

test('unmountAll: deepest first, stacks top first, busy mounts detached, vanished ones skipped, siblings kept', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-umount-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const d = (p: string) => path.join(dir, p);
  fs.mkdirSync(d('rootfs'));
  const r = recorder([d('rootfs'), d('rootfs'), d('rootfs/proc'), d('rootfs/dev'), d('rootfs/dev/pts'), `${dir}-sibling`], (op, target, flags) => {
    if (op === 'umount' && target === d('rootfs/proc') && flags === 0) return 16; // EBUSY
    return 0;
  });
  await unmountAll(d('rootfs'), r.ops, r.mountInfo);
  assert.deepEqual(r.calls, [
    `umount ${d('rootfs/dev/pts')} 0`, `umount ${d('rootfs/dev')} 0`, `umount ${d('rootfs/proc')} 0`,
    `umount ${d('rootfs/proc')} 2`, `umount ${d('rootfs')} 0`, `umount ${d('rootfs')} 0`,
  ]);
  assert.deepEqual(r.table, [`${dir}-sibling`]);
  await unmountAll(d('absent'), r.ops, r.mountInfo); // a missing target is nothing to do
});

test('unmountAll reports other errors', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-umount-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const r = recorder([dir], () => 1); // EPERM
  await assert.rejects(unmountAll(dir, r.ops, r.mountInfo), (e) => e instanceof FsOpsError && e.errno === 1);
});
