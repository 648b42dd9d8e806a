// The protobuf request decoder on hand-built bytes: one object per kind kubectl sends, Go's JSON rules
// (omitempty, pointers, fields without omitempty, structs never dropped, maps, bytes → base64, Time →
// RFC 3339, IntOrString, Quantity, inline structs), and malformed input → 400 with a message that says why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeProtobufObject,
  decodeProtobufRequest,
  ProtobufError,
  PROTOBUF_MEDIA_TYPE,
  UnsupportedKindError,
} from '../../../../src/cluster/api/protobuf/index.js';
import { readFields, readVarint } from '../../../../src/cluster/api/protobuf/wire.js';
import { ApiError } from '../../../../src/cluster/api/types.js';

// ---- a minimal protobuf encoder (Go's gogo encoding: every non-pointer field written, zero or not) ----
type Part = number[];
const varint = (value: number | bigint): Part => {
  let v = BigInt.asUintN(64, BigInt(value)); // negative int32/int64 go out as 10-byte two's complement
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return out;
};
const cat = (...parts: Part[]): Part => parts.flat();
const len = (no: number, body: Part): Part => cat(varint((no << 3) | 2), varint(body.length), body);
const str = (no: number, s: string): Part => len(no, [...Buffer.from(s, 'utf8')]);
const bytes = (no: number, b: number[]): Part => len(no, b);
const int = (no: number, v: number | bigint): Part => cat(varint(no << 3), varint(v));
const bool = (no: number, v: boolean): Part => int(no, v ? 1 : 0);
const msg = (no: number, ...fields: Part[]): Part => len(no, cat(...fields));
const entry = (no: number, key: string, value: Part): Part => msg(no, str(1, key), value);
const time = (no: number, seconds: number | bigint, nanos = 0): Part => msg(no, int(1, seconds), ...(nanos ? [int(2, nanos)] : []));
/** IntOrString: type 0 int, 1 string; Go writes all three fields. */
const intstr = (no: number, v: number | string): Part =>
  typeof v === 'number' ? msg(no, int(1, 0), int(2, v), str(3, '')) : msg(no, int(1, 1), int(2, 0), str(3, v));
const quantity = (s: string): Part => str(1, s);
/** ObjectMeta as Go writes it: all strings, generation, an empty creationTimestamp. */
const meta = (name: string, extra: Part[] = []): Part =>
  msg(1, str(1, name), str(2, ''), str(3, ''), str(4, ''), str(5, ''), str(6, ''), int(7, 0), len(8, []), ...extra);
const envelope = (apiVersion: string, kind: string, raw: Part, more: Part[] = []): Uint8Array =>
  Uint8Array.from([0x6b, 0x38, 0x73, 0x00, ...msg(1, str(1, apiVersion), str(2, kind)), ...len(2, raw), ...cat(...more)]);
const decode = (apiVersion: string, kind: string, ...fields: Part[]) => decodeProtobufObject(envelope(apiVersion, kind, cat(...fields)));
const NO_TIME = { creationTimestamp: null };

test('wire: varints, lengths, truncation and wire types', () => {
  assert.deepEqual(readVarint(Uint8Array.from([0xac, 0x02]), 0), [300n, 2]);
  assert.deepEqual(readVarint(Uint8Array.from(varint(-1)), 0), [0xffffffffffffffffn, 10]);
  assert.throws(() => readVarint(Uint8Array.from([0x80, 0x80]), 0), /truncated varint at byte 2/);
  assert.throws(() => readVarint(Uint8Array.from(Array(11).fill(0x80)), 0), /varint longer than 10 bytes/);
  assert.throws(() => readFields(Uint8Array.from([0x0a, 0x05, 0x61])), /truncated field 1 at byte 0: length 5 exceeds the 1 bytes left/);
  assert.throws(() => readFields(Uint8Array.from([0x0b])), /field 1 at byte 0 has unsupported wire type 3/);
  assert.throws(() => readFields(Uint8Array.from([0x00, 0x00])), /invalid field number 0/);
  assert.deepEqual(readFields(Uint8Array.from([0x08, 0x96, 0x01, 0x12, 0x01, 0x61])).map((f) => [f.number, f.wireType, f.varint ?? [...f.bytes!]]), [[1, 0, 150n], [2, 2, [0x61]]]);
});

