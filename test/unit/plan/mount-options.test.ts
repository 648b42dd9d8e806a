import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseMountOptions, propagationFlags, MOUNT_OPTION_NAMES,
  MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_SYNCHRONOUS, MS_REMOUNT, MS_MANDLOCK, MS_DIRSYNC,
  MS_NOATIME, MS_NODIRATIME, MS_BIND, MS_REC, MS_SILENT, MS_UNBINDABLE, MS_PRIVATE, MS_SLAVE, MS_SHARED,
  MS_RELATIME, MS_STRICTATIME, MS_LAZYTIME, MOUNT_ATTR_RDONLY, MOUNT_ATTR_NOSUID, MOUNT_ATTR__ATIME, MOUNT_ATTR_NOATIME,
} from '../../../src/runtime/plan/mount-options.js';

test('MS_* constants have the kernel values', () => {
  assert.deepEqual(
    [MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_SYNCHRONOUS, MS_REMOUNT, MS_MANDLOCK, MS_DIRSYNC, MS_NOATIME,
      MS_NODIRATIME, MS_BIND, MS_REC, MS_SILENT, MS_UNBINDABLE, MS_PRIVATE, MS_SLAVE, MS_SHARED, MS_RELATIME,
      MS_STRICTATIME, MS_LAZYTIME],
    [1, 2, 4, 8, 16, 32, 64, 128, 1024, 2048, 4096, 8192 * 2, 32768, 131072, 262144, 524288, 1048576, 2097152,
      16777216, 33554432]);
});

/** options → [flags, propagation, data] */
const TABLE: [string[], number, number, string][] = [
  [[], 0, 0, ''],
  [['ro'], MS_RDONLY, 0, ''],
  [['ro', 'rw'], 0, 0, ''],
  [['rw', 'ro'], MS_RDONLY, 0, ''],
  [['nosuid', 'suid'], 0, 0, ''],
  [['nodev', 'noexec', 'nosuid'], MS_NODEV | MS_NOEXEC | MS_NOSUID, 0, ''],
  [['dev', 'exec'], 0, 0, ''],
  [['sync'], MS_SYNCHRONOUS, 0, ''],
  [['sync', 'async'], 0, 0, ''],
  [['dirsync'], MS_DIRSYNC, 0, ''],
  [['remount', 'ro'], MS_REMOUNT | MS_RDONLY, 0, ''],
  [['mand'], MS_MANDLOCK, 0, ''],
  [['mand', 'nomand'], 0, 0, ''],
  [['noatime'], MS_NOATIME, 0, ''],
  [['noatime', 'atime'], 0, 0, ''],
  [['nodiratime'], MS_NODIRATIME, 0, ''],
  [['nodiratime', 'diratime'], 0, 0, ''],
  [['relatime'], MS_RELATIME, 0, ''],
  [['relatime', 'norelatime'], 0, 0, ''],
  [['strictatime'], MS_STRICTATIME, 0, ''],
  [['strictatime', 'nostrictatime'], 0, 0, ''],
  [['bind'], MS_BIND, 0, ''],
  [['rbind'], MS_BIND | MS_REC, 0, ''],
  [['silent'], MS_SILENT, 0, ''],
  [['silent', 'loud'], 0, 0, ''],
  [['lazytime'], MS_LAZYTIME, 0, ''],
  [['defaults'], 0, 0, ''],
  [['private'], 0, MS_PRIVATE, ''],
  [['rprivate'], 0, MS_PRIVATE | MS_REC, ''],
  [['shared'], 0, MS_SHARED, ''],
  [['rshared'], 0, MS_SHARED | MS_REC, ''],
  [['slave'], 0, MS_SLAVE, ''],
  [['rslave'], 0, MS_SLAVE | MS_REC, ''],
  [['unbindable'], 0, MS_UNBINDABLE, ''],
  [['runbindable'], 0, MS_UNBINDABLE | MS_REC, ''],
  [['rbind', 'rprivate', 'rslave'], MS_BIND | MS_REC, MS_SLAVE | MS_REC, ''],
  [['nosuid', 'strictatime', 'mode=755', 'size=65536k'], MS_NOSUID | MS_STRICTATIME, 0, 'mode=755,size=65536k'],
  [['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'], MS_NOSUID | MS_NOEXEC, 0,
    'newinstance,ptmxmode=0666,mode=0620,gid=5'],
  [['nosuid', 'noexec', 'nodev', 'relatime', 'ro'], MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RELATIME | MS_RDONLY, 0, ''],
];

for (const [options, flags, propagation, data] of TABLE) {
  test(`parseMountOptions ${JSON.stringify(options)}`, () => {
    const p = parseMountOptions(options);
    assert.equal(p.flags, flags);
    assert.equal(p.propagation, propagation);
    assert.equal(p.data, data);
    assert.equal(p.recursive, undefined);
    assert.deepEqual(p.extensions, []);
  });
}

test('parseMountOptions records explicitly cleared flags', () => {
  assert.equal(parseMountOptions(['rw', 'suid']).cleared, MS_RDONLY | MS_NOSUID);
  assert.equal(parseMountOptions(['rw', 'ro']).cleared, 0);
});

test('parseMountOptions collects recursive attributes and extensions', () => {
  const p = parseMountOptions(['rbind', 'rro', 'rnosuid', 'rnoatime', 'tmpcopyup']);
  assert.deepEqual(p.recursive, { set: MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOATIME, clear: MOUNT_ATTR__ATIME });
  assert.deepEqual(p.extensions, ['tmpcopyup']);
  assert.deepEqual(parseMountOptions(['rro', 'rrw']).recursive, { set: 0, clear: MOUNT_ATTR_RDONLY });
});

test('parseMountOptions does not treat Object.prototype names as options', () => {
  assert.equal(parseMountOptions(['constructor', 'toString']).data, 'constructor,toString');
});

test('propagationFlags and MOUNT_OPTION_NAMES', () => {
  assert.equal(propagationFlags('rslave'), MS_SLAVE | MS_REC);
  assert.equal(propagationFlags('everywhere'), undefined);
  assert.ok(MOUNT_OPTION_NAMES.includes('rbind') && MOUNT_OPTION_NAMES.includes('runbindable'));
  assert.ok(!MOUNT_OPTION_NAMES.includes('rro'));
});
