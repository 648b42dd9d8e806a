import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyStrategicMergePatch, applyMergePatch } from '../../../../../src/cluster/api/patch/index.js';

// Live objects as the API server stores them after `kubectl apply -f` of the first manifest (defaults
// applied), and the strategic merge patches kubectl 1.32 sent for the follow-up commands, captured verbatim
// from `kubectl apply|edit --server http://127.0.0.1:PORT -v=9` against a recording server.
const DEPLOYMENT = { group: 'apps', version: 'v1', kind: 'Deployment' };
const POD = { group: '', version: 'v1', kind: 'Pod' };
const SERVICE = { group: '', version: 'v1', kind: 'Service' };
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

// `kubectl apply -f deploy-v2.yaml` after deploy-v1.yaml: replicas 3→4, a label added, strategy Recreate, a new
// first container, image bumped, env A removed/B changed/C added, port 443 and the sidecar container removed,
// the data volume (and its mount) replaced by a hostPath cache volume.
const deployPatch = {"metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"annotations\":{},\"labels\":{\"app\":\"nginx\",\"tier\":\"web\"},\"name\":\"nginx-deployment\",\"namespace\":\"default\"},\"spec\":{\"replicas\":4,\"selector\":{\"matchLabels\":{\"app\":\"nginx\"}},\"strategy\":{\"type\":\"Recreate\"},\"template\":{\"metadata\":{\"labels\":{\"app\":\"nginx\"}},\"spec\":{\"containers\":[{\"command\":[\"sh\",\"-c\",\"tail -f /dev/null\"],\"image\":\"busybox\",\"name\":\"logger\"},{\"env\":[{\"name\":\"B\",\"value\":\"3\"},{\"name\":\"C\",\"value\":\"4\"}],\"image\":\"nginx:1.16.1\",\"name\":\"nginx\",\"ports\":[{\"containerPort\":80}],\"volumeMounts\":[{\"mountPath\":\"/cache\",\"name\":\"cache\"}]}],\"volumes\":[{\"hostPath\":{\"path\":\"/tmp/cache\"},\"name\":\"cache\"}]}}}}\n"},"labels":{"tier":"web"}},"spec":{"replicas":4,"strategy":{"$retainKeys":["type"],"type":"Recreate"},"template":{"spec":{"$setElementOrder/containers":[{"name":"logger"},{"name":"nginx"}],"$setElementOrder/volumes":[{"name":"cache"}],"containers":[{"command":["sh","-c","tail -f /dev/null"],"image":"busybox","name":"logger"},{"$setElementOrder/env":[{"name":"B"},{"name":"C"}],"$setElementOrder/ports":[{"containerPort":80}],"$setElementOrder/volumeMounts":[{"mountPath":"/cache"}],"env":[{"name":"B","value":"3"},{"name":"C","value":"4"},{"$patch":"delete","name":"A"}],"image":"nginx:1.16.1","name":"nginx","ports":[{"$patch":"delete","containerPort":443}],"volumeMounts":[{"mountPath":"/cache","name":"cache"},{"$patch":"delete","mountPath":"/data"}]},{"$patch":"delete","name":"sidecar"}],"volumes":[{"hostPath":{"path":"/tmp/cache"},"name":"cache"},{"$patch":"delete","name":"data"}]}}}};

// `kubectl apply -f pod-v2.yaml`: a label and a finalizer added, a command removed, a port added.
const podPatch = {"metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"annotations\":{},\"finalizers\":[\"example.com/keep\"],\"labels\":{\"app\":\"auto\",\"version\":\"two\"},\"name\":\"auto-pod\",\"namespace\":\"default\"},\"spec\":{\"containers\":[{\"image\":\"busybox:1.36\",\"name\":\"auto-client\",\"resources\":{\"limits\":{\"cpu\":\"200m\",\"memory\":\"128Mi\"},\"requests\":{\"cpu\":\"100m\",\"memory\":\"64Mi\"}}},{\"image\":\"busybox\",\"name\":\"auto-serve\",\"ports\":[{\"containerPort\":8080,\"name\":\"http\"},{\"containerPort\":9090,\"name\":\"metrics\"}],\"resources\":{\"limits\":{\"cpu\":\"200m\",\"memory\":\"128Mi\"},\"requests\":{\"cpu\":\"100m\",\"memory\":\"64Mi\"}}}]}}\n"},"finalizers":["example.com/keep"],"labels":{"version":"two"}},"spec":{"$setElementOrder/containers":[{"name":"auto-client"},{"name":"auto-serve"}],"containers":[{"command":null,"image":"busybox:1.36","name":"auto-client"},{"$setElementOrder/ports":[{"containerPort":8080},{"containerPort":9090}],"name":"auto-serve","ports":[{"containerPort":9090,"name":"metrics"}]}]}};

