import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideDependent, decideOwner, ownerState, withoutFinalizer, withoutOwnerReferences, type OwnerState } from '../../../../src/cluster/controllers/gc-logic.js';

const ref = (uid: string, block = false) => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `rs-${uid}`, uid, ...(block ? { blockOwnerDeletion: true } : {}) });
const dep = (refs: object[], extra: Record<string, unknown> = {}) => ({ metadata: { name: 'd', uid: 'd1', ownerReferences: refs, ...extra } });
const states = (o: Record<string, OwnerState>) => new Map(Object.entries(o));

test('owner state: absent when missing or replaced (same name, new uid); waiting in foreground deletion', () => {
  assert.equal(ownerState(ref('a'), undefined), 'absent');
  assert.equal(ownerState(ref('a'), { metadata: { uid: 'other' } }), 'absent');
  assert.equal(ownerState(ref('a'), { metadata: { uid: 'a' } }), 'solid');
  assert.equal(ownerState(ref('a'), { metadata: { uid: 'a', deletionTimestamp: 't', finalizers: ['foregroundDeletion'] } }), 'waiting');
  assert.equal(ownerState(ref('a'), { metadata: { uid: 'a', deletionTimestamp: 't', finalizers: ['orphan'] } }), 'solid');
});

test('dependent: deleted (Background) when every owner is gone', () => {
  assert.deepEqual(decideDependent(dep([ref('a')]), states({ a: 'absent' }), false), { type: 'delete', propagationPolicy: 'Background' });
  assert.deepEqual(decideDependent(dep([ref('a'), ref('b')]), states({ a: 'absent', b: 'absent' }), false), { type: 'delete', propagationPolicy: 'Background' });
});

test('dependent: only loses the dangling reference while another owner lives', () => {
  assert.deepEqual(decideDependent(dep([ref('a'), ref('b')]), states({ a: 'absent', b: 'solid' }), false), { type: 'removeOwnerReferences', uids: ['a'] });
  assert.deepEqual(decideDependent(dep([ref('a'), ref('b')]), states({ a: 'waiting', b: 'solid' }), false), { type: 'removeOwnerReferences', uids: ['a'] });
});

test('dependent: nothing to do with live owners, unknown owners, or when already being deleted', () => {
  assert.deepEqual(decideDependent(dep([ref('a')]), states({ a: 'solid' }), false), { type: 'none' });
  assert.deepEqual(decideDependent(dep([ref('a')]), states({}), false), { type: 'none' }, 'unknown owner counts as solid');
  assert.deepEqual(decideDependent(dep([ref('a')], { deletionTimestamp: 't' }), states({ a: 'absent' }), false), { type: 'none' });
  assert.deepEqual(decideDependent({ metadata: { name: 'x' } }, states({}), false), { type: 'none' });
});

test('dependent of a foreground-deleting owner: Foreground if it owns things itself, else by its own finalizers', () => {
  assert.deepEqual(decideDependent(dep([ref('a')]), states({ a: 'waiting' }), true), { type: 'delete', propagationPolicy: 'Foreground' });
  assert.deepEqual(decideDependent(dep([ref('a')]), states({ a: 'waiting' }), false), { type: 'delete', propagationPolicy: 'Background' });
  assert.deepEqual(decideDependent(dep([ref('a')], { finalizers: ['orphan'] }), states({ a: 'absent' }), false), { type: 'delete', propagationPolicy: 'Orphan' });
});

test('owner with orphan: dependents are orphaned first, then the finalizer goes', () => {
  const owner = { metadata: { uid: 'a', deletionTimestamp: 't', finalizers: ['orphan'] } };
  const d = dep([ref('a')]);
  assert.deepEqual(decideOwner(owner, [d]), { type: 'orphanDependents', dependents: [d], then: 'removeOrphanFinalizer' });
  assert.deepEqual(decideOwner(owner, []), { type: 'removeFinalizer', finalizer: 'orphan' });
  assert.deepEqual(decideOwner(owner, [dep([ref('z')])]), { type: 'removeFinalizer', finalizer: 'orphan' }, 'dependents of others do not count');
});

test('owner in foreground deletion waits only for blocking dependents', () => {
  const owner = { metadata: { uid: 'a', deletionTimestamp: 't', finalizers: ['foregroundDeletion'] } };
  const blocking = dep([ref('a', true)]);
  const goingAway = dep([ref('a', true)], { deletionTimestamp: 't', finalizers: ['x'] });
  const loose = dep([ref('a', false)]);
  assert.deepEqual(decideOwner(owner, [blocking, loose]), { type: 'waitForDependents', deleteFirst: [blocking, loose], blocking: [blocking] });
  assert.deepEqual(decideOwner(owner, [goingAway]), { type: 'waitForDependents', deleteFirst: [], blocking: [goingAway] }, 'a deleting blocker still blocks');
  assert.deepEqual(decideOwner(owner, [loose]), { type: 'removeFinalizer', finalizer: 'foregroundDeletion' });
  assert.deepEqual(decideOwner(owner, []), { type: 'removeFinalizer', finalizer: 'foregroundDeletion' });
  assert.deepEqual(decideOwner({ metadata: { uid: 'a' } }, [blocking]), { type: 'none' }, 'not being deleted');
});

test('edits are copies: references and finalizers removed, fields dropped when empty', () => {
  const d = dep([ref('a'), ref('b')], { finalizers: ['orphan'] });
  const one = withoutOwnerReferences(d, ['a'])!;
  assert.deepEqual(one.metadata.ownerReferences.map((r: { uid: string }) => r.uid), ['b']);
  assert.equal(d.metadata.ownerReferences.length, 2, 'input untouched');
  assert.equal('ownerReferences' in withoutOwnerReferences(d, ['a', 'b'])!.metadata, false);
  assert.equal(withoutOwnerReferences(d, ['zzz']), undefined);
  assert.equal('finalizers' in withoutFinalizer(d, 'orphan')!.metadata, false);
  assert.equal(withoutFinalizer(d, 'foregroundDeletion'), undefined);
});
