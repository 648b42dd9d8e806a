import { test } from 'node:test';
import assert from 'node:assert/strict';
import { containingMount, mountsAtOrBelow, mountsUsing, parseMountInfo, unescapeOctal } from '../../../../src/image/snapshot/mountinfo.js';

// A host like this one (/ on ext4), a separate /var/lib on another disk, and mounts made from snapshots.
const TABLE = `
27 1 254:0 / / rw,relatime - ext4 /dev/vda rw
40 27 8:16 / /var/lib rw,relatime shared:3 - xfs /dev/vdb rw
50 27 0:39 / /run/ctr/a/rootfs rw,relatime - overlay overlay rw,lowerdir=/var/lib/berth/l/3:/var/lib/berth/l/2,upperdir=/var/lib/berth/snapshots/4/fs,workdir=/var/lib/berth/snapshots/4/work,uuid=on
51 50 0:21 / /run/ctr/a/rootfs/proc rw - proc proc rw
52 27 8:16 /berth/snapshots/5/fs /run/ctr/b/rootfs rw,relatime - xfs /dev/vdb rw
53 27 8:16 /berth/snapshots/6/fs/etc /run/ctr/c/etc ro,relatime - xfs /dev/vdb rw
54 27 254:0 /tmp/my\\040dir /mnt/with\\040space rw - ext4 /dev/vda rw
55 50 0:40 / /run/ctr/a/rootfs rw - tmpfs tmpfs rw
56 27 254:0 /var/lib/berth/snapshots/5/fs /run/ctr/d rw - ext4 /dev/vda rw
bad line
`;

test('parses fields and decodes octal escapes', () => {
  const e = parseMountInfo(TABLE);
  assert.equal(e.length, 9);
  assert.deepEqual(e[2], {
    id: 50, parentId: 27, dev: '0:39', root: '/', mountPoint: '/run/ctr/a/rootfs', fsType: 'overlay', source: 'overlay',
    superOptions: ['rw', 'lowerdir=/var/lib/berth/l/3:/var/lib/berth/l/2', 'upperdir=/var/lib/berth/snapshots/4/fs',
      'workdir=/var/lib/berth/snapshots/4/work', 'uuid=on'],
  });
  assert.equal(e[1]!.fsType, 'xfs'); // the optional "shared:3" field is skipped
  assert.equal(e[6]!.mountPoint, '/mnt/with space');
  assert.equal(unescapeOctal('a\\054b\\134c\\303\\251'), 'a,b\\cé');
});

test('mountsAtOrBelow: deepest first, the top of a stack first, siblings by prefix only', () => {
  const e = parseMountInfo(TABLE);
  assert.deepEqual(mountsAtOrBelow(e, '/run/ctr/a'), ['/run/ctr/a/rootfs/proc', '/run/ctr/a/rootfs', '/run/ctr/a/rootfs']);
  assert.deepEqual(mountsAtOrBelow(e, '/run/ctr/a/root'), []);
  assert.deepEqual(mountsAtOrBelow(e, '/run/ctr/c/etc'), ['/run/ctr/c/etc']);
});

test('containingMount picks the longest mount point above a path', () => {
  const e = parseMountInfo(TABLE);
  assert.equal(containingMount(e, '/var/lib/berth/snapshots/5/fs')!.id, 40);
  assert.equal(containingMount(e, '/var/library')!.id, 27);
});

test('mountsUsing: overlay upper, work and lowerdir (by link or fs path)', () => {
  const e = parseMountInfo(TABLE);
  assert.deepEqual(mountsUsing(e, ['/var/lib/berth/snapshots/4/fs']), ['/run/ctr/a/rootfs']);
  assert.deepEqual(mountsUsing(e, ['/var/lib/berth/snapshots/4/work']), ['/run/ctr/a/rootfs']);
  assert.deepEqual(mountsUsing(e, ['/var/lib/berth/snapshots/2/fs', '/var/lib/berth/l/2']), ['/run/ctr/a/rootfs']);
  assert.deepEqual(mountsUsing(e, ['/var/lib/berth/snapshots/33/fs', '/var/lib/berth/l/33']), []);
});

test('mountsUsing: bind mounts found through the device and root of the filesystem holding the dir', () => {
  const e = parseMountInfo(TABLE);
  // /var/lib is /dev/vdb, so /var/lib/berth/snapshots/5/fs is "/berth/snapshots/5/fs" on 8:16; entry 56 binds
  // the same-looking path of the root disk (hidden under /var/lib), which is another directory.
  assert.deepEqual(mountsUsing(e, ['/var/lib/berth/snapshots/5/fs']), ['/run/ctr/b/rootfs']);
  // A bind of a subdirectory counts.
  assert.deepEqual(mountsUsing(e, ['/var/lib/berth/snapshots/6/fs']), ['/run/ctr/c/etc']);
  assert.deepEqual(mountsUsing(e, ['/var/lib/berth/snapshots/7/fs']), []);
});

test('mountsUsing: anything mounted inside the snapshot directory', () => {
  const e = parseMountInfo(`${TABLE}60 27 0:50 / /var/lib/berth/snapshots/9/fs/dev rw - tmpfs tmpfs rw\n`);
  assert.deepEqual(mountsUsing(e, [], '/var/lib/berth/snapshots/9'), ['/var/lib/berth/snapshots/9/fs/dev']);
  assert.deepEqual(mountsUsing(e, [], '/var/lib/berth/snapshots/90'), []);
});