// `kubectl apply -f svc-v2.yaml`: port 80 removed, 443 retargeted, 9100 added, selector and type changed.
const svcPatch = {"metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"annotations\":{},\"name\":\"web\",\"namespace\":\"default\"},\"spec\":{\"ports\":[{\"name\":\"https\",\"port\":443,\"targetPort\":9443},{\"name\":\"metrics\",\"port\":9100}],\"selector\":{\"app\":\"nginx\",\"tier\":\"web\"},\"type\":\"NodePort\"}}\n"}},"spec":{"$setElementOrder/ports":[{"port":443},{"port":9100}],"ports":[{"port":443,"targetPort":9443},{"name":"metrics","port":9100},{"$patch":"delete","port":80}],"selector":{"tier":"web"},"type":"NodePort"}};

// `kubectl edit deployment/nginx-deployment` with an EDITOR script: replicas 3→2, env Z inserted first, sidecar image.
const editPatch = {"spec":{"replicas":2,"template":{"spec":{"$setElementOrder/containers":[{"name":"nginx"},{"name":"sidecar"}],"containers":[{"$setElementOrder/env":[{"name":"Z"},{"name":"A"},{"name":"B"}],"env":[{"name":"Z","value":"9"}],"name":"nginx"},{"image":"busybox:1.36","name":"sidecar"}]}}}};