test('Namespace: zero fields Go wrote are left out, structs stay as {}', () => {
  assert.deepEqual(decode('v1', 'Namespace', meta('team-a'), msg(2), msg(3, str(1, ''))), {
    kind: 'Namespace', apiVersion: 'v1', metadata: { name: 'team-a', ...NO_TIME }, spec: {}, status: {},
  });
});

test('ConfigMap and Secret: string maps, bytes maps as base64, pointer bools kept when false', () => {
  const cm = decode('v1', 'ConfigMap', meta('settings', [entry(11, 'app', str(2, 'web')), entry(12, 'note', str(2, ''))]),
    entry(2, 'mode', str(2, 'fast')), entry(2, 'empty', str(2, '')), entry(3, 'blob', bytes(2, [0, 1, 0xff])), bool(4, false));
  assert.deepEqual(cm, {
    kind: 'ConfigMap', apiVersion: 'v1',
    metadata: { name: 'settings', ...NO_TIME, labels: { app: 'web' }, annotations: { note: '' } },
    immutable: false, data: { mode: 'fast', empty: '' }, binaryData: { blob: 'AAH/' },
  });
  const secret = decode('v1', 'Secret', meta('creds'), entry(2, 'password', bytes(2, [...Buffer.from('s3cr=t')])), entry(2, 'none', bytes(2, [])), str(3, 'Opaque'));
  assert.deepEqual(secret, { kind: 'Secret', apiVersion: 'v1', metadata: { name: 'creds', ...NO_TIME }, data: { password: 'czNjcj10', none: '' }, type: 'Opaque' });
});

test('Service: IntOrString both ways, port without omitempty kept at 0, nested status struct', () => {
  const port = (name: string, p: number, target: number | string) => msg(1, str(1, name), str(2, 'TCP'), int(3, p), intstr(4, target), int(5, 0));
  const svc = decode('v1', 'Service', meta('web'),
    msg(2, port('http', 80, 8080), port('named', 0, 'http'), entry(2, 'app', str(2, 'web')), str(3, ''), str(4, 'ClusterIP'), str(7, ''), int(12, 0), bool(13, false)),
    msg(3, msg(1)));
  assert.deepEqual(svc, {
    kind: 'Service', apiVersion: 'v1', metadata: { name: 'web', ...NO_TIME },
    spec: {
      ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }, { name: 'named', protocol: 'TCP', port: 0, targetPort: 'http' }],
      selector: { app: 'web' }, type: 'ClusterIP',
    },
    status: { loadBalancer: {} },
  });
});

test('ServiceAccount, Role, RoleBinding, ClusterRole: lists without omitempty are null when empty', () => {
  assert.deepEqual(decode('v1', 'ServiceAccount', meta('builder'), msg(3, str(1, 'regcred')), bool(4, true)), {
    kind: 'ServiceAccount', apiVersion: 'v1', metadata: { name: 'builder', ...NO_TIME }, imagePullSecrets: [{ name: 'regcred' }], automountServiceAccountToken: true,
  });
  const rbac = 'rbac.authorization.k8s.io/v1';
  assert.deepEqual(decode(rbac, 'Role', meta('reader'), msg(2, str(1, 'get'), str(1, 'list'), str(2, ''), str(3, 'pods'))), {
    kind: 'Role', apiVersion: rbac, metadata: { name: 'reader', ...NO_TIME }, rules: [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] }],
  });
  assert.deepEqual(decode(rbac, 'ClusterRole', meta('agg'), msg(3, msg(1, entry(1, 'x/agg', str(2, 'true'))))), {
    kind: 'ClusterRole', apiVersion: rbac, metadata: { name: 'agg', ...NO_TIME }, rules: null,
    aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'x/agg': 'true' } }] },
  });
  assert.deepEqual(decode(rbac, 'RoleBinding', meta('rb'), msg(2, str(1, 'User'), str(2, 'rbac.authorization.k8s.io'), str(3, 'jane'), str(4, '')), msg(3, str(1, rbac.split('/')[0]!), str(2, 'Role'), str(3, 'reader'))), {
    kind: 'RoleBinding', apiVersion: rbac, metadata: { name: 'rb', ...NO_TIME },
    subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'jane' }],
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' },
  });
  assert.deepEqual(decode(rbac, 'ClusterRoleBinding', meta('crb')).roleRef, { apiGroup: '', kind: '', name: '' }, 'absent struct: Go zero value, fields without omitempty');
});

