import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FieldSet, pathString, peKey, type PathElement } from '../../../../../src/cluster/api/patch/index.js';
import { goJson, keyPE, parsePeKey } from '../../../../../src/cluster/api/patch/field-path.js';

const f = (name: string): PathElement => ({ kind: 'field', name });
const k = (keys: Record<string, unknown>): PathElement => keyPE(Object.entries(keys));
const v = (value: unknown): PathElement => ({ kind: 'value', value });
const i = (index: number): PathElement => ({ kind: 'index', index });

test('path elements encode as FieldsV1 keys and parse back', () => {
  const cases: [PathElement, string][] = [
    [f('replicas'), 'f:replicas'],
    [f('kubectl.kubernetes.io/last-applied-configuration'), 'f:kubectl.kubernetes.io/last-applied-configuration'],
    [k({ protocol: 'TCP', containerPort: 80 }), 'k:{"containerPort":80,"protocol":"TCP"}'],
    [k({ name: 'a<b>&c' }), 'k:{"name":"a\\u003cb\\u003e\\u0026c"}'],
    [v('foregroundDeletion'), 'v:"foregroundDeletion"'],
    [v(8080), 'v:8080'],
    [i(3), 'i:3'],
  ];
  for (const [pe, key] of cases) {
    assert.equal(peKey(pe), key);
    assert.deepEqual(parsePeKey(key), pe);
  }
  assert.throws(() => parsePeKey('x:y'));
  assert.equal(goJson({ b: [1, 'x'], a: null }), '{"a":null,"b":[1,"x"]}');
});

test('paths print as structured-merge-diff prints them in conflicts', () => {
  assert.equal(pathString([f('spec'), f('replicas')]), '.spec.replicas');
  assert.equal(
    pathString([f('spec'), f('template'), f('spec'), f('containers'), k({ name: 'nginx' }), f('ports'), k({ containerPort: 80, protocol: 'TCP' })]),
    '.spec.template.spec.containers[name="nginx"].ports[containerPort=80,protocol="TCP"]',
  );
  assert.equal(pathString([f('metadata'), f('finalizers'), v('a')]), '.metadata.finalizers[="a"]');
  assert.equal(pathString([f('spec'), f('args'), i(0)]), '.spec.args[0]');
});

test('FieldsV1: `.` marks a node owned itself, members and children sort field < key < value < index', () => {
  const s = FieldSet.of(
    [f('spec'), f('template'), f('spec'), f('containers'), k({ name: 'b' })],
    [f('spec'), f('template'), f('spec'), f('containers'), k({ name: 'b' }), f('image')],
    [f('spec'), f('template'), f('spec'), f('containers'), k({ name: 'a' })],
    [f('spec'), f('template'), f('spec'), f('containers'), k({ name: 'a' }), f('name')],
    [f('metadata'), f('finalizers'), v('z')],
    [f('metadata'), f('finalizers'), v('a')],
    [f('spec'), f('replicas')],
    [f('spec'), f('ports'), k({ port: 443, protocol: 'TCP' })],
    [f('spec'), f('ports'), k({ port: 80, protocol: 'TCP' })],
  );
  const json = s.toFieldsV1();
  assert.equal(
    JSON.stringify(json),
    JSON.stringify({
      'f:metadata': { 'f:finalizers': { 'v:"a"': {}, 'v:"z"': {} } },
      'f:spec': {
        'f:ports': { 'k:{"port":80,"protocol":"TCP"}': {}, 'k:{"port":443,"protocol":"TCP"}': {} },
        'f:replicas': {},
        'f:template': {
          'f:spec': {
            'f:containers': {
              'k:{"name":"a"}': { '.': {}, 'f:name': {} },
              'k:{"name":"b"}': { '.': {}, 'f:image': {} },
            },
          },
        },
      },
    }),
    'keys with numbers sort numerically, not as text',
  );
  const back = FieldSet.fromFieldsV1(JSON.parse(JSON.stringify(json)));
  assert.deepEqual(back.toFieldsV1(), json);
  assert.ok(back.has([f('spec'), f('template'), f('spec'), f('containers'), k({ name: 'a' })]));
  assert.ok(!back.has([f('spec'), f('template')]), 'a parent of owned fields is not itself owned');
  assert.deepEqual(back.paths().map(pathString), [
    '.metadata.finalizers[="a"]',
    '.metadata.finalizers[="z"]',
    '.spec.replicas',
    '.spec.ports[port=80,protocol="TCP"]',
    '.spec.ports[port=443,protocol="TCP"]',
    '.spec.template.spec.containers[name="a"]',
    '.spec.template.spec.containers[name="b"]',
    '.spec.template.spec.containers[name="a"].name',
    '.spec.template.spec.containers[name="b"].image',
  ], 'members of a level before its children');
});

test('set operations follow structured-merge-diff', () => {
  const a = FieldSet.of([f('spec')], [f('spec'), f('replicas')], [f('spec'), f('paused')], [f('metadata'), f('labels'), f('x')]);
  const b = FieldSet.of([f('spec')], [f('spec'), f('paused')], [f('status'), f('phase')]);
  assert.deepEqual(a.union(b).paths().map(pathString), ['.spec', '.metadata.labels.x', '.spec.paused', '.spec.replicas', '.status.phase']);
  assert.deepEqual(a.intersection(b).paths().map(pathString), ['.spec', '.spec.paused']);
  assert.deepEqual(a.difference(b).paths().map(pathString), ['.metadata.labels.x', '.spec.replicas'], 'a member of b does not remove its children');
  assert.deepEqual(a.recursiveDifference(b).paths().map(pathString), ['.metadata.labels.x'], 'recursive difference removes whole subtrees');
  assert.ok(new FieldSet().empty);
  assert.ok(a.difference(a).empty);
});

test('malformed FieldsV1 is rejected', () => {
  assert.throws(() => FieldSet.fromFieldsV1([]));
  assert.throws(() => FieldSet.fromFieldsV1({ 'f:a': 1 }));
  assert.throws(() => FieldSet.fromFieldsV1({ 'q:a': {} }));
});