const deployLive = {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"annotations\":{},\"labels\":{\"app\":\"nginx\"},\"name\":\"nginx-deployment\",\"namespace\":\"default\"},\"spec\":{\"replicas\":3,\"selector\":{\"matchLabels\":{\"app\":\"nginx\"}},\"template\":{\"metadata\":{\"labels\":{\"app\":\"nginx\"}},\"spec\":{\"containers\":[{\"env\":[{\"name\":\"A\",\"value\":\"1\"},{\"name\":\"B\",\"value\":\"2\"}],\"image\":\"nginx:1.14.2\",\"name\":\"nginx\",\"ports\":[{\"containerPort\":80},{\"containerPort\":443}],\"volumeMounts\":[{\"mountPath\":\"/data\",\"name\":\"data\"}]},{\"args\":[\"sleep\",\"3600\"],\"image\":\"busybox\",\"name\":\"sidecar\"}],\"volumes\":[{\"emptyDir\":{},\"name\":\"data\"}]}}}}\n"},"labels":{"app":"nginx"},"name":"nginx-deployment","namespace":"default","uid":"11111111-2222-3333-4444-555555555555","resourceVersion":"101","creationTimestamp":"2024-01-01T00:00:00Z"},"spec":{"replicas":3,"selector":{"matchLabels":{"app":"nginx"}},"template":{"metadata":{"labels":{"app":"nginx"}},"spec":{"containers":[{"env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],"image":"nginx:1.14.2","name":"nginx","ports":[{"containerPort":80,"protocol":"TCP"},{"containerPort":443,"protocol":"TCP"}],"volumeMounts":[{"mountPath":"/data","name":"data"}],"imagePullPolicy":"IfNotPresent","terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File","resources":{}},{"args":["sleep","3600"],"image":"busybox","name":"sidecar","imagePullPolicy":"Always","terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File","resources":{}}],"volumes":[{"emptyDir":{},"name":"data"}],"dnsPolicy":"ClusterFirst","restartPolicy":"Always","securityContext":{},"terminationGracePeriodSeconds":30,"schedulerName":"default-scheduler","enableServiceLinks":true}},"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":"25%","maxSurge":"25%"}},"revisionHistoryLimit":10,"progressDeadlineSeconds":600}};
const podLive = {"apiVersion":"v1","kind":"Pod","metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"annotations\":{},\"labels\":{\"app\":\"auto\"},\"name\":\"auto-pod\",\"namespace\":\"default\"},\"spec\":{\"containers\":[{\"command\":[\"sh\",\"-c\",\"while true; do wget -qO- http://localhost:8080; sleep 5; done\"],\"image\":\"busybox\",\"name\":\"auto-client\",\"resources\":{\"limits\":{\"cpu\":\"200m\",\"memory\":\"128Mi\"},\"requests\":{\"cpu\":\"100m\",\"memory\":\"64Mi\"}}},{\"image\":\"busybox\",\"name\":\"auto-serve\",\"ports\":[{\"containerPort\":8080,\"name\":\"http\"}],\"resources\":{\"limits\":{\"cpu\":\"200m\",\"memory\":\"128Mi\"},\"requests\":{\"cpu\":\"100m\",\"memory\":\"64Mi\"}}}]}}\n"},"labels":{"app":"auto"},"name":"auto-pod","namespace":"default","uid":"11111111-2222-3333-4444-555555555555","resourceVersion":"101","creationTimestamp":"2024-01-01T00:00:00Z"},"spec":{"containers":[{"command":["sh","-c","while true; do wget -qO- http://localhost:8080; sleep 5; done"],"image":"busybox","name":"auto-client","resources":{"limits":{"cpu":"200m","memory":"128Mi"},"requests":{"cpu":"100m","memory":"64Mi"}},"imagePullPolicy":"Always","terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File"},{"image":"busybox","name":"auto-serve","ports":[{"containerPort":8080,"name":"http","protocol":"TCP"}],"resources":{"limits":{"cpu":"200m","memory":"128Mi"},"requests":{"cpu":"100m","memory":"64Mi"}},"imagePullPolicy":"Always","terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File"}],"dnsPolicy":"ClusterFirst","restartPolicy":"Always","securityContext":{},"terminationGracePeriodSeconds":30,"schedulerName":"default-scheduler","enableServiceLinks":true,"serviceAccountName":"default","serviceAccount":"default","priority":0,"preemptionPolicy":"PreemptLowerPriority","tolerations":[{"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute","tolerationSeconds":300},{"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute","tolerationSeconds":300}]},"status":{"phase":"Pending","qosClass":"Burstable"}};
const svcLive = {"apiVersion":"v1","kind":"Service","metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"annotations\":{},\"name\":\"web\",\"namespace\":\"default\"},\"spec\":{\"ports\":[{\"name\":\"http\",\"port\":80,\"targetPort\":8080},{\"name\":\"https\",\"port\":443,\"targetPort\":8443}],\"selector\":{\"app\":\"nginx\"}}}\n"},"name":"web","namespace":"default","uid":"11111111-2222-3333-4444-555555555555","resourceVersion":"101","creationTimestamp":"2024-01-01T00:00:00Z"},"spec":{"ports":[{"name":"http","port":80,"targetPort":8080,"protocol":"TCP"},{"name":"https","port":443,"targetPort":8443,"protocol":"TCP"}],"selector":{"app":"nginx"},"type":"ClusterIP","sessionAffinity":"None","internalTrafficPolicy":"Cluster","ipFamilies":["IPv4"],"ipFamilyPolicy":"SingleStack"},"status":{"loadBalancer":{}}};

const defaultsOf = (pullPolicy: string) => ({
  imagePullPolicy: pullPolicy,
  terminationMessagePath: '/dev/termination-log',
  terminationMessagePolicy: 'File',
  resources: {},
});

test('kubectl apply of an edited Deployment gives what kube-apiserver stores', () => {
  const out = applyStrategicMergePatch(deployLive, deployPatch, DEPLOYMENT);
  assert.deepEqual(out.metadata.labels, { app: 'nginx', tier: 'web' });
  assert.equal(out.metadata.annotations[LAST_APPLIED], deployPatch.metadata.annotations[LAST_APPLIED]);
  assert.equal(out.metadata.uid, deployLive.metadata.uid, 'server fields survive');
  assert.equal(out.spec.replicas, 4);
  assert.deepEqual(out.spec.strategy, { type: 'Recreate' }, '$retainKeys drops rollingUpdate');
  assert.deepEqual(out.spec.template.spec.containers, [
    { command: ['sh', '-c', 'tail -f /dev/null'], image: 'busybox', name: 'logger' },
    {
      env: [{ name: 'B', value: '3' }, { name: 'C', value: '4' }],
      image: 'nginx:1.16.1',
      name: 'nginx',
      ports: [{ containerPort: 80, protocol: 'TCP' }],
      volumeMounts: [{ mountPath: '/cache', name: 'cache' }],
      ...defaultsOf('IfNotPresent'),
    },
  ]);
  assert.deepEqual(out.spec.template.spec.volumes, [{ hostPath: { path: '/tmp/cache' }, name: 'cache' }]);
  assert.equal(out.spec.template.spec.dnsPolicy, 'ClusterFirst', 'defaulted fields kubectl never sent stay');
  assert.equal(out.spec.revisionHistoryLimit, 10);
});

test('kubectl apply of an edited Pod: null removes the command, ports merge by containerPort in order', () => {
  const out = applyStrategicMergePatch(podLive, podPatch, POD);
  assert.deepEqual(out.metadata.labels, { app: 'auto', version: 'two' });
  assert.deepEqual(out.metadata.finalizers, ['example.com/keep']);
  const [client, serve] = out.spec.containers;
  assert.equal(client.name, 'auto-client');
  assert.equal(client.image, 'busybox:1.36');
  assert.equal('command' in client, false);
  assert.deepEqual(client.resources, podLive.spec.containers[0]!.resources);
  assert.deepEqual(serve.ports, [
    { containerPort: 8080, name: 'http', protocol: 'TCP' },
    { containerPort: 9090, name: 'metrics' },
  ]);
  assert.deepEqual(out.spec.tolerations, podLive.spec.tolerations);
  assert.deepEqual(out.status, podLive.status);
});

test('kubectl apply of an edited Service: ports merge by port, the selector map merges', () => {
  const out = applyStrategicMergePatch(svcLive, svcPatch, SERVICE);
  assert.deepEqual(out.spec.ports, [
    { name: 'https', port: 443, targetPort: 9443, protocol: 'TCP' },
    { name: 'metrics', port: 9100 },
  ]);
  assert.deepEqual(out.spec.selector, { app: 'nginx', tier: 'web' });
  assert.equal(out.spec.type, 'NodePort');
  assert.equal(out.spec.sessionAffinity, 'None');
});

test('kubectl edit\'s two-way patch: $setElementOrder puts the new env var first', () => {
  const out = applyStrategicMergePatch(deployLive, editPatch, DEPLOYMENT);
  assert.equal(out.spec.replicas, 2);
  const [nginx, sidecar] = out.spec.template.spec.containers;
  assert.deepEqual(nginx.env, [{ name: 'Z', value: '9' }, { name: 'A', value: '1' }, { name: 'B', value: '2' }]);
  assert.deepEqual(nginx.ports, deployLive.spec.template.spec.containers[0]!.ports);
  assert.deepEqual(sidecar, { args: ['sleep', '3600'], image: 'busybox:1.36', name: 'sidecar', ...defaultsOf('Always') });
  assert.deepEqual(out.spec.strategy, deployLive.spec.strategy);
  assert.equal(deployLive.spec.template.spec.containers[0]!.env!.length, 2, 'the live object is not modified');
});

// `kubectl apply` after changing the data volume from emptyDir to hostPath and port 443 to UDP (the
// last-applied annotation of the captured patch left out).
const volumePatch = {"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"nginx"},{"name":"sidecar"}],"$setElementOrder/volumes":[{"name":"data"}],"containers":[{"$setElementOrder/ports":[{"containerPort":80},{"containerPort":443}],"name":"nginx","ports":[{"containerPort":443,"protocol":"UDP"}]}],"volumes":[{"$retainKeys":["hostPath","name"],"emptyDir":null,"hostPath":{"path":"/srv"},"name":"data"}]}}}};

test('kubectl apply switching a volume source: $retainKeys with a null for the old source', () => {
  const out = applyStrategicMergePatch(deployLive, volumePatch, DEPLOYMENT);
  assert.deepEqual(out.spec.template.spec.volumes, [{ hostPath: { path: '/srv' }, name: 'data' }]);
  assert.deepEqual(out.spec.template.spec.containers[0].ports, [
    { containerPort: 80, protocol: 'TCP' },
    { containerPort: 443, protocol: 'UDP' },
  ]);
  assert.deepEqual(out.spec.template.spec.containers.map((c: any) => c.name), ['nginx', 'sidecar']);
});

test('kubectl scale, label and annotate send merge patches', () => {
  const scaled = applyMergePatch({ apiVersion: 'autoscaling/v1', kind: 'Scale', spec: { replicas: 3 } }, { spec: { replicas: 5 } });
  assert.equal(scaled.spec.replicas, 5);
  const labelled = applyMergePatch(deployLive, { metadata: { labels: { tier: 'web' } } });
  assert.deepEqual(labelled.metadata.labels, { app: 'nginx', tier: 'web' });
  const annotated = applyMergePatch(deployLive, { metadata: { annotations: { note: 'x' } } });
  assert.equal(annotated.metadata.annotations.note, 'x');
  assert.ok(annotated.metadata.annotations[LAST_APPLIED]);
});

test('ownerReferences merge by uid and conditions by type', () => {
  const rs = {
    metadata: { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'd', uid: 'u1', controller: true }] },
    status: { conditions: [{ type: 'ReplicaFailure', status: 'True' }] },
  };
  const out = applyStrategicMergePatch(
    rs,
    {
      metadata: { ownerReferences: [{ uid: 'u1', blockOwnerDeletion: true }, { apiVersion: 'v1', kind: 'X', name: 'x', uid: 'u2' }] },
      status: { conditions: [{ type: 'ReplicaFailure', status: 'False' }] },
    },
    { group: 'apps', version: 'v1', kind: 'ReplicaSet' },
  );
  assert.deepEqual(out.metadata.ownerReferences, [
    { apiVersion: 'apps/v1', kind: 'Deployment', name: 'd', uid: 'u1', controller: true, blockOwnerDeletion: true },
    { apiVersion: 'v1', kind: 'X', name: 'x', uid: 'u2' },
  ]);
  assert.deepEqual(out.status.conditions, [{ type: 'ReplicaFailure', status: 'False' }]);
});

