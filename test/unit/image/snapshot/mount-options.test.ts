import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bindMount, mountData, overlayMount, MOUNT_DATA_LIMIT } from '../../../../src/image/snapshot/mount-options.js';
import { isImageError } from '../../../../src/image/errors.js';

test('bind mounts are recursive, rw or ro, and carry no mount data', () => {
  assert.deepEqual(bindMount('/s/1/fs', false), { type: 'bind', source: '/s/1/fs', options: ['rbind', 'rw'] });
  assert.deepEqual(bindMount('/s/1/fs', true).options, ['rbind', 'ro']);
  assert.equal(mountData(bindMount('/x', true).options), '');
});

test('overlay: lowerdir lists the nearest parent first, then upperdir/workdir; extra options first', () => {
  const m = overlayMount({ key: 'c', lowers: ['/r/l/3', '/r/l/2', '/r/l/1'], upper: '/r/snapshots/4/fs', work: '/r/snapshots/4/work', extra: ['index=off'] });
  assert.deepEqual(m, {
    type: 'overlay', source: 'overlay',
    options: ['index=off', 'workdir=/r/snapshots/4/work', 'upperdir=/r/snapshots/4/fs', 'lowerdir=/r/l/3:/r/l/2:/r/l/1'],
  });
});

test('a read-only overlay has lowerdirs only, and needs at least two', () => {
  assert.deepEqual(overlayMount({ key: 'v', lowers: ['/r/l/2', '/r/l/1'] }).options, ['lowerdir=/r/l/2:/r/l/1']);
  assert.throws(() => overlayMount({ key: 'v', lowers: ['/r/l/1'] }), /two layers/);
  assert.throws(() => overlayMount({ key: 'v', lowers: [] }), /needs a lower layer/);
  assert.throws(() => overlayMount({ key: 'v', lowers: ['/a', '/b'], upper: '/u' }), /both upperdir and workdir/);
});

test('the one-page limit: data up to 4095 bytes passes, one more byte fails naming the layer count', () => {
  const fixed = 'workdir=/w,upperdir=/u,lowerdir='.length;
  // n lowers of "/" + k chars, joined by ":" -> n*(k+1) + (n-1) bytes.
  const lowersOfTotal = (total: number): string[] => {
    const n = 100;
    const base = Math.floor((total - (n - 1)) / n) - 1;
    const out = Array.from({ length: n }, () => `/${'a'.repeat(base)}`);
    let len = out.join(':').length;
    for (let i = 0; len < total; i++, len++) out[i] += 'b';
    return out;
  };
  const ok = lowersOfTotal(MOUNT_DATA_LIMIT - fixed);
  const m = overlayMount({ key: 'fits', lowers: ok, upper: '/u', work: '/w' });
  assert.equal(mountData(m.options).length, MOUNT_DATA_LIMIT);
  const tooLong = lowersOfTotal(MOUNT_DATA_LIMIT - fixed + 1);
  assert.throws(() => overlayMount({ key: 'ctr-1', lowers: tooLong, upper: '/u', work: '/w' }),
    (e) => isImageError(e, 'FailedPrecondition') && /"ctr-1"/.test(e.message) && /100 layers/.test(e.message) && /4095/.test(e.message));
});

test('short links are what make 60 layers fit under a long root', () => {
  const root = `/var/lib/berth/${'r'.repeat(40)}`;
  const full = Array.from({ length: 60 }, (_, i) => `${root}/snapshots/${i + 100}/fs`);
  const links = Array.from({ length: 60 }, (_, i) => `${root}/l/${i + 100}`);
  const upper = { upper: `${root}/snapshots/999/fs`, work: `${root}/snapshots/999/work` };
  assert.throws(() => overlayMount({ key: 'k', lowers: full, ...upper }), /60 layers/);
  assert.ok(mountData(overlayMount({ key: 'k', lowers: links, ...upper }).options).length <= MOUNT_DATA_LIMIT);
});

test('paths overlay would misread are InvalidArgument', () => {
  for (const bad of ['/a:b', '/a,b', 'relative', '/a\nb']) {
    assert.throws(() => overlayMount({ key: 'k', lowers: [bad, '/x'] }), (e) => isImageError(e, 'InvalidArgument') && /"k"/.test(e.message));
  }
});