/** A container as Go writes it (the zero fields included). */
const container = (name: string, image: string, extra: Part[] = []) =>
  cat(str(1, name), str(2, image), str(5, ''), msg(8), str(13, ''), str(14, ''), bool(16, false), bool(17, false), bool(18, false), str(20, ''), ...extra);

test('Deployment: pointer int kept at 0, IntOrString percent, pod template with a container', () => {
  const podSpec = msg(2, msg(2, container('nginx', 'nginx:1.27', [msg(6, str(1, ''), int(2, 0), int(3, 80), str(4, 'TCP'), str(5, ''))])), str(3, ''), str(6, ''), str(8, ''), bool(11, false));
  const d = decode('apps/v1', 'Deployment', meta('web', [entry(11, 'app', str(2, 'web'))]),
    msg(2, int(1, 0), msg(2, entry(1, 'app', str(2, 'web'))), msg(3, meta('', [entry(11, 'app', str(2, 'web'))]), podSpec),
      msg(4, str(1, 'RollingUpdate'), msg(2, intstr(1, '25%'), intstr(2, 1))), int(5, 0), bool(7, false)),
    msg(3));
  assert.deepEqual(d.spec, {
    replicas: 0,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { ...NO_TIME, labels: { app: 'web' } },
      spec: { containers: [{ name: 'nginx', image: 'nginx:1.27', ports: [{ containerPort: 80, protocol: 'TCP' }], resources: {} }] },
    },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: 1 } },
  });
  assert.deepEqual(d.status, {});
});

test('Job and CronJob: negative and packed int32 lists, int64, Time as RFC 3339 without nanos', () => {
  const exitCodes = (packed: boolean) =>
    msg(2, str(1, 'main'), str(2, 'NotIn'), ...(packed ? [len(3, cat(varint(-1), varint(42)))] : [int(3, -1), int(3, 42)]));
  for (const packed of [false, true]) {
    const job = decode('batch/v1', 'Job', meta('j'), msg(2, int(3, 9_007_199_254_740_991n), msg(11, msg(1, str(1, 'FailJob'), exitCodes(packed))), msg(6, msg(1), msg(2, str(3, 'Never')))));
    assert.deepEqual(job.spec, {
      activeDeadlineSeconds: 9007199254740991,
      podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { containerName: 'main', operator: 'NotIn', values: [-1, 42] } }] },
      template: { metadata: NO_TIME, spec: { containers: null, restartPolicy: 'Never' } },
    });
  }
  const cron = decode('batch/v1', 'CronJob', meta('c'), msg(2, str(1, '0 3 * * *'), int(2, -5)), msg(3, time(4, 1_700_000_000, 999), len(5, [])));
  assert.equal((cron.spec as any).startingDeadlineSeconds, -5);
  assert.deepEqual(cron.status, { lastScheduleTime: '2023-11-14T22:13:20Z', lastSuccessfulTime: null });
  const epoch = decode('batch/v1', 'CronJob', meta('c'), msg(3, time(4, 0), time(5, -62135596800n)));
  assert.deepEqual(epoch.status, { lastScheduleTime: '1970-01-01T00:00:00Z', lastSuccessfulTime: null }, 'Go zero time marshals as null');
});

