// Update rules: what may not change once an object exists.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyDefaults } from '../../../../src/cluster/resources/defaults/index.js';
import { validateUpdate, cronScheduleError } from '../../../../src/cluster/resources/validation/index.js';
import { generateObjectName } from '../../../../src/cluster/resources/generate-name.js';
import { compareQuantities, parseQuantity } from '../../../../src/cluster/resources/quantity.js';
import type { GroupVersionKind, KubeObject } from '../../../../src/cluster/resources/types.js';

const core = (kind: string) => ({ group: '', version: 'v1', kind });
const apps = (kind: string) => ({ group: 'apps', version: 'v1', kind });
const batch = (kind: string) => ({ group: 'batch', version: 'v1', kind });

function stored(gvk: GroupVersionKind, obj: KubeObject): KubeObject {
  const o = applyDefaults(gvk, obj);
  o.metadata = { uid: 'u1', resourceVersion: '5', creationTimestamp: '2024-01-01T00:00:00Z', ...o.metadata };
  return o;
}
function change(obj: KubeObject, edit: (o: KubeObject) => void): KubeObject {
  const copy = structuredClone(obj);
  edit(copy);
  return copy;
}
const messages = (gvk: GroupVersionKind, next: KubeObject, old: KubeObject) =>
  validateUpdate(gvk, next, old).map((c) => `${c.field}: ${c.message}`);

const podGvk = core('Pod');
const pod = stored(podGvk, {
  metadata: { name: 'p', namespace: 'default' },
  spec: { containers: [{ name: 'web', image: 'nginx:1.24', ports: [{ containerPort: 80 }] }] },
});

test('a pod may change its image, labels and add tolerations', () => {
  assert.deepEqual(
    messages(
      podGvk,
      change(pod, (o) => (o.spec.containers[0].image = 'nginx:1.25')),
      pod,
    ),
    [],
  );
  assert.deepEqual(
    messages(
      podGvk,
      change(pod, (o) => (o.metadata.labels = { a: 'b' })),
      pod,
    ),
    [],
  );
  assert.deepEqual(
    messages(
      podGvk,
      change(pod, (o) => o.spec.tolerations.push({ key: 'x', operator: 'Exists' })),
      pod,
    ),
    [],
  );
  assert.deepEqual(
    messages(
      podGvk,
      change(pod, (o) => (o.spec.activeDeadlineSeconds = 60)),
      pod,
    ),
    [],
  );
});

test('any other pod spec change is forbidden', () => {
  const expected =
    'spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';
  assert.deepEqual(
    messages(
      podGvk,
      change(pod, (o) => (o.spec.containers[0].ports[0].containerPort = 8080)),
      pod,
    ),
    [expected],
  );
  assert.deepEqual(
    messages(
      podGvk,
      change(pod, (o) => (o.spec.tolerations = [])),
      pod,
    ),
    [expected],
    'tolerations may not be removed',
  );
});

test('identity metadata is immutable', () => {
  assert.deepEqual(
    messages(
      podGvk,
      change(pod, (o) => (o.metadata.uid = 'u2')),
      pod,
    ),
    ['metadata.uid: Invalid value: "u2": field is immutable'],
  );
  assert.deepEqual(
    messages(
      podGvk,
      change(pod, (o) => (o.metadata.name = 'q')),
      pod,
    ),
    ['metadata.name: Invalid value: "q": field is immutable'],
  );
  const deleting = change(pod, (o) => {
    o.metadata.deletionTimestamp = '2024-01-02T00:00:00Z';
    o.metadata.finalizers = ['a.io/x'];
  });
  assert.deepEqual(
    messages(
      podGvk,
      change(deleting, (o) => o.metadata.finalizers.push('b.io/y')),
      deleting,
    ),
    [
      'metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"b.io/y"}',
    ],
  );
  assert.deepEqual(
    messages(
      podGvk,
      change(deleting, (o) => (o.metadata.finalizers = [])),
      deleting,
    ),
    [],
    'finalizers may be removed',
  );
});

test('workload selectors are immutable', () => {
  const gvk = apps('Deployment');
  const d = stored(gvk, {
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web', tier: 'a' } }, spec: { containers: [{ name: 'c', image: 'x' }] } },
    },
  });
  assert.deepEqual(
    messages(
      gvk,
      change(d, (o) => (o.spec.replicas = 5)),
      d,
    ),
    [],
  );
  assert.deepEqual(
    messages(
      gvk,
      change(d, (o) => (o.spec.selector.matchLabels = { tier: 'a' })),
      d,
    ),
    [
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"tier":"a"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
    ],
  );
});

test('statefulset: only some spec fields may change', () => {
  const gvk = apps('StatefulSet');
  const s = stored(gvk, {
    metadata: { name: 'db', namespace: 'default' },
    spec: {
      serviceName: 'db',
      selector: { matchLabels: { app: 'db' } },
      template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'c', image: 'x' }] } },
    },
  });
  assert.deepEqual(
    messages(
      gvk,
      change(s, (o) => (o.spec.replicas = 3)),
      s,
    ),
    [],
  );
  assert.deepEqual(
    messages(
      gvk,
      change(s, (o) => (o.spec.serviceName = 'other')),
      s,
    ),
    [
      "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    ],
  );
});

