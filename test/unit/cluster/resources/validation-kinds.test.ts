// Bad workloads, services, storage and RBAC objects, and the causes kube-apiserver gives for them, checked
// after defaulting; valid objects that must pass; the full Invalid message and Status.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyDefaults } from '../../../../src/cluster/resources/defaults/index.js';
import { invalidMessage, invalidStatus, validateCreate } from '../../../../src/cluster/resources/validation/index.js';
import type { Cause, GroupVersionKind, KubeObject } from '../../../../src/cluster/resources/types.js';

const core = (kind: string) => ({ group: '', version: 'v1', kind });
const apps = (kind: string) => ({ group: 'apps', version: 'v1', kind });
const batch = (kind: string) => ({ group: 'batch', version: 'v1', kind });
const rbac = (kind: string) => ({ group: 'rbac.authorization.k8s.io', version: 'v1', kind });

const meta = (name = 'x', extra: object = {}) => ({ name, namespace: 'default', ...extra });
const pod = (spec: object, m: object = meta()): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: m, spec });
const ctr = (extra: object = {}) => ({ name: 'web', image: 'nginx', ...extra });
const tmpl = (labels: object, spec: object = { containers: [ctr()] }) => ({ metadata: { labels }, spec });
const deploy = (spec: object): KubeObject => ({
  metadata: meta('web'),
  spec: { selector: { matchLabels: { app: 'web' } }, template: tmpl({ app: 'web' }), ...spec },
});
const job = (spec: object): KubeObject => ({
  metadata: meta('pi'),
  spec: { template: tmpl({}, { containers: [ctr()], restartPolicy: 'Never' }), ...spec },
});
const cron = (spec: object): KubeObject => ({
  metadata: meta('tick'),
  spec: {
    schedule: '*/5 * * * *',
    jobTemplate: { spec: { template: tmpl({}, { containers: [ctr()], restartPolicy: 'OnFailure' }) } },
    ...spec,
  },
});
const svc = (spec: object, name = 'web'): KubeObject => ({
  metadata: meta(name),
  spec: { selector: { app: 'web' }, ports: [{ port: 80 }], ...spec },
});

type Case = [
  title: string,
  gvk: GroupVersionKind,
  obj: KubeObject,
  expected: [field: string, reason: Cause['reason'], message: string][],
];

