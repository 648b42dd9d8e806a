// Table columns and cells as kubectl prints them against Kubernetes, for the kinds users list most.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ageOf, humanDuration } from '../../../../src/cluster/api/age.js';
import { buildTable, printerFor } from '../../../../src/cluster/api/table.js';
import { podStatusCells } from '../../../../src/cluster/api/table-pods.js';
import { jobCompletions, jobStatus } from '../../../../src/cluster/api/table-workloads.js';
import { nodeRoles, nodeStatus, serviceExternalIP, servicePorts } from '../../../../src/cluster/api/table-core.js';

const now = new Date('2024-05-01T12:00:00Z');
const ago = (s: number) => new Date(now.getTime() - s * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
const names = (group: string, resource: string) => printerFor({ group, resource }).columns.map((c) => (c.priority ? `(${c.name})` : c.name));

test('ages like kubectl: 5s, 3m2s, 4h, 2d3h, 3y', () => {
  const cases: [number, string][] = [
    [0, '0s'], [5, '5s'], [119, '119s'], [120, '2m'], [182, '3m2s'], [600, '10m'], [179 * 60, '179m'],
    [3 * 3600, '3h'], [4 * 3600 + 5 * 60, '4h5m'], [8 * 3600, '8h'], [47 * 3600, '47h'], [2 * 86400, '2d'],
    [2 * 86400 + 3 * 3600, '2d3h'], [30 * 86400, '30d'], [800 * 86400, '2y70d'], [3000 * 86400, '8y'],
  ];
  for (const [s, want] of cases) assert.equal(humanDuration(s * 1000), want, `${s}s`);
  assert.equal(humanDuration(-500), '0s');
  assert.equal(humanDuration(-5000), '<invalid>');
  assert.equal(ageOf(undefined, now), '<unknown>');
  assert.equal(ageOf(ago(65), now), '65s');
});

test('column sets (wide columns in parentheses)', () => {
  assert.deepEqual(names('', 'pods'), ['Name', 'Ready', 'Status', 'Restarts', 'Age', '(IP)', '(Node)', '(Nominated Node)', '(Readiness Gates)']);
  assert.deepEqual(names('apps', 'deployments'), ['Name', 'Ready', 'Up-to-date', 'Available', 'Age', '(Containers)', '(Images)', '(Selector)']);
  assert.deepEqual(names('apps', 'replicasets'), ['Name', 'Desired', 'Current', 'Ready', 'Age', '(Containers)', '(Images)', '(Selector)']);
  assert.deepEqual(names('', 'services'), ['Name', 'Type', 'Cluster-IP', 'External-IP', 'Port(s)', 'Age', '(Selector)']);
  assert.deepEqual(names('batch', 'jobs'), ['Name', 'Status', 'Completions', 'Duration', 'Age', '(Containers)', '(Images)', '(Selector)']);
  assert.deepEqual(names('batch', 'cronjobs'), ['Name', 'Schedule', 'Timezone', 'Suspend', 'Active', 'Last Schedule', 'Age', '(Containers)', '(Images)', '(Selector)']);
  assert.deepEqual(names('', 'nodes'), ['Name', 'Status', 'Roles', 'Age', 'Version', '(Internal-IP)', '(External-IP)', '(OS-Image)', '(Kernel-Version)', '(Container-Runtime)']);
  assert.deepEqual(names('', 'events'), ['Last Seen', 'Type', 'Reason', 'Object', '(Subobject)', '(Source)', 'Message', '(First Seen)', '(Count)', '(Name)']);
  assert.deepEqual(names('', 'namespaces'), ['Name', 'Status', 'Age']);
  assert.deepEqual(names('', 'persistentvolumes'), ['Name', 'Age'], 'kinds without a printer get Name and Age');
  assert.equal(printerFor({ group: '', resource: 'pods' }).columns[0]!.format, 'name');
});

test('pod status: Pending, container states, init progress, restarts, Terminating', () => {
  const pending = { metadata: { name: 'p', creationTimestamp: ago(5) }, spec: { containers: [{ name: 'a' }, { name: 'b' }] }, status: { phase: 'Pending' } };
  assert.deepEqual(podStatusCells(pending, now), { ready: '0/2', status: 'Pending', restarts: '0' });
  const running = {
    ...pending,
    status: {
      phase: 'Running',
      containerStatuses: [
        { name: 'a', ready: true, restartCount: 0, state: { running: {} } },
        { name: 'b', ready: false, restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { finishedAt: ago(120) } } },
      ],
    },
  };
  assert.deepEqual(podStatusCells(running, now), { ready: '1/2', status: 'CrashLoopBackOff', restarts: '3 (2m ago)' });
  const init = { ...pending, spec: { ...pending.spec, initContainers: [{ name: 'i1' }, { name: 'i2' }] }, status: { phase: 'Pending', initContainerStatuses: [{ name: 'i1', state: { terminated: { exitCode: 0 } } }, { name: 'i2', state: { running: {} } }] } };
  assert.equal(podStatusCells(init, now).status, 'Init:1/2');
  const failedInit = { ...init, status: { phase: 'Pending', initContainerStatuses: [{ name: 'i1', state: { terminated: { exitCode: 2 } } }] } };
  assert.equal(podStatusCells(failedInit, now).status, 'Init:ExitCode:2');
  const done = { ...pending, status: { phase: 'Succeeded', containerStatuses: [{ name: 'a', state: { terminated: { exitCode: 0, reason: 'Completed' } } }] } };
  assert.equal(podStatusCells(done, now).status, 'Completed');
  const deleting = { ...running, metadata: { ...running.metadata, deletionTimestamp: ago(0) } };
  assert.equal(podStatusCells(deleting, now).status, 'Terminating');
});

