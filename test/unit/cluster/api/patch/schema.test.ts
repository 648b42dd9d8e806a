import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyServerSide, defaultIgnoredFields, schemaForKind, untypedSchema, applyStrategicMergePatch } from '../../../../../src/cluster/api/patch/index.js';

const DEPLOYMENT = { group: 'apps', version: 'v1', kind: 'Deployment' };

test('the OpenAPI-derived schema carries merge keys, list types and atomic structs', () => {
  const s = schemaForKind(DEPLOYMENT);
  assert.equal(s, schemaForKind(DEPLOYMENT), 'memoized per kind');
  const at = (p: string) => s.typeAt(p.split('.'))!;
  assert.equal(s.typeAt([])!.kind, 'struct');
  assert.deepEqual(at('spec.template.spec.containers').patch, { strategy: 'merge', key: 'name' });
  assert.deepEqual(at('spec.template.spec.containers').listType, { type: 'map', keys: ['name'] });
  assert.deepEqual(at('spec.template.spec.containers.ports').listType, { type: 'map', keys: ['containerPort', 'protocol'] });
  assert.deepEqual(at('spec.template.spec.containers.ports').patch, { strategy: 'merge', key: 'containerPort' });
  assert.deepEqual(at('spec.template.spec.containers.volumeMounts').patch, { strategy: 'merge', key: 'mountPath' });
  assert.deepEqual(at('spec.template.spec.volumes').patch, { strategy: 'merge,retainKeys', key: 'name' });
  assert.deepEqual(at('metadata.finalizers').listType, { type: 'set' });
  assert.deepEqual(at('metadata.ownerReferences').patch, { strategy: 'merge', key: 'uid' });
  assert.equal(at('spec.template.spec.containers.args').atomic, true);
  assert.equal(at('spec.selector').atomic, true, 'LabelSelector is atomic');
  assert.equal(at('spec.selector').typeName, 'LabelSelector');
  assert.equal(at('spec.strategy').patch?.strategy, 'retainKeys');
  assert.equal(at('metadata.labels').kind, 'map');
  assert.equal(at('spec.replicas').kind, 'scalar');
  assert.equal(s.typeAt(['spec', 'nope']), undefined);
  assert.equal(schemaForKind({ group: 'example.com', version: 'v1', kind: 'Widget' }), untypedSchema);
});

test('ignored fields default to what Kubernetes\' strategies reset', () => {
  assert.deepEqual(defaultIgnoredFields(DEPLOYMENT), [['status']]);
  assert.deepEqual(defaultIgnoredFields(DEPLOYMENT, 'status'), [['spec']]);
  assert.deepEqual(defaultIgnoredFields(DEPLOYMENT, 'scale'), []);
  assert.deepEqual(defaultIgnoredFields({ group: '', version: 'v1', kind: 'ConfigMap' }), []);
});

test('kinds without a schema patch and apply as free-form maps', () => {
  const WIDGET = { group: 'example.com', version: 'v1', kind: 'Widget' };
  const obj = { spec: { list: [1, 2], map: { a: 1 } } };
  assert.deepEqual(applyStrategicMergePatch(obj, { spec: { list: [3], map: { b: 2 } } }, WIDGET), { spec: { list: [3], map: { a: 1, b: 2 } } });
  const applied = applyServerSide(undefined, { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { list: [1], deep: { x: 1 } } }, { manager: 'm', force: false, gvk: WIDGET, now: new Date(0) });
  // Members of free-form maps are owned themselves too (they are map entries, not declared fields).
  assert.deepEqual(applied.object.metadata.managedFields[0].fieldsV1, { 'f:spec': { '.': {}, 'f:deep': { '.': {}, 'f:x': {} }, 'f:list': {} } });
});
