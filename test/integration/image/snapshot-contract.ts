// The contract every Snapshotter implementation runs (containerd's shape: one suite, many implementations).
// Root only: snapshots are mounted for real through mountAll/berth-fsops, and checked through the mounts.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openFsOps } from '../../../src/image/native/fsops.js';
import { mountAll, unmountAll } from '../../../src/image/snapshot/mount.js';
import { mountsAtOrBelow, parseMountInfo } from '../../../src/image/snapshot/mountinfo.js';
import { isImageError } from '../../../src/image/errors.js';
import type { Mount, Snapshotter } from '../../../src/image/snapshot/types.js';

if (process.getuid?.() !== 0) throw new Error('snapshot integration tests need root (they mount)');

export interface ContractSubject {
  name: string;
  open(root: string): Promise<Snapshotter>;
}

/** A file tree as path -> content ("<dir>" for directories, "-> target" for symlinks). */
export function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const name of fs.readdirSync(path.join(dir, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const st = fs.lstatSync(path.join(dir, r));
      if (st.isDirectory()) {
        out[r] = '<dir>';
        walk(r);
      } else if (st.isSymbolicLink()) out[r] = `-> ${fs.readlinkSync(path.join(dir, r))}`;
      else if (st.isFile()) out[r] = fs.readFileSync(path.join(dir, r), 'utf8');
      else out[r] = `<${st.isCharacterDevice() ? 'chr' : st.isFIFO() ? 'fifo' : 'other'} ${st.rdev}>`;
    }
  };
  walk('');
  return out;
}

const mountTable = () => parseMountInfo(fs.readFileSync('/proc/self/mountinfo', 'utf8'));