const cases: Case[] = [
  [
    'deployment selector does not match template',
    apps('Deployment'),
    deploy({ template: tmpl({ app: 'other' }) }),
    [
      [
        'spec.template.metadata.labels',
        'FieldValueInvalid',
        'Invalid value: map[string]string{"app":"other"}: `selector` does not match template `labels`',
      ],
    ],
  ],
  [
    'deployment without selector',
    apps('Deployment'),
    deploy({ selector: undefined }),
    [['spec.selector', 'FieldValueRequired', 'Required value']],
  ],
  [
    'deployment with empty selector',
    apps('Deployment'),
    deploy({ selector: {} }),
    [
      [
        'spec.selector',
        'FieldValueInvalid',
        'Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment',
      ],
    ],
  ],
  [
    'deployment with negative replicas',
    apps('Deployment'),
    deploy({ replicas: -1 }),
    [['spec.replicas', 'FieldValueInvalid', 'Invalid value: -1: must be greater than or equal to 0']],
  ],
  [
    'deployment template restartPolicy Never',
    apps('Deployment'),
    deploy({ template: tmpl({ app: 'web' }, { containers: [ctr()], restartPolicy: 'Never' }) }),
    [
      [
        'spec.template.spec.restartPolicy',
        'FieldValueNotSupported',
        'Unsupported value: "Never": supported values: "Always"',
      ],
    ],
  ],
  [
    'deployment strategy type',
    apps('Deployment'),
    deploy({ strategy: { type: 'Blue' } }),
    [
      [
        'spec.strategy.type',
        'FieldValueNotSupported',
        'Unsupported value: "Blue": supported values: "Recreate", "RollingUpdate"',
      ],
    ],
  ],
  [
    'statefulset pod management policy',
    apps('StatefulSet'),
    {
      metadata: meta('db'),
      spec: { selector: { matchLabels: { app: 'db' } }, template: tmpl({ app: 'db' }), podManagementPolicy: 'Random' },
    },
    [
      [
        'spec.podManagementPolicy',
        'FieldValueNotSupported',
        'Unsupported value: "Random": supported values: "OrderedReady", "Parallel"',
      ],
    ],
  ],
  [
    'job template restartPolicy defaulted to Always',
    batch('Job'),
    job({ template: tmpl({}, { containers: [ctr()] }) }),
    [
      [
        'spec.template.spec.restartPolicy',
        'FieldValueNotSupported',
        'Unsupported value: "Always": supported values: "OnFailure", "Never"',
      ],
    ],
  ],
  [
    'job with negative backoffLimit',
    batch('Job'),
    job({ backoffLimit: -2 }),
    [['spec.backoffLimit', 'FieldValueInvalid', 'Invalid value: -2: must be greater than or equal to 0']],
  ],
  [
    'cronjob schedule with too few fields',
    batch('CronJob'),
    cron({ schedule: 'every minute' }),
    [
      [
        'spec.schedule',
        'FieldValueInvalid',
        'Invalid value: "every minute": expected exactly 5 fields, found 2: [every minute]',
      ],
    ],
  ],
  [
    'cronjob minute out of range',
    batch('CronJob'),
    cron({ schedule: '0-70 * * * *' }),
    [
      [
        'spec.schedule',
        'FieldValueInvalid',
        'Invalid value: "0-70 * * * *": end of range (70) above maximum (59): 0-70',
      ],
    ],
  ],
  [
    'cronjob concurrency policy',
    batch('CronJob'),
    cron({ concurrencyPolicy: 'Sometimes' }),
    [
      [
        'spec.concurrencyPolicy',
        'FieldValueNotSupported',
        'Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"',
      ],
    ],
  ],
  [
    'cronjob name too long',
    batch('CronJob'),
    { ...cron({}), metadata: meta('c'.repeat(53)) },
    [['metadata.name', 'FieldValueInvalid', `Invalid value: "${'c'.repeat(53)}": must be no more than 52 characters`]],
  ],
  [
    'service without ports',
    core('Service'),
    svc({ ports: [] }),
    [['spec.ports', 'FieldValueRequired', 'Required value']],
  ],
  [
    'service type',
    core('Service'),
    svc({ type: 'Internal' }),
    [
      [
        'spec.type',
        'FieldValueNotSupported',
        'Unsupported value: "Internal": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
      ],
    ],
  ],
  [
    'service port zero',
    core('Service'),
    svc({ ports: [{ port: 0, targetPort: 80 }] }),
    [['spec.ports[0].port', 'FieldValueInvalid', 'Invalid value: 0: must be between 1 and 65535, inclusive']],
  ],
  [
    'unnamed ports of a multi-port service',
    core('Service'),
    svc({ ports: [{ port: 80 }, { name: 'https', port: 443 }] }),
    [['spec.ports[0].name', 'FieldValueRequired', 'Required value']],
  ],
  [
    'service name starting with a digit',
    core('Service'),
    svc({}, '1web'),
    [
      [
        'metadata.name',
        'FieldValueInvalid',
        `Invalid value: "1web": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`,
      ],
    ],
  ],
  [
    'nodePort on a ClusterIP service',
    core('Service'),
    svc({ ports: [{ port: 80, nodePort: 30080 }] }),
    [['spec.ports[0].nodePort', 'FieldValueForbidden', "Forbidden: may not be used when `type` is 'ClusterIP'"]],
  ],
  [
    'configmap key with a space',
    core('ConfigMap'),
    { metadata: meta('c'), data: { 'bad key': 'v' } },
    [
      [
        'data[bad key]',
        'FieldValueInvalid',
        `Invalid value: "bad key": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`,
      ],
    ],
  ],
  [
    'tls secret without key',
    core('Secret'),
    { metadata: meta('s'), type: 'kubernetes.io/tls', data: { 'tls.crt': 'eA==' } },
    [['data[tls.key]', 'FieldValueRequired', 'Required value']],
  ],
  [
    'pvc without storage request',
    core('PersistentVolumeClaim'),
    { metadata: meta('data'), spec: { accessModes: ['ReadWriteOnce'] } },
    [['spec.resources[storage]', 'FieldValueRequired', 'Required value']],
  ],
  [
    'pvc without access modes',
    core('PersistentVolumeClaim'),
    { metadata: meta('data'), spec: { resources: { requests: { storage: '1Gi' } } } },
    [['spec.accessModes', 'FieldValueRequired', 'Required value: at least 1 access mode is required']],
  ],
  [
    'role binding to an unknown kind',
    rbac('RoleBinding'),
    {
      metadata: meta('rb'),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'x' },
      subjects: [{ kind: 'User', name: 'u' }],
    },
    [['roleRef.kind', 'FieldValueNotSupported', 'Unsupported value: "Group": supported values: "ClusterRole", "Role"']],
  ],
  [
    'role rule without verbs',
    rbac('Role'),
    { metadata: meta('r'), rules: [{ apiGroups: [''], resources: ['pods'] }] },
    [['rules[0].verbs', 'FieldValueRequired', 'Required value: verbs must contain at least one value']],
  ],
  [
    'rbac name with a slash',
    rbac('ClusterRole'),
    { metadata: { name: 'a/b' }, rules: [] },
    [['metadata.name', 'FieldValueInvalid', `Invalid value: "a/b": may not contain '/'`]],
  ],
  [
    'hpa with max below min',
    { group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler' },
    {
      metadata: meta('h'),
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
        minReplicas: 3,
        maxReplicas: 2,
      },
    },
    [['spec.maxReplicas', 'FieldValueInvalid', 'Invalid value: 2: must be greater than or equal to `minReplicas`']],
  ],
  [
    'toleration Exists with a value',
    core('Pod'),
    pod({ containers: [ctr()], tolerations: [{ key: 'k', operator: 'Exists', value: 'v' }] }),
    [
      [
        'spec.tolerations[0].value',
        'FieldValueInvalid',
        `Invalid value: "v": value must be empty when \`operator\` is 'Exists'`,
      ],
    ],
  ],
];