test('job template and completions are immutable', () => {
  const gvk = batch('Job');
  const j = stored(gvk, {
    metadata: { name: 'pi', namespace: 'default' },
    spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'perl' }] } } },
  });
  const errs = messages(
    gvk,
    change(j, (o) => (o.spec.template.spec.containers[0].image = 'perl:2')),
    j,
  );
  assert.equal(errs.length, 1);
  assert.match(errs[0]!, /^spec\.template: Invalid value: .*: field is immutable$/);
  assert.deepEqual(
    messages(
      gvk,
      change(j, (o) => (o.spec.completions = 3)),
      j,
    ),
    ['spec.completions: Invalid value: 3: field is immutable'],
  );
  assert.deepEqual(
    messages(
      gvk,
      change(j, (o) => (o.spec.suspend = true)),
      j,
    ),
    [],
  );
});

test('service clusterIP may not change once set', () => {
  const gvk = core('Service');
  const s = stored(gvk, {
    metadata: { name: 'web', namespace: 'default' },
    spec: { clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], ports: [{ port: 80 }] },
  });
  assert.deepEqual(
    messages(
      gvk,
      change(s, (o) => (o.spec.ports[0].port = 81)),
      s,
    ),
    [],
  );
  assert.deepEqual(
    messages(
      gvk,
      change(s, (o) => ((o.spec.clusterIP = '10.96.0.11'), (o.spec.clusterIPs = ['10.96.0.11']))),
      s,
    ),
    ['spec.clusterIPs[0]: Invalid value: []string{"10.96.0.11"}: may not change once set'],
  );
});

test('immutable configmaps and secrets; secret type', () => {
  const cm = stored(core('ConfigMap'), {
    metadata: { name: 'c', namespace: 'default' },
    data: { a: '1' },
    immutable: true,
  });
  assert.deepEqual(
    messages(
      core('ConfigMap'),
      change(cm, (o) => (o.data.a = '2')),
      cm,
    ),
    ['data: Forbidden: field is immutable when `immutable` is set'],
  );
  const sec = stored(core('Secret'), { metadata: { name: 's', namespace: 'default' }, data: { a: 'eA==' } });
  assert.deepEqual(
    messages(
      core('Secret'),
      change(sec, (o) => (o.type = 'kubernetes.io/basic-auth')),
      sec,
    ),
    ['type: Invalid value: "kubernetes.io/basic-auth": field is immutable'],
  );
});

test('pvc spec is frozen except storage requests', () => {
  const gvk = core('PersistentVolumeClaim');
  const p = stored(gvk, {
    metadata: { name: 'd', namespace: 'default' },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
  });
  assert.deepEqual(
    messages(
      gvk,
      change(p, (o) => (o.spec.resources.requests.storage = '2Gi')),
      p,
    ),
    [],
  );
  assert.deepEqual(
    messages(
      gvk,
      change(p, (o) => (o.spec.accessModes = ['ReadWriteMany'])),
      p,
    ),
    ['spec: Forbidden: spec is immutable after creation except resources.requests for bound claims'],
  );
});

test('role bindings may not change their role', () => {
  const gvk = { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'RoleBinding' };
  const rb = stored(gvk, {
    metadata: { name: 'rb', namespace: 'default' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'a' },
    subjects: [],
  });
  assert.deepEqual(
    messages(
      gvk,
      change(rb, (o) => (o.roleRef.name = 'b')),
      rb,
    ),
    [
      'roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"Role", Name:"b"}: cannot change roleRef',
    ],
  );
});

test('cron schedules', () => {
  for (const ok of [
    '* * * * *',
    '*/15 0-6 * * MON-FRI',
    '0 0 1 jan *',
    '5/10 * * * *',
    '0 12 ? * sun',
    '@daily',
    '@every 1h30m',
  ]) {
    assert.equal(cronScheduleError(ok), undefined, ok);
  }
  assert.equal(cronScheduleError(''), 'empty spec string');
  assert.equal(cronScheduleError('* * *'), 'expected exactly 5 fields, found 3: [* * *]');
  assert.equal(cronScheduleError('x * * * *'), 'failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax');
  assert.equal(cronScheduleError('* 25 * * *'), 'end of range (25) above maximum (23): 25');
  assert.equal(cronScheduleError('* * 0 * *'), 'beginning of range (0) below minimum (1): 0');
  assert.equal(cronScheduleError('5-1 * * * *'), 'beginning of range (5) beyond end of range (1): 5-1');
  assert.equal(cronScheduleError('*/0 * * * *'), 'step of range should be a positive number: */0');
  assert.equal(cronScheduleError('1-2-3 * * * *'), 'too many hyphens: 1-2-3');
  assert.equal(cronScheduleError('@fortnightly'), 'unrecognized descriptor: @fortnightly');
});

test('quantities', () => {
  assert.deepEqual(parseQuantity('500m'), { ok: true, value: 0.5 });
  assert.deepEqual(parseQuantity('1Gi'), { ok: true, value: 2 ** 30 });
  assert.deepEqual(parseQuantity('2e3'), { ok: true, value: 2000 });
  assert.deepEqual(parseQuantity(3), { ok: true, value: 3 });
  assert.equal(parseQuantity('1Gb').ok, false);
  assert.equal(parseQuantity('abc').ok, false);
  assert.equal(compareQuantities('1', '1000m'), 0);
  assert.equal(compareQuantities('0.1', '100m'), 0);
  assert.equal(compareQuantities('1Gi', '1G'), 1);
  assert.equal(compareQuantities('x', '1'), undefined);
});

test('generated names', () => {
  let i = 0;
  assert.equal(
    generateObjectName('web-', () => i++),
    'web-bcdfg',
  );
  const long = generateObjectName('a'.repeat(80));
  assert.equal(long.length, 63);
  assert.match(generateObjectName('x-'), /^x-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
});
