// The protobuf schema tables: the notation parses, every referenced message exists, every kind decodes from
// an empty message to Go's zero-value JSON, and a sample of field numbers (interface facts from
// k8s.io/api and apimachinery v0.32.0 generated.proto) is pinned against accidental edits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSchema, decodeMessage, parseMessage, rootMessageOf, SCHEMA, supportedKinds } from '../../../../src/cluster/api/protobuf/index.js';
import { isScalar } from '../../../../src/cluster/api/protobuf/schema.js';

const SPECIAL = new Set(['Time', 'Quantity', 'IntOrString', 'FieldsV1']);

test('the notation: types, cardinality, presence, inline and unsupported fields', () => {
  const m = parseMessage('M', 'a=1 b=2:i64* c=3:[]! d=4:{bytes} e=5:Other ~f=6:Inner -g=7:Gone h=8:[i32] i=9:{Quantity}');
  assert.deepEqual(
    m.fields.map((f) => [f.json, f.number, f.type, f.cardinality, f.presence, f.inline, f.unsupported]),
    [
      ['a', 1, 'string', 'single', 'omitempty', false, false],
      ['b', 2, 'int64', 'single', 'pointer', false, false],
      ['c', 3, 'string', 'repeated', 'always', false, false],
      ['d', 4, 'bytes', 'map', 'omitempty', false, false],
      ['e', 5, 'Other', 'single', 'omitempty', false, false],
      ['f', 6, 'Inner', 'single', 'omitempty', true, false],
      ['g', 7, 'Gone', 'single', 'omitempty', false, true],
      ['h', 8, 'int32', 'repeated', 'omitempty', false, false],
      ['i', 9, 'Quantity', 'map', 'omitempty', false, false],
    ],
  );
  assert.equal(m.byNumber.get(6)?.json, 'f');
  assert.throws(() => parseMessage('M', 'a=1 b=1'), /field number 1 twice/);
  assert.throws(() => parseMessage('M', 'a:1'), /bad token "a:1"/);
  assert.throws(() => buildSchema({ A: 'x=1' }, { A: 'y=1' }), /message A defined twice/);
});

test('every message a table refers to is defined; every kind has its message', () => {
  const missing: string[] = [];
  for (const m of SCHEMA.values()) {
    for (const f of m.fields) {
      if (f.unsupported || isScalar(f.type) || SPECIAL.has(f.type)) continue;
      if (!SCHEMA.has(f.type)) missing.push(`${m.name}.${f.json} → ${f.type}`);
    }
  }
  assert.deepEqual(missing, []);
  for (const gvk of supportedKinds()) {
    const kind = gvk.slice(gvk.lastIndexOf('/') + 1);
    const apiVersion = gvk.slice(0, gvk.lastIndexOf('/'));
    assert.ok(SCHEMA.has(rootMessageOf(apiVersion, kind)!), gvk);
  }
  assert.equal(rootMessageOf('batch/v1', 'DeleteOptions'), 'DeleteOptions');
  assert.equal(rootMessageOf('v1', 'Pod'), undefined);
  assert.ok(supportedKinds().length >= 20);
});

test('every message decodes from zero bytes to Go zero-value JSON', () => {
  for (const name of SCHEMA.keys()) assert.doesNotThrow(() => decodeMessage(SCHEMA, name, new Uint8Array()), name);
  assert.deepEqual(decodeMessage(SCHEMA, 'Role', new Uint8Array()), { metadata: { creationTimestamp: null }, rules: null });
  assert.deepEqual(decodeMessage(SCHEMA, 'Container', new Uint8Array()), { name: '', resources: {} });
  assert.deepEqual(decodeMessage(SCHEMA, 'ServicePort', new Uint8Array()), { port: 0, targetPort: 0 });
  assert.deepEqual(decodeMessage(SCHEMA, 'ResourceFieldSelector', new Uint8Array()), { resource: '', divisor: '0' });
  assert.deepEqual(decodeMessage(SCHEMA, 'Volume', new Uint8Array()), { name: '' }, 'the inline VolumeSource adds nothing when empty');
});

test('pinned field numbers (k8s.io/api and apimachinery v0.32.0)', () => {
  const num = (message: string, json: string) => SCHEMA.get(message)?.fields.find((f) => f.json === json)?.number;
  const pins: [string, string, number][] = [
    ['ObjectMeta', 'name', 1], ['ObjectMeta', 'namespace', 3], ['ObjectMeta', 'creationTimestamp', 8], ['ObjectMeta', 'labels', 11],
    ['ObjectMeta', 'annotations', 12], ['ObjectMeta', 'ownerReferences', 13], ['ObjectMeta', 'managedFields', 17],
    ['OwnerReference', 'apiVersion', 5], ['OwnerReference', 'uid', 4], ['LabelSelector', 'matchExpressions', 2],
    ['PodSpec', 'containers', 2], ['PodSpec', 'initContainers', 20], ['PodSpec', 'restartPolicy', 3], ['PodSpec', 'resources', 40],
    ['Container', 'image', 2], ['Container', 'envFrom', 19], ['Container', 'resources', 8], ['Container', 'restartPolicy', 24],
    ['VolumeSource', 'configMap', 19], ['VolumeSource', 'projected', 26], ['VolumeSource', 'csi', 28], ['VolumeSource', 'image', 30],
    ['Secret', 'data', 2], ['Secret', 'type', 3], ['Secret', 'immutable', 5], ['ConfigMap', 'binaryData', 3],
    ['ServiceSpec', 'clusterIPs', 18], ['ServiceSpec', 'trafficDistribution', 23], ['ServicePort', 'targetPort', 4], ['ServicePort', 'appProtocol', 6],
    ['DeploymentSpec', 'progressDeadlineSeconds', 9], ['JobSpec', 'template', 6], ['JobSpec', 'managedBy', 15], ['CronJobSpec', 'timeZone', 8],
    ['PolicyRule', 'nonResourceURLs', 5], ['IngressSpec', 'ingressClassName', 4], ['IngressBackend', 'service', 4],
    ['DeleteOptions', 'propagationPolicy', 4], ['TokenRequestSpec', 'expirationSeconds', 4],
  ];
  for (const [message, json, n] of pins) assert.equal(num(message, json), n, `${message}.${json}`);
});