for (const [title, gvk, obj, expected] of cases) {
  test(`invalid: ${title}`, () => {
    const causes = validateCreate(gvk, applyDefaults(gvk, obj));
    for (const [field, reason, message] of expected) {
      assert.ok(
        causes.some((c) => c.field === field && c.reason === reason && c.message === message),
        `expected ${field}: ${message}\n got: ${JSON.stringify(causes, null, 1)}`,
      );
    }
  });
}

const valid: [string, GroupVersionKind, KubeObject][] = [
  [
    'pod',
    core('Pod'),
    pod({
      containers: [
        ctr({
          ports: [{ name: 'http', containerPort: 80 }],
          resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '1', memory: '128Mi' } },
        }),
      ],
    }),
  ],
  ['deployment', apps('Deployment'), deploy({})],
  ['job', batch('Job'), job({})],
  ['cronjob', batch('CronJob'), cron({ schedule: '@hourly' })],
  ['service', core('Service'), svc({})],
  ['headless service', core('Service'), svc({ clusterIP: 'None', ports: [] })],
  ['configmap', core('ConfigMap'), { metadata: meta('c'), data: { 'app.properties': 'a=b' } }],
  ['namespace', core('Namespace'), { metadata: { name: 'team-a' } }],
  [
    'rbac role with colon name',
    rbac('ClusterRole'),
    { metadata: { name: 'system:reader' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] },
  ],
  ['generateName prefix', core('Pod'), pod({ containers: [ctr()] }, { generateName: 'web-', namespace: 'default' })],
];

for (const [title, gvk, obj] of valid) {
  test(`valid: ${title}`, () => {
    assert.deepEqual(validateCreate(gvk, applyDefaults(gvk, obj)), []);
  });
}

test('the Invalid message and Status are worded as kube-apiserver words them', () => {
  const gvk = core('Pod');
  const causes = validateCreate(gvk, applyDefaults(gvk, pod({ containers: [{ name: 'web' }] })));
  assert.equal(invalidMessage(gvk, 'x', causes), 'Pod "x" is invalid: spec.containers[0].image: Required value');
  const d = apps('Deployment');
  const two = validateCreate(d, applyDefaults(d, deploy({ replicas: -1, strategy: { type: 'Blue' } })));
  assert.equal(
    invalidMessage(d, 'web', two),
    'Deployment.apps "web" is invalid: [spec.replicas: Invalid value: -1: must be greater than or equal to 0, spec.strategy.type: Unsupported value: "Blue": supported values: "Recreate", "RollingUpdate"]',
  );
  const status = invalidStatus(d, 'web', two) as any;
  assert.equal(status.code, 422);
  assert.equal(status.reason, 'Invalid');
  assert.deepEqual(status.details, { name: 'web', group: 'apps', kind: 'Deployment', causes: two });
});

test('at least 25 distinct bad objects are covered here and in validation-pod.test.ts', () => {
  assert.ok(cases.length >= 25);
});