test('HPA v1, ResourceQuota, PriorityClass, PodDisruptionBudget: the other create kinds', () => {
  const hpa = decode('autoscaling/v1', 'HorizontalPodAutoscaler', meta('web'), msg(2, msg(1, str(1, 'Deployment'), str(2, 'web'), str(3, 'apps/v1')), int(2, 1), int(3, 5), int(4, 70)), msg(3, int(3, 0), int(4, 0)));
  assert.deepEqual(hpa.spec, { scaleTargetRef: { kind: 'Deployment', name: 'web', apiVersion: 'apps/v1' }, minReplicas: 1, maxReplicas: 5, targetCPUUtilizationPercentage: 70 });
  assert.deepEqual(hpa.status, { currentReplicas: 0, desiredReplicas: 0 });
  const quota = decode('v1', 'ResourceQuota', meta('q'), msg(2, entry(1, 'cpu', msg(2, quantity('2'))), entry(1, 'memory', msg(2, quantity('1Gi'))), entry(1, 'pods', msg(2)), str(2, 'NotTerminating')), msg(3));
  assert.deepEqual(quota.spec, { hard: { cpu: '2', memory: '1Gi', pods: '0' }, scopes: ['NotTerminating'] });
  assert.deepEqual(quota.status, {});
  const pc = decode('scheduling.k8s.io/v1', 'PriorityClass', meta('zero'), int(2, 0), bool(3, false), str(4, ''), str(5, 'Never'));
  assert.deepEqual(pc, { kind: 'PriorityClass', apiVersion: 'scheduling.k8s.io/v1', metadata: { name: 'zero', ...NO_TIME }, value: 0, preemptionPolicy: 'Never' });
  const pdb = decode('policy/v1', 'PodDisruptionBudget', meta('pdb'), msg(2, intstr(1, '50%'), msg(2, entry(1, 'app', str(2, 'web')))), msg(3, entry(2, 'p1', time(2, 60))));
  assert.deepEqual(pdb.spec, { minAvailable: '50%', selector: { matchLabels: { app: 'web' } } });
  assert.deepEqual(pdb.status, { disruptedPods: { p1: '1970-01-01T00:01:00Z' }, disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 });
});

