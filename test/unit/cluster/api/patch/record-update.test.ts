import { test } from 'node:test';
import assert from 'node:assert/strict';
import { recordUpdate, applyStrategicMergePatch, ANCIENT_CHANGES } from '../../../../../src/cluster/api/patch/index.js';

const POD = { group: '', version: 'v1', kind: 'Pod' };
const DEPLOYMENT = { group: 'apps', version: 'v1', kind: 'Deployment' };
const at = (h: number) => new Date(Date.UTC(2024, 4, 1, h));
const stored = (obj: any) => ({ ...obj, metadata: { ...obj.metadata, uid: 'u-1', resourceVersion: '9', creationTimestamp: '2024-05-01T00:00:00Z' } });
const entry = (obj: any, manager: string) => obj.metadata.managedFields?.find((e: any) => e.manager === manager);

const container = (name: string, extra: object) => ({
  name,
  image: 'busybox',
  resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } },
  terminationMessagePath: '/dev/termination-log',
  terminationMessagePolicy: 'File',
  imagePullPolicy: 'Always',
  ...extra,
});
// The seeds' two-container pod after defaulting, as `kubectl create -f pod.yaml` creates it.
const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'auto-pod', namespace: 'default' },
  spec: {
    containers: [container('auto-client', { command: ['sh', '-c', 'sleep 1'] }), container('auto-serve', { ports: [{ containerPort: 8080, protocol: 'TCP' }] })],
    restartPolicy: 'Always',
    terminationGracePeriodSeconds: 30,
    dnsPolicy: 'ClusterFirst',
    securityContext: {},
    schedulerName: 'default-scheduler',
  },
  status: { phase: 'Pending', qosClass: 'Burstable' },
};

const containerFields = {
  '.': {},
  'f:image': {},
  'f:imagePullPolicy': {},
  'f:name': {},
  'f:resources': { '.': {}, 'f:limits': { '.': {}, 'f:cpu': {}, 'f:memory': {} }, 'f:requests': { '.': {}, 'f:cpu': {}, 'f:memory': {} } },
  'f:terminationMessagePath': {},
  'f:terminationMessagePolicy': {},
};

test('kubectl create: the creator owns every field it set, with `.` on maps and items it added', () => {
  const out = recordUpdate(undefined, pod, { manager: 'kubectl-create', operation: 'Update', gvk: POD, now: at(10) });
  assert.deepEqual(out.metadata.managedFields, [
    {
      manager: 'kubectl-create',
      operation: 'Update',
      apiVersion: 'v1',
      time: '2024-05-01T10:00:00Z',
      fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:spec': {
          'f:containers': {
            'k:{"name":"auto-client"}': { ...containerFields, 'f:command': {} },
            'k:{"name":"auto-serve"}': {
              ...containerFields,
              'f:ports': { '.': {}, 'k:{"containerPort":8080,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {}, 'f:protocol': {} } },
            },
          },
          'f:dnsPolicy': {},
          'f:restartPolicy': {},
          'f:schedulerName': {},
          'f:securityContext': {},
          'f:terminationGracePeriodSeconds': {},
        },
      },
    },
  ]);
  assert.equal(JSON.stringify(out.metadata.managedFields[0].fieldsV1['f:spec']['f:containers']['k:{"name":"auto-client"}']).indexOf('f:command') > 0, true);
  assert.deepEqual(pod.metadata, { name: 'auto-pod', namespace: 'default' }, 'the input is not modified');
});

test('an edit takes the fields it changes from their previous owner', () => {
  const deploy = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd', namespace: 'default', labels: { app: 'd' } },
    spec: { replicas: 1, selector: { matchLabels: { app: 'd' } }, template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c', image: 'v1' }] } } },
  };
  const created = stored(recordUpdate(undefined, deploy, { manager: 'kubectl-client-side-apply', gvk: DEPLOYMENT, now: at(10) }));
  const csa = entry(created, 'kubectl-client-side-apply').fieldsV1;
  assert.deepEqual(Object.keys(csa['f:spec']), ['f:replicas', 'f:selector', 'f:template']);
  assert.deepEqual(csa['f:metadata'], { 'f:labels': { '.': {}, 'f:app': {} } });
  const patched = applyStrategicMergePatch(created, { spec: { replicas: 3 } }, DEPLOYMENT);
  const edited = recordUpdate(created, patched, { manager: 'kubectl-edit', gvk: DEPLOYMENT, now: at(11) });
  assert.deepEqual(entry(edited, 'kubectl-edit'), {
    manager: 'kubectl-edit',
    operation: 'Update',
    apiVersion: 'apps/v1',
    time: '2024-05-01T11:00:00Z',
    fieldsType: 'FieldsV1',
    fieldsV1: { 'f:spec': { 'f:replicas': {} } },
  });
  assert.equal(entry(edited, 'kubectl-client-side-apply').fieldsV1['f:spec']['f:replicas'], undefined);
  assert.equal(entry(edited, 'kubectl-client-side-apply').time, '2024-05-01T10:00:00Z');
  assert.deepEqual(edited.metadata.managedFields.map((e: any) => e.manager), ['kubectl-client-side-apply', 'kubectl-edit'], 'ordered by time');
  // A write that changes nothing attributable (here only server metadata) leaves the entries alone.
  const again = recordUpdate(stored(edited), { ...stored(edited), metadata: { ...stored(edited).metadata, resourceVersion: '10', generation: 2 } }, { manager: 'kubectl-edit', gvk: DEPLOYMENT, now: at(12) });
  assert.deepEqual(again.metadata.managedFields, edited.metadata.managedFields);
  // Removing a field takes it from its owner.
  const noLabels = structuredClone(stored(edited));
  delete noLabels.metadata.labels;
  const removed = recordUpdate(stored(edited), noLabels, { manager: 'kubectl-edit', gvk: DEPLOYMENT, now: at(12) });
  assert.equal(entry(removed, 'kubectl-client-side-apply').fieldsV1['f:metadata'], undefined);
  assert.equal(entry(removed, 'kubectl-edit').time, '2024-05-01T11:00:00Z', 'a pure removal gives the writer nothing new');
});