/** Registers the contract tests for one implementation. */
export function runSnapshotterContract(subject: ContractSubject): void {
  describe(`snapshotter contract: ${subject.name}`, () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `berth-snap-${subject.name}-`));
    const fsops = openFsOps();
    let n = 0;

    after(async () => {
      // Clean up even after a failure, then prove nothing was left behind.
      const leftover = mountsAtOrBelow(mountTable(), tmp);
      await unmountAll(tmp, fsops);
      await fsops.close();
      fs.rmSync(tmp, { recursive: true, force: true });
      assert.deepEqual(leftover, [], 'a test left mounts behind');
      assert.equal(fs.existsSync(tmp), false);
    });

    const open = async () => {
      const root = path.join(tmp, `root-${++n}`);
      return { sn: await subject.open(root), root };
    };

    /** Mounts, runs fn on the mount point, unmounts (also on failure). */
    const mounted = async <T>(mounts: Mount[], fn: (dir: string) => Promise<T> | T): Promise<T> => {
      const target = path.join(tmp, `mnt-${++n}`);
      fs.mkdirSync(target);
      await mountAll(mounts, target, fsops);
      try {
        return await fn(target);
      } finally {
        await unmountAll(target, fsops);
        fs.rmdirSync(target);
      }
    };

    /** A committed layer `name` on parent: files written (null: deleted) through the mounted active snapshot. */
    const layer = async (sn: Snapshotter, name: string, parent: string | undefined, files: Record<string, string | null>) => {
      const key = `${name}-active`;
      await mounted(await sn.prepare(key, parent), (dir) => edit(dir, files));
      await sn.commit(name, key);
    };

    const edit = (dir: string, files: Record<string, string | null>) => {
      for (const [rel, content] of Object.entries(files)) {
        const p = path.join(dir, rel);
        if (content === null) fs.rmSync(p, { recursive: true });
        else if (content === '<dir>') fs.mkdirSync(p, { recursive: true });
        else {
          fs.mkdirSync(path.dirname(p), { recursive: true });
          fs.writeFileSync(p, content);
        }
      }
    };

    /** Removes every snapshot, children first, and checks the root holds no snapshot data afterwards. */
    const removeAll = async (sn: Snapshotter, root: string) => {
      for (let list = await sn.list(); list.length; list = await sn.list()) {
        const parents = new Set(list.map((i) => i.parent));
        for (const i of list) if (!parents.has(i.key)) await sn.remove(i.key);
      }
      for (const d of ['snapshots', 'metadata', 'l']) assert.deepEqual(fs.readdirSync(path.join(root, d)), [], `${d}/ not empty`);
    };

    test('prepare empty, write, commit; a child sees the parent and records add/modify/delete', async () => {
      const { sn, root } = await open();
      const m = await sn.prepare('base');
      assert.equal((await sn.stat('base')).kind, 'active');
      await mounted(m, (dir) => edit(dir, { 'a.txt': 'A', 'mod.txt': 'old', 'del.txt': 'bye', 'd/inner.txt': 'I', 'keep/x': 'x' }));
      await sn.commit('sha256:l1', 'base');
      await assert.rejects(sn.stat('base'), (e) => isImageError(e, 'NotFound') && /"base"/.test(e.message));
      assert.deepEqual(await sn.stat('sha256:l1'), { key: 'sha256:l1', kind: 'committed', labels: {}, createdAt: (await sn.stat('sha256:l1')).createdAt });

      await sn.prepare('child', 'sha256:l1');
      await mounted(await sn.mounts('child'), (dir) => {
        assert.deepEqual(readTree(dir), { 'a.txt': 'A', d: '<dir>', 'd/inner.txt': 'I', 'del.txt': 'bye', keep: '<dir>', 'keep/x': 'x', 'mod.txt': 'old' });
        edit(dir, { 'new.txt': 'N', 'mod.txt': 'new', 'del.txt': null, d: null });
        edit(dir, { 'd/fresh.txt': 'F' }); // d deleted and made again: the old contents must not show through
      });
      const after = { 'a.txt': 'A', d: '<dir>', 'd/fresh.txt': 'F', keep: '<dir>', 'keep/x': 'x', 'mod.txt': 'new', 'new.txt': 'N' };
      await mounted(await sn.mounts('child'), (dir) => assert.deepEqual(readTree(dir), after));

      const ch = await sn.changes('child');
      if (ch.kind === 'overlay-upper') {
        // Exactly the modifications: new and modified files, a whiteout device for the deletion, an opaque d.
        assert.deepEqual(readTree(ch.upper), { d: '<dir>', 'd/fresh.txt': 'F', 'del.txt': '<chr 0>', 'mod.txt': 'new', 'new.txt': 'N' });
        const x = await fsops.xattrs(path.join(ch.upper, 'd'));
        assert.equal(x.get('trusted.overlay.opaque')?.toString(), 'y');
        assert.equal(ch.lower, undefined);
      } else {
        assert.equal(ch.kind, 'compare');
        assert.deepEqual(readTree(ch.lower!), { 'a.txt': 'A', d: '<dir>', 'd/inner.txt': 'I', 'del.txt': 'bye', keep: '<dir>', 'keep/x': 'x', 'mod.txt': 'old' });
        assert.deepEqual(readTree(ch.upper), after);
      }
      const target = await sn.applyTarget('child');
      assert.equal(target.dir, ch.upper);
      assert.equal(target.whiteouts, ch.kind === 'overlay-upper' ? 'overlay' : 'delete');
      await sn.commit('sha256:l2', 'child');
      assert.equal((await sn.stat('sha256:l2')).parent, 'sha256:l1');
      await removeAll(sn, root);
    });

    test('a three-level chain shows the right union; views are read-only with one layer and with several', async () => {
      const { sn, root } = await open();
      await layer(sn, 'L1', undefined, { 'etc/os': 'one', 'bin/sh': 'sh1', 'gone/f': 'x', 'l1-only': '1' });
      await layer(sn, 'L2', 'L1', { 'etc/os': 'two', gone: null, 'l2-only': '2' });
      await layer(sn, 'L3', 'L2', { 'bin/sh': 'sh3', 'l1-only': null, 'gone/again': 'back' });
      const union = { bin: '<dir>', 'bin/sh': 'sh3', etc: '<dir>', 'etc/os': 'two', gone: '<dir>', 'gone/again': 'back', 'l2-only': '2' };
      await mounted(await sn.prepare('ctr', 'L3'), (dir) => assert.deepEqual(readTree(dir), union));
      await mounted(await sn.view('v3', 'L3'), (dir) => {
        assert.deepEqual(readTree(dir), union);
        assert.throws(() => fs.writeFileSync(path.join(dir, 'x'), 'x'), { code: 'EROFS' });
        assert.throws(() => fs.rmSync(path.join(dir, 'etc/os')), { code: 'EROFS' });
      });
      await mounted(await sn.view('v1', 'L1'), (dir) => {
        assert.deepEqual(readTree(dir), { bin: '<dir>', 'bin/sh': 'sh1', etc: '<dir>', 'etc/os': 'one', gone: '<dir>', 'gone/f': 'x', 'l1-only': '1' });
        assert.throws(() => fs.writeFileSync(path.join(dir, 'x'), 'x'), { code: 'EROFS' });
      });
      assert.equal((await sn.stat('v1')).kind, 'view');
      await assert.rejects(sn.applyTarget('v1'), (e) => isImageError(e, 'FailedPrecondition') && /"v1"/.test(e.message));
      await assert.rejects(sn.commit('L9', 'v1'), (e) => isImageError(e, 'FailedPrecondition') && /view/.test(e.message));
      await assert.rejects(sn.changes('v1'), (e) => isImageError(e, 'FailedPrecondition'));
      await removeAll(sn, root);
    });

    test('remove is refused for a snapshot with children and for one still mounted', async () => {
      const { sn, root } = await open();
      await layer(sn, 'L1', undefined, { f: '1' });
      await layer(sn, 'L2', 'L1', { g: '2' });
      await sn.view('v', 'L1');
      await assert.rejects(sn.remove('L1'), (e) => isImageError(e, 'FailedPrecondition') && /"L2"/.test(e.message) && /"v"/.test(e.message));
      const m = await sn.prepare('busy', 'L2');
      await mounted(m, async (dir) => {
        await assert.rejects(sn.remove('busy'), (e) => isImageError(e, 'FailedPrecondition') && /"busy"/.test(e.message) && e.message.includes(dir));
        await assert.rejects(sn.commit('L3', 'busy'), (e) => isImageError(e, 'FailedPrecondition') && e.message.includes(dir));
      });
      await sn.remove('busy');
      await assert.rejects(sn.stat('busy'), (e) => isImageError(e, 'NotFound'));
      await sn.remove('v');
      await sn.remove('L2');
      await sn.remove('L1');
      await assert.rejects(sn.remove('L1'), (e) => isImageError(e, 'NotFound') && /"L1"/.test(e.message));
      await removeAll(sn, root);
    });

    test('stat, list and labels; errors name the key', async () => {
      const { sn, root } = await open();
      await sn.prepare('a', undefined, { 'berth.io/ref': 'busybox' });
      assert.deepEqual((await sn.stat('a')).labels, { 'berth.io/ref': 'busybox' });
      await sn.commit('L1', 'a', { 'berth.io/layer': 'sha256:x' });
      await sn.prepare('b', 'L1');
      await sn.view('c', 'L1', { v: '1' });
      const list = await sn.list();
      assert.deepEqual(list.map((i) => [i.key, i.kind, i.parent ?? null, i.labels]).sort(), [
        ['L1', 'committed', null, { 'berth.io/layer': 'sha256:x' }],
        ['b', 'active', 'L1', {}],
        ['c', 'view', 'L1', { v: '1' }],
      ]);
      for (const i of list) assert.ok(!Number.isNaN(Date.parse(i.createdAt)));
      await assert.rejects(sn.stat('nope'), (e) => isImageError(e, 'NotFound') && /"nope"/.test(e.message));
      await assert.rejects(sn.prepare('b'), (e) => isImageError(e, 'AlreadyExists') && /"b"/.test(e.message));
      await assert.rejects(sn.prepare('d', 'missing'), (e) => isImageError(e, 'NotFound') && /"missing"/.test(e.message));
      await assert.rejects(sn.prepare('d', 'b'), (e) => isImageError(e, 'FailedPrecondition') && /"b"/.test(e.message) && /commit/.test(e.message));
      await assert.rejects(sn.prepare(''), (e) => isImageError(e, 'InvalidArgument'));
      await assert.rejects(sn.prepare('d', undefined, { x: 1 } as never), (e) => isImageError(e, 'InvalidArgument'));
      await assert.rejects(sn.mounts('L1'), (e) => isImageError(e, 'FailedPrecondition') && /"L1"/.test(e.message));
      await assert.rejects(sn.commit('L1', 'b'), (e) => isImageError(e, 'AlreadyExists') && /"L1"/.test(e.message) && /"b"/.test(e.message));
      assert.equal((await sn.stat('b')).kind, 'active', 'the loser of a commit race keeps its active snapshot');
      await assert.rejects(sn.commit('L2', 'nope'), (e) => isImageError(e, 'NotFound') && /"nope"/.test(e.message));
      // Keys are arbitrary strings.
      for (const key of ['../../escape', 'a/b/c', '.', 'é ü', 'x'.repeat(400), `sha256:${'f'.repeat(64)}`]) {
        await sn.prepare(key, 'L1', { key });
        assert.equal((await sn.stat(key)).labels.key, key);
      }
      assert.equal(fs.existsSync(path.join(root, '..', 'escape')), false);
      await removeAll(sn, root);
    });

    test('usage counts apparent bytes and inodes, hardlinks once', async () => {
      const { sn, root } = await open();
      await sn.prepare('u');
      assert.deepEqual(await sn.usage('u'), { size: 0, inodes: 1 });
      await mounted(await sn.mounts('u'), (dir) => {
        fs.mkdirSync(path.join(dir, 'd'));
        fs.writeFileSync(path.join(dir, 'd', 'a'), Buffer.alloc(1000));
        fs.writeFileSync(path.join(dir, 'b'), Buffer.alloc(234));
        fs.linkSync(path.join(dir, 'b'), path.join(dir, 'b-link'));
        fs.symlinkSync('d/a', path.join(dir, 's')); // 3 bytes
      });
      assert.deepEqual(await sn.usage('u'), { size: 1237, inodes: 5 });
      await sn.commit('U', 'u');
      assert.deepEqual(await sn.usage('U'), { size: 1237, inodes: 5 });
      await removeAll(sn, root);
    });

    test('owners, modes, times, xattrs, devices, fifos, symlinks and hardlinks reach a child intact', async () => {
      const { sn, root } = await open();
      const when = new Date('2001-02-03T04:05:06Z');
      await mounted(await sn.prepare('a'), async (dir) => {
        const p = (r: string) => path.join(dir, r);
        fs.writeFileSync(p('owned'), 'o');
        fs.chownSync(p('owned'), 1234, 5678);
        fs.chmodSync(p('owned'), 0o640);
        fs.writeFileSync(p('suid'), 's');
        fs.chmodSync(p('suid'), 0o4755);
        fs.writeFileSync(p('xattr'), 'x');
        await fsops.setxattr(p('xattr'), 'user.berth', Buffer.from('hello'));
        await fsops.mknod(p('null'), 0o020666, 1, 3);
        await fsops.mknod(p('fifo'), 0o010600, 0, 0);
        fs.symlinkSync('/nowhere', p('dangling'));
        fs.writeFileSync(p('hard1'), 'h');
        fs.linkSync(p('hard1'), p('hard2'));
        fs.utimesSync(p('owned'), when, when);
      });
      await sn.commit('L', 'a');
      await mounted(await sn.prepare('b', 'L'), async (dir) => {
        const st = (r: string) => fs.lstatSync(path.join(dir, r));
        assert.deepEqual([st('owned').uid, st('owned').gid, st('owned').mode & 0o7777], [1234, 5678, 0o640]);
        assert.equal(st('owned').mtime.getTime(), when.getTime());
        assert.equal(st('suid').mode & 0o7777, 0o4755);
        assert.equal((await fsops.xattrs(path.join(dir, 'xattr'))).get('user.berth')?.toString(), 'hello');
        assert.ok(st('null').isCharacterDevice());
        assert.equal(st('null').rdev, (1 << 8) | 3);
        assert.ok(st('fifo').isFIFO());
        assert.equal(fs.readlinkSync(path.join(dir, 'dangling')), '/nowhere');
        assert.equal(st('hard1').ino, st('hard2').ino);
        assert.equal(st('hard1').nlink, 2);
      });
      await removeAll(sn, root);
    });
  });
}