test('finalizers merge as a set and leave with $deleteFromPrimitiveList', () => {
  const pod = { metadata: { name: 'p', finalizers: ['a', 'b'] } };
  // New members come first, live-only members keep their place relative to the patch's (Kubernetes' order).
  assert.deepEqual(applyStrategicMergePatch(pod, { metadata: { finalizers: ['c', 'a'] } }, POD).metadata.finalizers, ['c', 'a', 'b']);
  assert.deepEqual(
    applyStrategicMergePatch(pod, { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } }, POD).metadata.finalizers,
    ['b'],
  );
  // args are not a merge list: they replace.
  const p2 = { spec: { containers: [{ name: 'c', args: ['a', 'b'] }] } };
  assert.deepEqual(applyStrategicMergePatch(p2, { spec: { containers: [{ name: 'c', args: ['z'] }] } }, POD).spec.containers[0].args, ['z']);
});

test('volumes merge by name and volumeMounts by mountPath; $retainKeys switches a volume source', () => {
  const pod = {
    spec: {
      containers: [{ name: 'c', volumeMounts: [{ name: 'v', mountPath: '/a' }, { name: 'v', mountPath: '/b' }] }],
      volumes: [{ name: 'v', emptyDir: {} }],
    },
  };
  const out = applyStrategicMergePatch(
    pod,
    {
      spec: {
        containers: [{ name: 'c', volumeMounts: [{ mountPath: '/b', readOnly: true }] }],
        volumes: [{ name: 'v', $retainKeys: ['configMap', 'name'], configMap: { name: 'cm' } }],
      },
    },
    POD,
  );
  assert.deepEqual(out.spec.containers[0].volumeMounts, [{ name: 'v', mountPath: '/a' }, { name: 'v', mountPath: '/b', readOnly: true }]);
  assert.deepEqual(out.spec.volumes, [{ name: 'v', configMap: { name: 'cm' } }]);
});
