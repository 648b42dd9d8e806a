import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkLabels, decodeRecord, encodeRecord, toInfo, type SnapshotRecord } from '../../../../src/image/snapshot/metadata-codec.js';
import { isImageError } from '../../../../src/image/errors.js';

const rec: SnapshotRecord = {
  id: 7, key: 'sha256:abc', parent: 'sha256:def', kind: 'committed', labels: { 'berth.gc.root': 'x' },
  createdAt: '2024-05-01T10:00:00.000Z',
};

test('a record survives encode/decode; the file holds exactly the documented fields', () => {
  const text = encodeRecord(rec);
  assert.deepEqual(decodeRecord(text, '/m/x.json'), rec);
  assert.deepEqual(Object.keys(JSON.parse(text)), ['id', 'key', 'parent', 'kind', 'labels', 'createdAt']);
  const noParent = { ...rec, kind: 'active' as const };
  delete noParent.parent;
  assert.deepEqual(decodeRecord(encodeRecord(noParent), 'f'), noParent);
  assert.equal('parent' in JSON.parse(encodeRecord(noParent)), false);
});

test('damaged records are DataLoss naming the file and the bad field', () => {
  const cases: [string, RegExp][] = [
    ['{', /not JSON/],
    ['[]', /not an object/],
    [JSON.stringify({ ...rec, id: 0 }), /"id"/],
    [JSON.stringify({ ...rec, id: '7' }), /"id"/],
    [JSON.stringify({ ...rec, key: '' }), /"key"/],
    [JSON.stringify({ ...rec, parent: 3 }), /"parent"/],
    [JSON.stringify({ ...rec, kind: 'mounted' }), /"kind" is "mounted"/],
    [JSON.stringify({ ...rec, createdAt: 'yesterday' }), /"createdAt"/],
    [JSON.stringify({ ...rec, labels: { a: 1 } }), /label "a"/],
  ];
  for (const [text, why] of cases) {
    assert.throws(() => decodeRecord(text, '/root/metadata/k.json'),
      (e) => isImageError(e, 'DataLoss') && e.message.includes('/root/metadata/k.json') && why.test(e.message), text);
  }
});

test('labels must be strings; toInfo copies them', () => {
  assert.deepEqual(checkLabels(undefined, 'k'), {});
  assert.throws(() => checkLabels({ a: 1 }, 'k'), (e) => isImageError(e, 'InvalidArgument') && /"a" of snapshot "k"/.test(e.message));
  assert.throws(() => checkLabels(['a'], 'k'), (e) => isImageError(e, 'InvalidArgument'));
  const info = toInfo(rec);
  info.labels.extra = 'y';
  assert.equal(rec.labels.extra, undefined);
  assert.deepEqual(toInfo({ ...rec, parent: undefined } as SnapshotRecord).parent, undefined);
});
