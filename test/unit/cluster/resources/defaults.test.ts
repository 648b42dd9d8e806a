import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  applyDefaults,
  defaultPullPolicy,
  podQOSClass,
  prepareJobForCreate,
} from '../../../../src/cluster/resources/defaults/index.js';

const core = (kind: string) => ({ group: '', version: 'v1', kind });
const apps = (kind: string) => ({ group: 'apps', version: 'v1', kind });
const batch = (kind: string) => ({ group: 'batch', version: 'v1', kind });
const template = (containers: object[]) => ({ metadata: { labels: { app: 'x' } }, spec: { containers } });

test('image pull policy follows the tag', () => {
  assert.equal(defaultPullPolicy('nginx'), 'Always');
  assert.equal(defaultPullPolicy('nginx:latest'), 'Always');
  assert.equal(defaultPullPolicy('nginx:1.25'), 'IfNotPresent');
  assert.equal(defaultPullPolicy('localhost:5000/nginx'), 'Always', 'a registry port is not a tag');
  assert.equal(defaultPullPolicy('localhost:5000/nginx:1'), 'IfNotPresent');
  assert.equal(defaultPullPolicy(`nginx@sha256:${'a'.repeat(64)}`), 'IfNotPresent');
});

test('a pod gets the defaults kubectl shows', () => {
  const input = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default' },
    spec: {
      containers: [
        {
          name: 'a',
          image: 'nginx',
          ports: [{ containerPort: 80 }],
          resources: { limits: { cpu: '500m', memory: '64Mi' } },
        },
        { name: 'b', image: 'nginx:1.25', livenessProbe: { httpGet: { port: 80 } } },
      ],
      volumes: [{ name: 'scratch' }, { name: 'cfg', configMap: { name: 'c' } }],
    },
  };
  const pod = applyDefaults(core('Pod'), input);
  assert.equal((input.spec.containers[0] as any).imagePullPolicy, undefined, 'input untouched');
  const s = pod.spec;
  assert.equal(s.restartPolicy, 'Always');
  assert.equal(s.terminationGracePeriodSeconds, 30);
  assert.equal(s.dnsPolicy, 'ClusterFirst');
  assert.equal(s.schedulerName, 'default-scheduler');
  assert.deepEqual(s.securityContext, {});
  assert.equal(s.enableServiceLinks, true);
  assert.equal(s.serviceAccountName, 'default');
  assert.equal(s.serviceAccount, 'default');
  assert.equal(s.priority, 0);
  assert.equal(s.preemptionPolicy, 'PreemptLowerPriority');
  assert.deepEqual(
    s.tolerations.map((t: any) => `${t.key}:${t.effect}:${t.tolerationSeconds}`),
    ['node.kubernetes.io/not-ready:NoExecute:300', 'node.kubernetes.io/unreachable:NoExecute:300'],
  );
  const [a, b] = s.containers;
  assert.equal(a.imagePullPolicy, 'Always');
  assert.equal(b.imagePullPolicy, 'IfNotPresent');
  assert.equal(a.terminationMessagePath, '/dev/termination-log');
  assert.equal(a.terminationMessagePolicy, 'File');
  assert.equal(a.ports[0].protocol, 'TCP');
  assert.deepEqual(a.resources.requests, { cpu: '500m', memory: '64Mi' }, 'requests default to limits');
  assert.deepEqual(b.resources, {});
  assert.deepEqual(b.livenessProbe, {
    httpGet: { port: 80, path: '/', scheme: 'HTTP' },
    timeoutSeconds: 1,
    periodSeconds: 10,
    successThreshold: 1,
    failureThreshold: 3,
  });
  assert.deepEqual(s.volumes[0], { name: 'scratch', emptyDir: {} });
  assert.equal(s.volumes[1].configMap.defaultMode, 420);
  assert.equal(pod.status.phase, 'Pending');
  assert.equal(pod.status.qosClass, 'Burstable');
});

test('defaulting keeps what the user set and is idempotent', () => {
  const pod = applyDefaults(core('Pod'), {
    spec: {
      restartPolicy: 'Never',
      serviceAccountName: 'robot',
      containers: [{ name: 'a', image: 'x', imagePullPolicy: 'Never' }],
      tolerations: [{ operator: 'Exists' }],
    },
  });
  assert.equal(pod.spec.restartPolicy, 'Never');
  assert.equal(pod.spec.serviceAccountName, 'robot');
  assert.equal(pod.spec.containers[0].imagePullPolicy, 'Never');
  assert.deepEqual(pod.spec.tolerations, [{ operator: 'Exists' }], 'a wildcard toleration already covers both taints');
  assert.deepEqual(applyDefaults(core('Pod'), pod), pod);
});

