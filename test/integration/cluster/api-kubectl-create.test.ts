// kubectl 1.32's typed-client commands send protobuf (`kubectl create namespace|configmap|secret|service|
// deployment|job|cronjob|role…`, `autoscale`, `drain`): against a real etcd, each one now works. A recording
// proxy in front of the API server keeps every body kubectl sends, so each command is checked twice:
//   1. the protobuf body, decoded by Berth, equals exactly what `kubectl create … --dry-run=client -o json`
//      prints (Go's JSON of the same object: the JSON kubectl would have sent), and
//   2. the stored object (`kubectl get -o json`) contains all of it (the server only adds defaults).
// Kinds the server does not serve yet (quota, priorityclass, pdb, ingress, token) only get check 1, and must
// fail with a NotFound for the resource, not with 415.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startApiServer, type TestApiServer } from '../../fixtures/api-server.js';
import { makeTestCertificates } from '../../fixtures/tls.js';
import { decodeProtobufObject, PROTOBUF_MEDIA_TYPE } from '../../../src/cluster/api/protobuf/index.js';

interface Recorded {
  method: string;
  url: string;
  contentType: string;
  body: Buffer;
}

let api: TestApiServer;
let proxy: http.Server;
let proxyUrl = '';
const recorded: Recorded[] = [];

before(async () => {
  api = await startApiServer();
  const target = new URL(api.url);
  proxy = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (req.method !== 'GET') recorded.push({ method: req.method!, url: req.url!, contentType: String(req.headers['content-type'] ?? ''), body });
      const fwd = http.request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      fwd.on('error', () => res.destroy());
      fwd.end(body);
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});

after(async () => {
  await new Promise<void>((resolve) => {
    proxy?.close(() => resolve());
    proxy?.closeAllConnections();
  });
  await api?.stop();
});

/** kubectl through the recording proxy. */
const kubectl = (...args: string[]) => api.kubectl('-s', proxyUrl, ...args);

const file = (name: string, text: string) => {
  const p = path.join(api.dir, name);
  fs.writeFileSync(p, text);
  return p;
};

/**
 * Where `actual` lacks a field of `expected` (undefined when it has them all). Modulo what the server owns:
 * null in expected (creationTimestamp) and empty objects (status, which create resets) match anything.
 */