test('pod rows carry wide cells and PartialObjectMetadata', () => {
  const pod = { metadata: { name: 'web', namespace: 'default', creationTimestamp: ago(30) }, spec: { containers: [{ name: 'c' }], nodeName: 'n1' }, status: { phase: 'Running', podIP: '10.0.0.5' } };
  const t = buildTable({ group: '', resource: 'pods' }, [pod], { now, listMeta: { resourceVersion: '9' } });
  assert.equal(t.kind, 'Table');
  assert.equal(t.apiVersion, 'meta.k8s.io/v1');
  assert.deepEqual(t.metadata, { resourceVersion: '9' });
  assert.deepEqual(t.rows[0].cells, ['web', '0/1', 'Running', '0', '30s', '10.0.0.5', 'n1', '<none>', '<none>']);
  assert.deepEqual(t.rows[0].object, { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: pod.metadata });
  assert.equal(buildTable({ group: '', resource: 'pods' }, [pod], { now, includeObject: 'None' }).rows[0].object, undefined);
  assert.equal(buildTable({ group: '', resource: 'pods' }, [pod], { now, includeObject: 'Object' }).rows[0].object, pod);
});

test('deployment and replicaset cells', () => {
  const d = {
    metadata: { name: 'web', creationTimestamp: ago(200) },
    spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }, { name: 'side', image: 'busybox' }] } } },
    status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
  };
  assert.deepEqual(printerFor({ group: 'apps', resource: 'deployments' }).cells(d, now), ['web', '2/3', 3, 2, '3m20s', 'nginx,side', 'nginx:1.25,busybox', 'app=web']);
  assert.deepEqual(printerFor({ group: 'apps', resource: 'replicasets' }).cells({ ...d, status: { replicas: 3, readyReplicas: 1 } }, now).slice(0, 4), ['web', 3, 3, 1]);
});

