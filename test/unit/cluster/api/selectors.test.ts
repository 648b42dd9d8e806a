// Label and field selector syntax and matching, including the 400s for malformed selectors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  compileFilter,
  fieldsMatch,
  formatLabelSelector,
  labelsMatch,
  parseFieldSelector,
  parseLabelSelector,
} from '../../../../src/cluster/api/selectors.js';
import { ApiError } from '../../../../src/cluster/api/types.js';
import { fieldValues, selectableFields } from '../../../../src/cluster/api/selectable-fields.js';
import { findResource } from '../../../../src/cluster/resources/index.js';

const matches = (sel: string, labels: Record<string, string>) => labelsMatch(parseLabelSelector(sel), labels);

test('label selectors: =, ==, !=, in, notin, exists, !, gt, lt', () => {
  const l = { app: 'web', tier: 'front', n: '5' };
  assert.equal(matches('', l), true);
  assert.equal(matches('app=web', l), true);
  assert.equal(matches('app==web', l), true);
  assert.equal(matches('app=db', l), false);
  assert.equal(matches('app!=db', l), true);
  assert.equal(matches('missing!=x', l), true, '!= matches objects without the label');
  assert.equal(matches('tier in (front, back)', l), true);
  assert.equal(matches('tier notin (front)', l), false);
  assert.equal(matches('app,tier', l), true);
  assert.equal(matches('!legacy', l), true);
  assert.equal(matches('!app', l), false);
  assert.equal(matches('n>4', l), true);
  assert.equal(matches('n<4', l), false);
  assert.equal(matches('app=web,tier in (a,b)', l), false);
  assert.equal(matches('app=', { app: '' }), true);
});

test('malformed label selectors are 400 BadRequest', () => {
  for (const bad of ['app in (a', 'a b', '=x', 'app=in valid', 'tier notin ()x']) {
    assert.throws(() => parseLabelSelector(bad), (e: unknown) => e instanceof ApiError && e.code === 400, bad);
  }
  assert.throws(() => parseLabelSelector('app=-bad-'), /unable to parse requirement/);
});

test('field selectors: =, ==, !=, escapes', () => {
  const reqs = parseFieldSelector('metadata.name=web,status.phase!=Running,spec.nodeName==n1');
  assert.deepEqual(reqs, [
    { field: 'metadata.name', op: '=', value: 'web' },
    { field: 'status.phase', op: '!=', value: 'Running' },
    { field: 'spec.nodeName', op: '=', value: 'n1' },
  ]);
  assert.deepEqual(parseFieldSelector('a=x\\,y'), [{ field: 'a', op: '=', value: 'x,y' }]);
  assert.equal(fieldsMatch(reqs, { 'metadata.name': 'web', 'status.phase': 'Pending', 'spec.nodeName': 'n1' }), true);
  assert.equal(fieldsMatch(reqs, { 'metadata.name': 'web', 'status.phase': 'Running', 'spec.nodeName': 'n1' }), false);
  assert.throws(() => parseFieldSelector('novalue'), /invalid selector/);
});

test('field selectors only on the resource’s selectable fields; describe’s event query works', () => {
  const events = findResource('', 'v1', 'events')!;
  assert.ok(selectableFields(events).includes('involvedObject.uid'));
  const ev = { metadata: { name: 'e1', namespace: 'default' }, involvedObject: { kind: 'Pod', name: 'auto-pod', namespace: 'default', uid: 'u1' } };
  const f = compileFilter(null, 'involvedObject.name=auto-pod,involvedObject.namespace=default,involvedObject.uid=u1', selectableFields(events), (o) => fieldValues(events, o));
  assert.equal(f.matches(ev), true);
  assert.equal(f.matches({ ...ev, involvedObject: { ...ev.involvedObject, uid: 'u2' } }), false);
  const pods = findResource('', 'v1', 'pods')!;
  assert.throws(() => compileFilter(null, 'spec.bogus=1', selectableFields(pods), (o) => fieldValues(pods, o)), /field label not supported: spec.bogus/);
  const pf = compileFilter('app=web', 'status.phase=Pending,spec.nodeName=', selectableFields(pods), (o) => fieldValues(pods, o));
  assert.equal(pf.matches({ metadata: { labels: { app: 'web' } }, status: { phase: 'Pending' }, spec: {} }), true);
  assert.equal(pf.matches({ metadata: { labels: { app: 'web' } }, status: { phase: 'Pending' }, spec: { nodeName: 'n' } }), false);
});

test('LabelSelector objects print as kubectl shows them (sorted by key)', () => {
  assert.equal(
    formatLabelSelector({ matchLabels: { tier: 'a', app: 'web' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'dev'] }, { key: 'zz', operator: 'DoesNotExist' }] }),
    'app=web,env in (dev,prod),tier=a,!zz',
  );
});