test('QoS classes', () => {
  assert.equal(podQOSClass({ containers: [{ name: 'a' }] }), 'BestEffort');
  assert.equal(
    podQOSClass({
      containers: [{ resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1000m', memory: '1Gi' } } }],
    }),
    'Guaranteed',
  );
  assert.equal(podQOSClass({ containers: [{ resources: { limits: { cpu: '1', memory: '1Gi' } } }] }), 'Guaranteed');
  assert.equal(podQOSClass({ containers: [{ resources: { requests: { cpu: '100m' } } }] }), 'Burstable');
});

test('deployment defaults, template included (but no pod admission defaults)', () => {
  const d = applyDefaults(apps('Deployment'), {
    spec: {
      selector: { matchLabels: { app: 'x' } },
      template: template([{ name: 'c', image: 'nginx:1.25', ports: [{ containerPort: 80 }] }]),
    },
  });
  assert.equal(d.spec.replicas, 1);
  assert.deepEqual(d.spec.strategy, {
    type: 'RollingUpdate',
    rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' },
  });
  assert.equal(d.spec.revisionHistoryLimit, 10);
  assert.equal(d.spec.progressDeadlineSeconds, 600);
  const ps = d.spec.template.spec;
  assert.equal(ps.restartPolicy, 'Always');
  assert.equal(ps.dnsPolicy, 'ClusterFirst');
  assert.equal(ps.containers[0].imagePullPolicy, 'IfNotPresent');
  assert.equal(ps.containers[0].ports[0].protocol, 'TCP');
  assert.equal(ps.serviceAccountName, undefined);
  assert.equal(ps.tolerations, undefined);
  const recreate = applyDefaults(apps('Deployment'), { spec: { strategy: { type: 'Recreate' } } });
  assert.deepEqual(recreate.spec.strategy, { type: 'Recreate' });
});

test('replicaset, daemonset and statefulset defaults', () => {
  assert.equal(applyDefaults(apps('ReplicaSet'), { spec: {} }).spec.replicas, 1);
  const ds = applyDefaults(apps('DaemonSet'), { spec: { template: template([{ name: 'c', image: 'x' }]) } });
  assert.deepEqual(ds.spec.updateStrategy, {
    type: 'RollingUpdate',
    rollingUpdate: { maxUnavailable: 1, maxSurge: 0 },
  });
  assert.equal(ds.spec.revisionHistoryLimit, 10);
  const sts = applyDefaults(apps('StatefulSet'), {
    spec: { volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: {} }] },
  });
  assert.equal(sts.spec.replicas, 1);
  assert.equal(sts.spec.podManagementPolicy, 'OrderedReady');
  assert.deepEqual(sts.spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
  assert.deepEqual(sts.spec.persistentVolumeClaimRetentionPolicy, { whenDeleted: 'Retain', whenScaled: 'Retain' });
  const pvc = sts.spec.volumeClaimTemplates[0];
  assert.equal(pvc.kind, 'PersistentVolumeClaim');
  assert.equal(pvc.spec.volumeMode, 'Filesystem');
});

test('job and cronjob defaults', () => {
  const job = applyDefaults(batch('Job'), { spec: { template: template([{ name: 'c', image: 'x' }]) } });
  assert.equal(job.spec.completions, 1);
  assert.equal(job.spec.parallelism, 1);
  assert.equal(job.spec.backoffLimit, 6);
  assert.equal(job.spec.completionMode, 'NonIndexed');
  assert.equal(job.spec.suspend, false);
  assert.equal(job.spec.podReplacementPolicy, 'TerminatingOrFailed');
  assert.equal(
    job.spec.template.spec.restartPolicy,
    'Always',
    'defaulted, then refused by validation as in Kubernetes',
  );
  const parallel = applyDefaults(batch('Job'), { spec: { parallelism: 3 } });
  assert.equal(parallel.spec.completions, undefined, 'a work queue has no completion count');
  const cj = applyDefaults(batch('CronJob'), {
    spec: { schedule: '* * * * *', jobTemplate: { spec: { template: template([{ name: 'c', image: 'x' }]) } } },
  });
  assert.equal(cj.spec.concurrencyPolicy, 'Allow');
  assert.equal(cj.spec.suspend, false);
  assert.equal(cj.spec.successfulJobsHistoryLimit, 3);
  assert.equal(cj.spec.failedJobsHistoryLimit, 1);
  assert.equal(cj.spec.jobTemplate.spec.template.spec.terminationGracePeriodSeconds, 30);
  assert.equal(cj.spec.jobTemplate.spec.backoffLimit, undefined, 'job defaults apply to Jobs, not templates');
});

test('prepareJobForCreate generates the uid selector and template labels', () => {
  const job = applyDefaults(batch('Job'), {
    metadata: { name: 'pi' },
    spec: { template: template([{ name: 'c', image: 'x' }]) },
  });
  prepareJobForCreate(job, 'u-1');
  assert.deepEqual(job.spec.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u-1' } });
  assert.equal(job.spec.template.metadata.labels['job-name'], 'pi');
  assert.equal(job.spec.template.metadata.labels['batch.kubernetes.io/controller-uid'], 'u-1');
  assert.equal(job.spec.template.metadata.labels.app, 'x');
  const manual = { spec: { manualSelector: true, selector: { matchLabels: { a: 'b' } } } };
  prepareJobForCreate(manual, 'u-2');
  assert.deepEqual(manual.spec.selector, { matchLabels: { a: 'b' } });
});

test('service defaults', () => {
  const svc = applyDefaults(core('Service'), {
    spec: { selector: { app: 'x' }, ports: [{ port: 80 }, { port: 443, targetPort: 8443, protocol: 'TCP' }] },
  });
  assert.equal(svc.spec.type, 'ClusterIP');
  assert.equal(svc.spec.sessionAffinity, 'None');
  assert.deepEqual(svc.spec.ports[0], { port: 80, protocol: 'TCP', targetPort: 80 });
  assert.equal(svc.spec.ports[1].targetPort, 8443);
  assert.deepEqual(svc.spec.ipFamilies, ['IPv4']);
  assert.equal(svc.spec.ipFamilyPolicy, 'SingleStack');
  assert.equal(svc.spec.internalTrafficPolicy, 'Cluster');
  assert.equal(svc.spec.externalTrafficPolicy, undefined);
  assert.deepEqual(svc.status, { loadBalancer: {} });
  const np = applyDefaults(core('Service'), {
    spec: { type: 'NodePort', sessionAffinity: 'ClientIP', ports: [{ port: 80 }] },
  });
  assert.equal(np.spec.externalTrafficPolicy, 'Cluster');
  assert.equal(np.spec.sessionAffinityConfig.clientIP.timeoutSeconds, 10800);
  const lb = applyDefaults(core('Service'), { spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } });
  assert.equal(lb.spec.allocateLoadBalancerNodePorts, true);
  const ext = applyDefaults(core('Service'), { spec: { type: 'ExternalName', externalName: 'example.com' } });
  assert.equal(ext.spec.ipFamilies, undefined);
});

test('namespace, secret, volume claims, volumes, HPA and bindings', () => {
  const ns = applyDefaults(core('Namespace'), { metadata: { name: 'team' } });
  assert.deepEqual(ns.spec, { finalizers: ['kubernetes'] });
  assert.equal(ns.status.phase, 'Active');
  assert.equal(ns.metadata.labels['kubernetes.io/metadata.name'], 'team');
  assert.equal(applyDefaults(core('Secret'), {}).type, 'Opaque');
  assert.equal(applyDefaults(core('Secret'), { type: 'kubernetes.io/tls' }).type, 'kubernetes.io/tls');
  const pvc = applyDefaults(core('PersistentVolumeClaim'), { spec: { accessModes: ['ReadWriteOnce'] } });
  assert.equal(pvc.spec.volumeMode, 'Filesystem');
  assert.equal(pvc.status.phase, 'Pending');
  assert.equal(applyDefaults(core('PersistentVolume'), { spec: {} }).spec.persistentVolumeReclaimPolicy, 'Retain');
  const hpa2 = applyDefaults(
    { group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler' },
    { spec: { maxReplicas: 3 } },
  );
  assert.equal(hpa2.spec.minReplicas, 1);
  assert.equal(hpa2.spec.metrics[0].resource.target.averageUtilization, 80);
  const hpa1 = applyDefaults(
    { group: 'autoscaling', version: 'v1', kind: 'HorizontalPodAutoscaler' },
    { spec: { maxReplicas: 3 } },
  );
  assert.equal(hpa1.spec.metrics, undefined);
  const rb = applyDefaults(
    { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'RoleBinding' },
    {
      subjects: [
        { kind: 'User', name: 'u' },
        { kind: 'ServiceAccount', name: 'sa' },
      ],
    },
  );
  assert.equal(rb.subjects[0].apiGroup, 'rbac.authorization.k8s.io');
  assert.equal(rb.subjects[1].apiGroup, '');
  const eps = applyDefaults(
    { group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice' },
    { ports: [{ port: 80 }] },
  );
  assert.deepEqual(eps.ports[0], { port: 80, name: '', protocol: 'TCP' });
  const ep = applyDefaults(core('Endpoints'), { subsets: [{ ports: [{ port: 80 }] }] });
  assert.equal(ep.subsets[0].ports[0].protocol, 'TCP');
  assert.deepEqual(applyDefaults(core('ConfigMap'), { data: { a: 'b' } }), { data: { a: 'b' } });
});