test('Ingress: the embedded IngressRuleValue is inlined into each rule', () => {
  const backend = msg(2, msg(4, str(1, 'web'), msg(2, str(1, ''), int(2, 80))));
  const ing = decode('networking.k8s.io/v1', 'Ingress', meta('site'), msg(2, msg(3, str(1, 'site.example'), msg(2, msg(1, msg(1, str(1, '/api'), backend, str(3, 'Prefix'))))), str(4, 'nginx')), msg(3, msg(1)));
  assert.deepEqual(ing.spec, {
    ingressClassName: 'nginx',
    rules: [{ host: 'site.example', http: { paths: [{ path: '/api', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }],
  });
});

test('TokenRequest, DeleteOptions (any group version) and Eviction', () => {
  const tr = decode('authentication.k8s.io/v1', 'TokenRequest', meta(''), msg(2, str(1, 'api'), int(4, 3600)), msg(3, str(1, ''), len(2, [])));
  assert.deepEqual(tr.spec, { audiences: ['api'], expirationSeconds: 3600 });
  assert.deepEqual(tr.status, { token: '', expirationTimestamp: null });
  assert.deepEqual(decodeProtobufObject(envelope('v1', 'DeleteOptions', [], [str(3, ''), str(4, '')])), { kind: 'DeleteOptions', apiVersion: 'v1' });
  assert.deepEqual(decode('apps/v1', 'DeleteOptions', int(1, 0), str(4, 'Foreground'), str(5, 'All'), msg(2, str(1, 'u-1'))), {
    kind: 'DeleteOptions', apiVersion: 'apps/v1', gracePeriodSeconds: 0, preconditions: { uid: 'u-1' }, propagationPolicy: 'Foreground', dryRun: ['All'],
  });
  assert.deepEqual(decode('policy/v1', 'Eviction', meta('p'), msg(2, int(1, 30))).deleteOptions, { gracePeriodSeconds: 30 });
});

test('repeated occurrences of a singular message merge; scalars: the last one wins; field order does not matter', () => {
  const cm = decode('v1', 'ConfigMap', entry(2, 'a', str(2, '1')), msg(1, str(1, 'first'), entry(11, 'x', str(2, 'y'))), msg(1, str(1, 'second')), entry(2, 'a', str(2, '2')));
  assert.deepEqual(cm.metadata, { name: 'second', ...NO_TIME, labels: { x: 'y' } });
  assert.deepEqual(cm.data, { a: '2' });
});

test('malformed input: bad magic, truncation, wrong wire types, unknown fields → ProtobufError naming the place', () => {
  assert.throws(() => decodeProtobufObject(Uint8Array.from([0x6b, 0x38, 0x73])), /does not start with the protobuf magic/);
  assert.throws(() => decodeProtobufObject(Uint8Array.from([0x6b, 0x38, 0x73, 0x01, 0x0a, 0x00])), /does not start with the protobuf magic/);
  assert.throws(() => decodeProtobufObject(Uint8Array.from([0x6b, 0x38, 0x73, 0x00, 0x0a, 0x09, 0x0a])), (e: Error) => e instanceof ProtobufError && /runtime\.Unknown: truncated field 1/.test(e.message));
  assert.throws(() => decode('v1', 'ConfigMap', msg(1, [0x08, 0x80])), /ObjectMeta at metadata: truncated varint/);
  assert.throws(() => decode('v1', 'ConfigMap', int(1, 5)), /ConfigMap\.metadata \(field 1\) has wire type 0, expected 2/);
  assert.throws(() => decode('v1', 'Secret', meta('s'), int(3, 1)), /Secret\.type \(field 3\) has wire type 0, expected 2/);
  assert.throws(() => decode('v1', 'Namespace', meta('n'), msg(2, int(7, 1))), /unknown field number 7 \(wire type 0\) in NamespaceSpec at spec/);
  assert.throws(
    () => decode('apps/v1', 'Deployment', msg(2, msg(3, msg(2, msg(2, container('c', 'i', [int(99, 1)])))))),
    /unknown field number 99 \(wire type 0\) in Container at spec\.template\.spec\.containers\[0\]/,
  );
  assert.throws(() => decode('batch/v1', 'Job', msg(2, msg(6, msg(2, msg(1, str(1, 'pd'), msg(2, msg(3, str(1, 'disk')))))))), /VolumeSource\.gcePersistentDisk \(field 3\) at spec\.template\.spec\.volumes\[0\] is not supported/);
  assert.throws(() => decode('v1', 'Service', meta('s'), msg(2, msg(1, msg(4, int(1, 7))))), /IntOrString at spec\.ports\[0\]\.targetPort has impossible type 7/);
  assert.throws(() => decodeProtobufObject(envelope('v1', 'ConfigMap', [], [str(3, 'gzip')])), /contentEncoding "gzip" is not supported/);
  assert.throws(() => decodeProtobufObject(envelope('', '', [])), /typeMeta has no kind/);
  assert.throws(() => decodeProtobufObject(envelope('v1', 'Pod', [])), (e: Error) => e instanceof UnsupportedKindError && /protobuf-encoded Pod \(v1\) is not supported/.test(e.message));
});

test('decodeProtobufRequest: Status errors at the API edge (400 malformed, 415 unknown kind)', () => {
  const bad = () => decodeProtobufRequest(Uint8Array.from([1, 2, 3, 4]));
  assert.throws(bad, (e: unknown) => e instanceof ApiError && e.code === 400 && e.reason === 'BadRequest' && /^error decoding protobuf body: /.test(e.message));
  assert.throws(
    () => decodeProtobufRequest(envelope('apps/v1', 'StatefulSet', [])),
    (e: unknown) => e instanceof ApiError && e.code === 415 && e.reason === 'UnsupportedMediaType' && (e.details as { kind: string }).kind === PROTOBUF_MEDIA_TYPE,
  );
  assert.deepEqual(decodeProtobufRequest(envelope('v1', 'Namespace', cat(meta('x')))).metadata, { name: 'x', ...NO_TIME });
});