test('service cells: cluster IP, external IP by type, ports with node ports, selector', () => {
  const svc = { metadata: { name: 's', creationTimestamp: ago(10) }, spec: { type: 'NodePort', clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }], selector: { app: 'web' } } };
  assert.deepEqual(printerFor({ group: '', resource: 'services' }).cells(svc, now), ['s', 'NodePort', '10.96.0.10', '<none>', '80:30080/TCP,53/UDP', '10s', 'app=web']);
  assert.equal(servicePorts([]), '<none>');
  assert.equal(serviceExternalIP({ spec: { type: 'LoadBalancer' } }), '<pending>');
  assert.equal(serviceExternalIP({ spec: { type: 'LoadBalancer' }, status: { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } } }), '1.2.3.4');
  assert.equal(serviceExternalIP({ spec: { type: 'ExternalName', externalName: 'db.example.com' } }), 'db.example.com');
  const headless = printerFor({ group: '', resource: 'services' }).cells({ metadata: { name: 'h' }, spec: { type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'] } }, now);
  assert.equal(headless[2], 'None');
  assert.equal(headless[6], '<none>');
});

test('job and cronjob cells', () => {
  const job = { metadata: { name: 'j' }, spec: { completions: 3 }, status: { succeeded: 1, startTime: ago(90) } };
  assert.equal(jobStatus(job), 'Running');
  assert.equal(jobCompletions(job), '1/3');
  assert.equal(jobCompletions({ spec: { parallelism: 2 }, status: {} }), '0/1 of 2');
  assert.equal(jobStatus({ status: { conditions: [{ type: 'Complete', status: 'True' }] } }), 'Complete');
  assert.equal(jobStatus({ metadata: { deletionTimestamp: ago(1) }, status: {} }), 'Terminating');
  assert.deepEqual(printerFor({ group: 'batch', resource: 'jobs' }).cells(job, now).slice(0, 4), ['j', 'Running', '1/3', '90s']);
  const cj = { metadata: { name: 'cj', creationTimestamp: ago(60) }, spec: { schedule: '*/5 * * * *', suspend: false, jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox' }] } } } } }, status: {} };
  assert.deepEqual(printerFor({ group: 'batch', resource: 'cronjobs' }).cells(cj, now), ['cj', '*/5 * * * *', '<none>', 'False', 0, '<none>', '60s', 'c', 'busybox', '<none>']);
});

test('node, event and namespace cells', () => {
  const node = { metadata: { name: 'n1', creationTimestamp: ago(100), labels: { 'node-role.kubernetes.io/control-plane': '' } }, spec: { unschedulable: true }, status: { conditions: [{ type: 'Ready', status: 'True' }], nodeInfo: { kubeletVersion: 'v1.32.0' }, addresses: [{ type: 'InternalIP', address: '10.0.0.1' }] } };
  assert.equal(nodeStatus(node), 'Ready,SchedulingDisabled');
  assert.equal(nodeRoles(node), 'control-plane');
  assert.equal(nodeStatus({ status: {} }), 'Unknown');
  assert.deepEqual(printerFor({ group: '', resource: 'nodes' }).cells(node, now).slice(0, 6), ['n1', 'Ready,SchedulingDisabled', 'control-plane', '100s', 'v1.32.0', '10.0.0.1']);
  const ev = { metadata: { name: 'auto-pod.1' }, type: 'Normal', reason: 'Scheduled', message: ' Assigned ', involvedObject: { kind: 'Pod', name: 'auto-pod' }, source: { component: 'default-scheduler' }, firstTimestamp: ago(300), lastTimestamp: ago(30), count: 2 };
  assert.deepEqual(printerFor({ group: '', resource: 'events' }).cells(ev, now), ['30s', 'Normal', 'Scheduled', 'pod/auto-pod', '', 'default-scheduler', 'Assigned', '5m', 2, 'auto-pod.1']);
  assert.deepEqual(printerFor({ group: '', resource: 'namespaces' }).cells({ metadata: { name: 'ns', creationTimestamp: ago(1) }, status: { phase: 'Terminating' } }, now), ['ns', 'Terminating', '1s']);
});