test('status written through the main resource is not attributed; the status subresource owns it', () => {
  const created = stored(recordUpdate(undefined, pod, { manager: 'kubectl-create', gvk: POD, now: at(10) }));
  const running = { ...created, status: { ...created.status, phase: 'Running', podIP: '10.0.0.5' } };
  const viaMain = recordUpdate(created, running, { manager: 'someone', gvk: POD, now: at(11) });
  assert.equal(entry(viaMain, 'someone'), undefined);
  const viaStatus = recordUpdate(created, running, { manager: 'berth-node', gvk: POD, now: at(11), subresource: 'status' });
  assert.deepEqual(entry(viaStatus, 'berth-node'), {
    manager: 'berth-node',
    operation: 'Update',
    apiVersion: 'v1',
    time: '2024-05-01T11:00:00Z',
    fieldsType: 'FieldsV1',
    fieldsV1: { 'f:status': { 'f:phase': {}, 'f:podIP': {} } },
    subresource: 'status',
  });
});

test('kubectl scale records a scale-subresource entry that owns replicas', () => {
  const deploy = stored(recordUpdate(undefined, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { replicas: 1 } }, { manager: 'kubectl-create', gvk: DEPLOYMENT, now: at(10) }));
  const scaled = recordUpdate(deploy, { ...deploy, spec: { replicas: 5 } }, { manager: 'kubectl', gvk: DEPLOYMENT, now: at(11), subresource: 'scale' });
  assert.deepEqual(entry(scaled, 'kubectl'), {
    manager: 'kubectl',
    operation: 'Update',
    apiVersion: 'apps/v1',
    time: '2024-05-01T11:00:00Z',
    fieldsType: 'FieldsV1',
    fieldsV1: { 'f:spec': { 'f:replicas': {} } },
    subresource: 'scale',
  });
  assert.equal(entry(scaled, 'kubectl-create'), undefined, 'kubectl-create owned only replicas');
});

test('managedFields written by the client are honoured; [{}] resets; untracked objects stay untracked', () => {
  const created = stored(recordUpdate(undefined, pod, { manager: 'kubectl-create', gvk: POD, now: at(10) }));
  const custom = [{ manager: 'mine', operation: 'Apply', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:dnsPolicy': {} } } }];
  const rewritten = recordUpdate(created, { ...created, metadata: { ...created.metadata, managedFields: custom } }, { manager: 'x', gvk: POD, now: at(11) });
  assert.deepEqual(rewritten.metadata.managedFields, custom);
  const reset = recordUpdate(created, { ...created, metadata: { ...created.metadata, managedFields: [{}] } }, { manager: 'x', gvk: POD, now: at(11) });
  assert.equal(reset.metadata.managedFields, undefined);
  const untracked = structuredClone(created);
  delete untracked.metadata.managedFields;
  const next = recordUpdate(untracked, { ...untracked, spec: { ...untracked.spec, activeDeadlineSeconds: 5 } }, { manager: 'x', gvk: POD, now: at(12) });
  assert.equal(next.metadata.managedFields, undefined);
  // Clients that send no managedFields keep the live ones.
  const plain = structuredClone(created);
  delete plain.metadata.managedFields;
  assert.deepEqual(recordUpdate(created, plain, { manager: 'x', gvk: POD, now: at(12) }).metadata.managedFields, created.metadata.managedFields);
});

test('more than ten updaters: the oldest merge into ancient-changes', () => {
  let obj: any = stored(recordUpdate(undefined, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: {} }, spec: {} }, { manager: 'm0', gvk: POD, now: at(0) }));
  for (let i = 1; i <= 11; i++) {
    obj = stored(recordUpdate(obj, { ...obj, metadata: { ...obj.metadata, labels: { ...obj.metadata.labels, [`l${i}`]: 'x' } } }, { manager: `m${i}`, gvk: POD, now: at(i) }));
  }
  const managers = obj.metadata.managedFields.map((e: any) => e.manager);
  assert.equal(managers.length, 10);
  assert.ok(managers.includes(ANCIENT_CHANGES));
  assert.ok(!managers.includes('m0') && !managers.includes('m1') && !managers.includes('m2'), 'the three oldest are folded');
  const ancient = entry(obj, ANCIENT_CHANGES);
  // m0 created the (empty) labels map, m1 and m2 added l1 and l2; the bucket keeps the newest time.
  assert.deepEqual(Object.keys(ancient.fieldsV1['f:metadata']['f:labels']), ['.', 'f:l1', 'f:l2']);
  assert.equal(ancient.time, '2024-05-01T02:00:00Z');
});

test('an object the schema cannot read loses its managedFields rather than failing the write', () => {
  const created = stored(recordUpdate(undefined, pod, { manager: 'kubectl-create', gvk: POD, now: at(10) }));
  const broken = { ...created, spec: { ...created.spec, containers: [{ image: 'no-name' }] } };
  assert.equal(recordUpdate(created, broken, { manager: 'x', gvk: POD, now: at(11) }).metadata.managedFields, undefined);
});