function contains(actual: unknown, expected: unknown, at = ''): string | undefined {
  if (expected === null) return undefined;
  if (typeof expected === 'object' && !Array.isArray(expected) && Object.keys(expected).length === 0) return undefined;
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) return `${at}: ${JSON.stringify(actual)} is not ${JSON.stringify(expected)}`;
    for (let i = 0; i < expected.length; i++) {
      const d = contains(actual[i], expected[i], `${at}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  if (typeof expected === 'object') {
    if (typeof actual !== 'object' || actual === null) return `${at}: ${JSON.stringify(actual)} is not an object`;
    for (const [k, v] of Object.entries(expected)) {
      const d = contains((actual as Record<string, unknown>)[k], v, `${at}.${k}`);
      if (d) return d;
    }
    return undefined;
  }
  return actual === expected ? undefined : `${at}: ${JSON.stringify(actual)} !== ${JSON.stringify(expected)}`;
}

/** Runs a command, returning the one protobuf body it sent, decoded. */
async function sendAndDecode(args: string[], method = 'POST'): Promise<{ decoded: Record<string, unknown>; code: number; stderr: string; stdout: string }> {
  recorded.length = 0;
  const r = await kubectl(...args);
  const bodies = recorded.filter((x) => x.method === method && x.contentType === PROTOBUF_MEDIA_TYPE);
  assert.equal(bodies.length, 1, `one protobuf ${method} from kubectl ${args.join(' ')}; saw ${JSON.stringify(recorded.map((x) => [x.method, x.url, x.contentType]))}\n${r.stderr}`);
  return { decoded: decodeProtobufObject(bodies[0]!.body), ...r };
}

/** The command with `--dry-run=client -o json`, placed before any `--` (after it, flags are the container's). */
function withDryRun(args: string[]): string[] {
  const end = args.includes('--') ? args.indexOf('--') : args.length;
  return [...args.slice(0, end), '--dry-run=client', '-o', 'json', ...args.slice(end)];
}

/** Checks 1 and 2 of the file comment for a create-style command; returns the stored object. */
async function createsAsDryRunSays(args: string[], get: string[]): Promise<Record<string, any>> {
  const dry = await kubectl(...withDryRun(args));
  assert.equal(dry.code, 0, dry.stderr);
  const expected = JSON.parse(dry.stdout);
  const sent = await sendAndDecode(args);
  assert.equal(sent.code, 0, `kubectl ${args.join(' ')}: ${sent.stderr}`);
  assert.deepEqual(sent.decoded, expected, `decoded protobuf of kubectl ${args.join(' ')}`);
  const got = await kubectl('get', ...get, '-o', 'json');
  assert.equal(got.code, 0, got.stderr);
  const stored = JSON.parse(got.stdout);
  const diff = contains(stored, expected);
  assert.equal(diff, undefined, `stored ${get.join(' ')} differs from what kubectl sent at ${diff}`);
  return stored;
}

test('kubectl create namespace, configmap, secret generic|tls|docker-registry, serviceaccount', async () => {
  const ns = await createsAsDryRunSays(['create', 'namespace', 'team-a'], ['namespace', 'team-a']);
  assert.deepEqual(ns.spec, { finalizers: ['kubernetes'] }, 'server defaults applied');
  const data = file('settings.txt', 'x=1\ny=2\n');
  const bin = path.join(api.dir, 'blob.bin');
  fs.writeFileSync(bin, Buffer.from([0x00, 0x01, 0xff, 0xfe, 0x80])); // not UTF-8: kubectl puts it in binaryData
  const cm = await createsAsDryRunSays(['create', 'configmap', 'settings', '--from-literal=mode=fast', `--from-file=${data}`, `--from-file=${bin}`], ['configmap', 'settings']);
  assert.equal(cm.data.mode, 'fast');
  assert.deepEqual(Buffer.from(cm.binaryData['blob.bin'], 'base64'), fs.readFileSync(bin));
  const s = await createsAsDryRunSays(['create', 'secret', 'generic', 'creds', '--from-literal=user=admin', '--from-literal=password=s3cr=t'], ['secret', 'creds']);
  assert.equal(Buffer.from(s.data.password, 'base64').toString(), 's3cr=t');
  assert.equal(s.type, 'Opaque');
  const pair = makeTestCertificates(path.join(api.dir, 'certs'), ['site.example']);
  const tlsArgs = [`--cert=${pair.serverCert}`, `--key=${pair.serverKey}`];
  const tls = await createsAsDryRunSays(['create', 'secret', 'tls', 'site-tls', ...tlsArgs], ['secret', 'site-tls']);
  assert.equal(tls.type, 'kubernetes.io/tls');
  const reg = await createsAsDryRunSays(['create', 'secret', 'docker-registry', 'regcred', '--docker-server=registry.example:5000', '--docker-username=u', '--docker-password=p'], ['secret', 'regcred']);
  assert.equal(reg.type, 'kubernetes.io/dockerconfigjson');
  assert.match(Buffer.from(reg.data['.dockerconfigjson'], 'base64').toString(), /registry\.example:5000/);
  await createsAsDryRunSays(['create', 'serviceaccount', 'builder'], ['serviceaccount', 'builder']);
});

test('kubectl create service clusterip|nodeport|loadbalancer|externalname', async () => {
  const c = await createsAsDryRunSays(['create', 'service', 'clusterip', 'web', '--tcp=80:8080', '--tcp=443:8443'], ['service', 'web']);
  assert.deepEqual(c.spec.ports.map((p: any) => [p.name, p.port, p.targetPort, p.protocol]), [['80-8080', 80, 8080, 'TCP'], ['443-8443', 443, 8443, 'TCP']]);
  const np = await createsAsDryRunSays(['create', 'service', 'nodeport', 'web-np', '--tcp=80:8080', '--node-port=30080'], ['service', 'web-np']);
  assert.equal(np.spec.ports[0].nodePort, 30080);
  await createsAsDryRunSays(['create', 'service', 'loadbalancer', 'web-lb', '--tcp=80'], ['service', 'web-lb']);
  const en = await createsAsDryRunSays(['create', 'service', 'externalname', 'ext', '--external-name=db.example.com'], ['service', 'ext']);
  assert.equal(en.spec.externalName, 'db.example.com');
});

test('kubectl create deployment, job, cronjob, job --from=cronjob, and autoscale', async () => {
  const d = await createsAsDryRunSays(['create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=2', '--port=80'], ['deployment', 'web']);
  assert.equal(d.spec.replicas, 2);
  assert.deepEqual(d.spec.template.spec.containers[0].ports, [{ containerPort: 80, protocol: 'TCP' }]);
  assert.equal(d.spec.strategy.type, 'RollingUpdate', 'server defaults applied');
  const j = await createsAsDryRunSays(['create', 'job', 'once', '--image=busybox', '--', 'sh', '-c', 'echo hi'], ['job', 'once']);
  assert.deepEqual(j.spec.template.spec.containers[0].command, ['sh', '-c', 'echo hi']);
  assert.equal(j.spec.template.spec.restartPolicy, 'Never');
  const cj = await createsAsDryRunSays(['create', 'cronjob', 'nightly', '--image=busybox', '--schedule=0 3 * * *', '--', 'date'], ['cronjob', 'nightly']);
  assert.equal(cj.spec.schedule, '0 3 * * *');
  const fromCron = await createsAsDryRunSays(['create', 'job', 'nightly-now', '--from=cronjob/nightly'], ['job', 'nightly-now']);
  assert.equal(fromCron.metadata.ownerReferences[0].uid, cj.metadata.uid, 'the job is owned by the cronjob');
  assert.equal(fromCron.metadata.annotations['cronjob.kubernetes.io/instantiate'], 'manual');

  const dry = await kubectl('autoscale', 'deployment', 'web', '--min=2', '--max=5', '--cpu-percent=70', '--dry-run=client', '-o', 'json');
  assert.equal(dry.code, 0, dry.stderr);
  const sent = await sendAndDecode(['autoscale', 'deployment', 'web', '--min=2', '--max=5', '--cpu-percent=70']);
  assert.equal(sent.code, 0, sent.stderr);
  assert.deepEqual(sent.decoded, JSON.parse(dry.stdout));
  const hpa = (await api.request('GET', '/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers/web')).json();
  assert.deepEqual(hpa.spec, { scaleTargetRef: { kind: 'Deployment', name: 'web', apiVersion: 'apps/v1' }, minReplicas: 2, maxReplicas: 5, targetCPUUtilizationPercentage: 70 });
});

/** A CronJob whose pod template uses much of PodSpec: `create job --from` sends it all back as protobuf. */
const richCronJob = {
  apiVersion: 'batch/v1',
  kind: 'CronJob',
  metadata: { name: 'rich', labels: { tier: 'batch' }, annotations: { note: 'many fields' } },
  spec: {
    schedule: '*/5 * * * *',
    timeZone: 'Etc/UTC',
    concurrencyPolicy: 'Forbid',
    startingDeadlineSeconds: 120,
    jobTemplate: {
      metadata: { labels: { job: 'rich' } },
      spec: {
        backoffLimit: 2,
        activeDeadlineSeconds: 600,
        ttlSecondsAfterFinished: 3600,
        completions: 3,
        parallelism: 2,
        completionMode: 'Indexed',
        podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { containerName: 'main', operator: 'In', values: [42, 43] } }, { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }] },
        template: {
          metadata: { labels: { app: 'rich' }, annotations: { 'x/y': 'z' } },
          spec: {
            restartPolicy: 'Never',
            serviceAccountName: 'builder',
            automountServiceAccountToken: false,
            terminationGracePeriodSeconds: 5,
            nodeSelector: { 'kubernetes.io/os': 'linux' },
            hostAliases: [{ ip: '10.0.0.1', hostnames: ['a.local', 'b.local'] }],
            dnsConfig: { nameservers: ['1.1.1.1'], options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }] },
            securityContext: { runAsUser: 1000, runAsNonRoot: true, fsGroup: 2000, supplementalGroups: [3000, 4000], sysctls: [{ name: 'net.ipv4.ip_local_port_range', value: '1024 65535' }], seccompProfile: { type: 'RuntimeDefault' } },
            tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'batch', effect: 'NoSchedule' }, { operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 }],
            affinity: {
              nodeAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] }] },
                preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, preference: { matchExpressions: [{ key: 'ssd', operator: 'Exists' }] } }],
              },
              podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'rich' } } } }] },
            },
            topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['rich'] }] } }],
            volumes: [
              { name: 'scratch', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } },
              { name: 'cfg', configMap: { name: 'settings', items: [{ key: 'mode', path: 'mode.txt', mode: 0o400 }], defaultMode: 0o644, optional: true } },
              { name: 'creds', secret: { secretName: 'creds' } },
              { name: 'host', hostPath: { path: '/var/log', type: 'Directory' } },
              { name: 'proj', projected: { sources: [{ downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } }, { serviceAccountToken: { audience: 'api', expirationSeconds: 3600, path: 'token' } }] } },
              { name: 'data', persistentVolumeClaim: { claimName: 'data', readOnly: true } },
            ],
            initContainers: [{ name: 'init', image: 'busybox', command: ['sh', '-c', 'true'], resources: { requests: { cpu: '50m' } } }],
            containers: [
              {
                name: 'main',
                image: 'busybox:1.36',
                imagePullPolicy: 'IfNotPresent',
                args: ['--verbose'],
                workingDir: '/work',
                ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }, { containerPort: 53, protocol: 'UDP', hostPort: 5353 }],
                env: [
                  { name: 'PLAIN', value: 'v' },
                  { name: 'EMPTY' },
                  { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
                  { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
                  { name: 'PASS', valueFrom: { secretKeyRef: { name: 'creds', key: 'password', optional: false } } },
                ],
                envFrom: [{ prefix: 'CFG_', configMapRef: { name: 'settings' } }],
                resources: { requests: { cpu: '250m', memory: '64Mi' }, limits: { cpu: '1', memory: '128Mi', 'ephemeral-storage': '1Gi' } },
                volumeMounts: [{ name: 'scratch', mountPath: '/tmp' }, { name: 'cfg', mountPath: '/etc/cfg', readOnly: true, subPath: 'mode.txt' }],
                livenessProbe: { httpGet: { path: '/healthz', port: 'http', httpHeaders: [{ name: 'X-Probe', value: '1' }] }, initialDelaySeconds: 3, periodSeconds: 10, failureThreshold: 3 },
                readinessProbe: { tcpSocket: { port: 8080 }, timeoutSeconds: 2 },
                startupProbe: { exec: { command: ['cat', '/tmp/ready'] }, failureThreshold: 30 },
                lifecycle: { preStop: { sleep: { seconds: 2 } }, postStart: { exec: { command: ['true'] } } },
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] }, runAsGroup: 3000, privileged: false },
                stdin: true,
                tty: true,
                terminationMessagePolicy: 'FallbackToLogsOnError',
              },
            ],
          },
        },
      },
    },
  },
};

test('kubectl create job --from a CronJob with a rich pod template: every PodSpec field survives protobuf', async () => {
  const applied = await kubectl('apply', '-f', file('rich-cronjob.json', JSON.stringify(richCronJob)));
  assert.equal(applied.code, 0, applied.stderr);
  const job = await createsAsDryRunSays(['create', 'job', 'rich-now', '--from=cronjob/rich'], ['job', 'rich-now']);
  const cron = JSON.parse((await kubectl('get', 'cronjob', 'rich', '-o', 'json')).stdout);
  assert.deepEqual(job.spec.template.spec, cron.spec.jobTemplate.spec.template.spec, 'the job carries the cronjob\'s pod spec unchanged');
  assert.deepEqual(job.spec.podFailurePolicy, cron.spec.jobTemplate.spec.podFailurePolicy);
  assert.equal(job.spec.template.spec.containers[0].resources.limits['ephemeral-storage'], '1Gi');
});

test('kubectl create role, rolebinding, clusterrole, clusterrolebinding', async () => {
  const r = await createsAsDryRunSays(['create', 'role', 'pod-reader', '--verb=get,list,watch', '--resource=pods,pods/log', '--resource-name=a'], ['role', 'pod-reader']);
  assert.deepEqual(r.rules[0].verbs, ['get', 'list', 'watch']);
  await createsAsDryRunSays(['create', 'rolebinding', 'read-pods', '--role=pod-reader', '--user=jane', '--serviceaccount=default:builder', '--group=devs'], ['rolebinding', 'read-pods']);
  await createsAsDryRunSays(['create', 'clusterrole', 'node-viewer', '--verb=get', '--resource=nodes', '--non-resource-url=/healthz'], ['clusterrole', 'node-viewer']);
  const agg = await createsAsDryRunSays(['create', 'clusterrole', 'monitoring', '--aggregation-rule=rbac.example.com/aggregate-to-monitoring=true'], ['clusterrole', 'monitoring']);
  assert.deepEqual(agg.aggregationRule.clusterRoleSelectors, [{ matchLabels: { 'rbac.example.com/aggregate-to-monitoring': 'true' } }]);
  await createsAsDryRunSays(['create', 'clusterrolebinding', 'view-nodes', '--clusterrole=node-viewer', '--group=ops'], ['clusterrolebinding', 'view-nodes']);
});

test('kinds the server does not serve yet: decoded as kubectl means them, refused as NotFound rather than 415', async () => {
  const cases = [
    ['create', 'quota', 'compute', '--hard=cpu=2,memory=1Gi,pods=10', '--scopes=NotTerminating'],
    ['create', 'priorityclass', 'high', '--value=1000', '--description=important', '--preemption-policy=Never'],
    ['create', 'poddisruptionbudget', 'web-pdb', '--selector=app=web', '--min-available=50%'],
    ['create', 'ingress', 'site', '--rule=site.example/api*=web:80,tls=site-tls', '--class=default'],
  ];
  for (const args of cases) {
    const dry = await kubectl(...args, '--dry-run=client', '-o', 'json');
    assert.equal(dry.code, 0, dry.stderr);
    const sent = await sendAndDecode(args);
    assert.deepEqual(sent.decoded, JSON.parse(dry.stdout), `decoded protobuf of kubectl ${args.join(' ')}`);
    if (sent.code !== 0) assert.match(sent.stderr, /could not find the requested resource/, sent.stderr);
    assert.doesNotMatch(sent.stderr, /unknown format|UnsupportedMediaType|decoding protobuf/);
  }
  const token = await sendAndDecode(['create', 'token', 'builder', '--duration=1h', '--audience=api', '--bound-object-kind=Secret', '--bound-object-name=creds']);
  assert.deepEqual(token.decoded.spec, { audiences: ['api'], expirationSeconds: 3600, boundObjectRef: { kind: 'Secret', apiVersion: 'v1', name: 'creds' } });
  assert.doesNotMatch(token.stderr, /unknown format|UnsupportedMediaType|decoding protobuf/);
});

test('kubectl drain deletes pods with protobuf DeleteOptions', async () => {
  const node = file('node.json', JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'worker-1' } }));
  const pod = file('pod.json', JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'stray' }, spec: { nodeName: 'worker-1', containers: [{ name: 'c', image: 'busybox' }] } }));
  assert.equal((await kubectl('apply', '-f', node)).code, 0);
  assert.equal((await kubectl('apply', '-f', pod)).code, 0);
  const sent = await sendAndDecode(['drain', 'worker-1', '--force', '--disable-eviction', '--grace-period=0', '--timeout=30s'], 'DELETE');
  assert.deepEqual(sent.decoded, { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0 });
  assert.equal(sent.code, 0, sent.stderr);
  assert.match(sent.stdout, /node\/worker-1 drained/);
  const gone = await kubectl('get', 'pod', 'stray');
  assert.match(gone.stderr, /NotFound/);
});

/** POSTs raw bytes as protobuf straight to the API server; resolves to the status code and Status body. */
function postProtobuf(p: string, body: Buffer): Promise<{ status: number; json: Record<string, any> }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${api.url}${p}`, { method: 'POST', headers: { 'Content-Type': PROTOBUF_MEDIA_TYPE, 'Content-Length': body.length }, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The envelope `k8s\0` + runtime.Unknown{typeMeta{apiVersion, kind}, raw}. */
function envelope(apiVersion: string, kind: string, raw: number[]): Buffer {
  const len = (b: Buffer) => Buffer.concat([Buffer.from([b.length]), b]);
  const typeMeta = Buffer.concat([Buffer.from([0x0a]), len(Buffer.from(apiVersion)), Buffer.from([0x12]), len(Buffer.from(kind))]);
  return Buffer.concat([Buffer.from('k8s\0', 'latin1'), Buffer.from([0x0a]), len(typeMeta), Buffer.from([0x12]), len(Buffer.from(raw))]);
}

test('malformed protobuf is a 400 naming the problem; kinds without a schema are a 415', async () => {
  const cms = '/api/v1/namespaces/default/configmaps';
  const badMagic = await postProtobuf(cms, Buffer.from([0x6b, 0x38, 0x73, 0x01, 0x0a, 0x00]));
  assert.equal(badMagic.status, 400);
  assert.match(badMagic.json.message, /protobuf magic/);
  const unknownField = await postProtobuf(cms, envelope('v1', 'ConfigMap', [0x48, 0x01]));
  assert.equal(unknownField.status, 400);
  assert.match(unknownField.json.message, /unknown field number 9 \(wire type 0\) in ConfigMap/);
  const truncated = await postProtobuf(cms, envelope('v1', 'ConfigMap', [0x0a, 0x05, 0x0a, 0x01]));
  assert.equal(truncated.status, 400);
  assert.match(truncated.json.message, /truncated/);
  const pod = await postProtobuf('/api/v1/namespaces/default/pods', envelope('v1', 'Pod', []));
  assert.equal(pod.status, 415);
  assert.equal(pod.json.reason, 'UnsupportedMediaType');
  assert.match(pod.json.message, /protobuf-encoded Pod \(v1\) is not supported by this server; send it as application\/json/);
});
