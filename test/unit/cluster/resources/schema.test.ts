import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  strictDecodingMessage,
  unknownFields,
  unknownFieldWarnings,
} from '../../../../src/cluster/resources/schema.js';

const pod = { group: '', version: 'v1', kind: 'Pod' };
const deploy = { group: 'apps', version: 'v1', kind: 'Deployment' };

test('a valid object has no unknown fields, whatever its map keys', () => {
  const obj = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'p',
      labels: { 'any/key': 'v' },
      annotations: { a: 'b' },
      managedFields: [{ manager: 'kubectl', fieldsV1: { 'f:spec': {} } }],
    },
    spec: {
      containers: [
        {
          name: 'c',
          image: 'x',
          ports: [{ containerPort: 80 }],
          resources: { limits: { cpu: '1', 'example.com/gpu': '1' } },
          env: [{ name: 'A', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
        },
      ],
      nodeSelector: { zone: 'a' },
    },
    status: { phase: 'Pending', conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: null }] },
  };
  assert.deepEqual(unknownFields(pod, obj), []);
});

test('unknown fields are found at any depth, with Kubernetes paths', () => {
  const obj = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd', colour: 'red' },
    spec: {
      replicas: 1,
      foo: 1,
      template: {
        metadata: { labels: { a: 'b' } },
        spec: {
          containers: [
            { name: 'a', image: 'x' },
            {
              name: 'b',
              image: 'y',
              bogus: true,
              ports: [{ containerPort: 80, hostname: 'h' }],
              livenessProbe: { httpGet: { port: 80, verb: 'GET' } },
            },
          ],
        },
      },
    },
  };
  assert.deepEqual(unknownFields(deploy, obj), [
    'metadata.colour',
    'spec.foo',
    'spec.template.spec.containers[1].bogus',
    'spec.template.spec.containers[1].ports[0].hostname',
    'spec.template.spec.containers[1].livenessProbe.httpGet.verb',
  ]);
});

test('the other kinds have schemas too', () => {
  assert.deepEqual(unknownFields({ group: '', version: 'v1', kind: 'ConfigMap' }, { data: { a: 'b' }, dta: {} }), [
    'dta',
  ]);
  assert.deepEqual(
    unknownFields(
      { group: 'batch', version: 'v1', kind: 'CronJob' },
      { spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec: { containerz: [] } } } } } },
    ),
    ['spec.jobTemplate.spec.template.spec.containerz'],
  );
  assert.deepEqual(
    unknownFields({ group: 'autoscaling', version: 'v1', kind: 'HorizontalPodAutoscaler' }, { spec: { metrics: [] } }),
    ['spec.metrics'],
    'metrics is v2 only',
  );
  assert.deepEqual(
    unknownFields({ group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler' }, { spec: { metrics: [] } }),
    [],
  );
  assert.deepEqual(unknownFields({ group: 'x', version: 'v1', kind: 'Nope' }, { a: 1 }), []);
});

test('messages for Strict and Warn', () => {
  assert.equal(strictDecodingMessage(['spec.foo']), 'strict decoding error: unknown field "spec.foo"');
  assert.equal(
    strictDecodingMessage(['spec.foo', 'spec.bar']),
    'strict decoding error: unknown field "spec.foo", unknown field "spec.bar"',
  );
  assert.deepEqual(unknownFieldWarnings(['a']), ['unknown field "a"']);
});
