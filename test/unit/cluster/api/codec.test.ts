// Storage-side pieces: the etcd key layout, HPA v1⇄v2 conversion, continue tokens, unknown-field pruning.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findResource } from '../../../../src/cluster/resources/index.js';
import { fromStorage, toStorage } from '../../../../src/cluster/api/codec.js';
import { hpaToV1, hpaToV2 } from '../../../../src/cluster/api/hpa-convert.js';
import { decodeContinue, encodeContinue } from '../../../../src/cluster/api/registry-read.js';
import { pruneFields } from '../../../../src/cluster/api/request-options.js';
import { listPrefix, objectKey, watchPrefixOf } from '../../../../src/cluster/api/storage-keys.js';

test('key layout: /registry/<group|core>/<resource>/[<namespace>/]<name>', () => {
  const pods = findResource('', 'v1', 'pods')!;
  const nodes = findResource('', 'v1', 'nodes')!;
  const deploys = findResource('apps', 'v1', 'deployments')!;
  assert.equal(objectKey(pods, 'default', 'web'), '/registry/core/pods/default/web');
  assert.equal(objectKey(nodes, undefined, 'n1'), '/registry/core/nodes/n1');
  assert.equal(listPrefix(deploys, 'ns'), '/registry/apps/deployments/ns/');
  assert.equal(listPrefix(deploys), '/registry/apps/deployments/');
  assert.equal(watchPrefixOf('/registry/apps/deployments/ns/'), '/registry/apps/deployments/');
  assert.equal(watchPrefixOf('/registry/core/nodes/'), '/registry/core/nodes/');
  const v1 = findResource('autoscaling', 'v1', 'horizontalpodautoscalers')!;
  const v2 = findResource('autoscaling', 'v2', 'horizontalpodautoscalers')!;
  assert.equal(objectKey(v1, 'a', 'h'), objectKey(v2, 'a', 'h'), 'both HPA versions share storage');
});

test('HPA v1 → v2 → v1 keeps everything, v2-only parts ride in annotations', () => {
  const v2 = {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'h' },
    spec: {
      maxReplicas: 5,
      metrics: [
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
        { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '1Gi' } } },
      ],
      behavior: { scaleDown: { stabilizationWindowSeconds: 60 } },
    },
    status: { currentReplicas: 2, desiredReplicas: 3, conditions: [{ type: 'AbleToScale', status: 'True' }] },
  };
  const v1 = hpaToV1(v2);
  assert.equal(v1.apiVersion, 'autoscaling/v1');
  assert.equal(v1.spec.targetCPUUtilizationPercentage, 70);
  assert.equal(v1.spec.metrics, undefined);
  assert.ok(v1.metadata.annotations['autoscaling.alpha.kubernetes.io/metrics']);
  assert.deepEqual(hpaToV2(v1), v2);
  const info = findResource('autoscaling', 'v1', 'horizontalpodautoscalers')!;
  const stored = toStorage(info, v1);
  assert.equal(stored.apiVersion, 'autoscaling/v2');
  const read = fromStorage(info, { value: stored, modRevision: 42 });
  assert.equal(read.apiVersion, 'autoscaling/v1');
  assert.equal(read.metadata.resourceVersion, '42');
  assert.equal(toStorage(info, read).metadata.resourceVersion, undefined, 'resourceVersion is never stored');
});

test('continue tokens carry the revision and start key', () => {
  const t = encodeContinue(17, 'web\0');
  assert.deepEqual(JSON.parse(Buffer.from(t, 'base64url').toString()), { v: 'meta.k8s.io/v1', rv: 17, start: 'web\0' });
  assert.deepEqual(decodeContinue(t), { rv: 17, start: 'web\0' });
  assert.throws(() => decodeContinue('not-a-token'), /continue key is not valid/);
});

test('unknown fields are pruned at their paths', () => {
  const obj = { spec: { foo: 1, containers: [{ name: 'a', bogus: true }, { name: 'b' }] }, top: 1 };
  assert.deepEqual(pruneFields(obj, ['spec.foo', 'spec.containers[0].bogus', 'top']), { spec: { containers: [{ name: 'a' }, { name: 'b' }] } });
  assert.equal((obj.spec as any).foo, 1, 'the input is untouched');
});
