import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyServerSide, recordUpdate, LAST_APPLIED, buildLastApplied } from '../../../../../src/cluster/api/patch/index.js';
import { ApiError } from '../../../../../src/cluster/api/types.js';

const DEPLOYMENT = { group: 'apps', version: 'v1', kind: 'Deployment' };
const T0 = new Date('2024-05-01T10:00:00Z');
const T1 = new Date('2024-05-01T11:00:00Z');
const T2 = new Date('2024-05-01T12:00:00Z');

function config(opts: { replicas?: number; image?: string; env?: object[]; labels?: object; containers?: object[] } = {}) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'nginx', namespace: 'default', labels: opts.labels ?? { app: 'nginx' } },
    spec: {
      ...(opts.replicas === undefined ? {} : { replicas: opts.replicas }),
      selector: { matchLabels: { app: 'nginx' } },
      template: {
        metadata: { labels: { app: 'nginx' } },
        spec: {
          containers: opts.containers ?? [
            { name: 'nginx', image: opts.image ?? 'nginx:1.25', ports: [{ containerPort: 80 }], env: opts.env ?? [{ name: 'A', value: '1' }] },
          ],
        },
      },
    },
  };
}

const apply = (live: any, cfg: object, manager: string, now = T0, force = false) =>
  applyServerSide(live, cfg, { manager, force, gvk: DEPLOYMENT, now });
const stored = (obj: any) => ({ ...obj, metadata: { ...obj.metadata, uid: 'u-1', resourceVersion: '7' } });
const entry = (obj: any, manager: string) => obj.metadata.managedFields.find((e: any) => e.manager === manager);

test('creating by apply owns exactly the applied fields, in FieldsV1', () => {
  const { object, conflicts, changed } = apply(undefined, config({ replicas: 2 }), 'kubectl');
  assert.equal(changed, true);
  assert.deepEqual(conflicts, []);
  assert.equal(object.spec.replicas, 2);
  assert.deepEqual(object.metadata.managedFields, [
    {
      manager: 'kubectl',
      operation: 'Apply',
      apiVersion: 'apps/v1',
      time: '2024-05-01T10:00:00Z',
      fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:metadata': { 'f:labels': { 'f:app': {} } },
        'f:spec': {
          'f:replicas': {},
          'f:selector': {},
          'f:template': {
            'f:metadata': { 'f:labels': { 'f:app': {} } },
            'f:spec': {
              'f:containers': {
                'k:{"name":"nginx"}': {
                  '.': {},
                  'f:env': { 'k:{"name":"A"}': { '.': {}, 'f:name': {}, 'f:value': {} } },
                  'f:image': {},
                  'f:name': {},
                  'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
                },
              },
            },
          },
        },
      },
    },
  ]);
});

test('re-applying the same configuration changes nothing, not even the time', () => {
  const first = stored(apply(undefined, config({ replicas: 2 }), 'kubectl').object);
  const again = apply(first, config({ replicas: 2 }), 'kubectl', T1);
  assert.equal(again.changed, false);
  assert.deepEqual(again.object, first);
});

test('fields the applier drops are removed, unless another manager owns them too', () => {
  const cfg1 = config({ replicas: 2, labels: { app: 'nginx', tier: 'web' }, env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] });
  let live = stored(apply(undefined, cfg1, 'kubectl').object);
  // Another applier shares env B (same value: no conflict, shared ownership).
  live = stored(
    apply(live, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'nginx' }, spec: { template: { spec: { containers: [{ name: 'nginx', env: [{ name: 'B', value: '2' }] }] } } } }, 'helper', T1).object,
  );
  const cfg2 = config({ labels: { app: 'nginx' }, env: [{ name: 'A', value: '1' }] });
  const out = apply(live, cfg2, 'kubectl', T2).object;
  assert.deepEqual(out.metadata.labels, { app: 'nginx' }, 'the dropped label is removed');
  assert.equal('replicas' in out.spec, false, 'the dropped replicas are removed');
  assert.deepEqual(out.spec.template.spec.containers[0].env, [{ name: 'A', value: '1' }, { name: 'B', value: '2' }], 'env B stays: helper owns it');
  assert.equal(entry(out, 'kubectl').time, '2024-05-01T12:00:00Z');
  assert.equal(entry(out, 'helper').time, '2024-05-01T11:00:00Z');
  // Dropping a whole container removes it.
  const two = stored(apply(undefined, config({ containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }] }), 'kubectl').object);
  const one = apply(two, config({ containers: [{ name: 'b', image: 'y' }] }), 'kubectl', T1).object;
  assert.deepEqual(one.spec.template.spec.containers, [{ name: 'b', image: 'y' }]);
});

test('changing a field another manager owns is a 409 naming manager and field', () => {
  const created = stored(apply(undefined, config({ replicas: 2 }), 'kubectl').object);
  // `kubectl scale` style update by another manager.
  const scaled = stored(recordUpdate(created, { ...created, spec: { ...created.spec, replicas: 5 } }, { manager: 'kubectl-scale', gvk: DEPLOYMENT, now: T1 }));
  assert.equal(entry(scaled, 'kubectl-scale').fieldsV1['f:spec']['f:replicas'] !== undefined, true);
  assert.equal(entry(scaled, 'kubectl').fieldsV1['f:spec']['f:replicas'], undefined, 'the updater took replicas over');
  try {
    apply(scaled, config({ replicas: 3 }), 'kubectl', T2);
    assert.fail('expected a conflict');
  } catch (e) {
    assert.ok(e instanceof ApiError);
    assert.equal(e.code, 409);
    assert.equal(e.reason, 'Conflict');
    assert.equal(e.message, 'Apply failed with 1 conflict: conflict with "kubectl-scale" using apps/v1: .spec.replicas');
    assert.deepEqual(e.details, { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl-scale" using apps/v1', field: '.spec.replicas' }] });
  }
  // Applying the value the other manager set is not a conflict: both own it.
  const same = apply(scaled, config({ replicas: 5 }), 'kubectl', T2).object;
  assert.ok(entry(same, 'kubectl').fieldsV1['f:spec']['f:replicas']);
  assert.ok(entry(same, 'kubectl-scale').fieldsV1['f:spec']['f:replicas']);
  // force takes the field over and reports what it overrode.
  const forced = applyServerSide(scaled, config({ replicas: 3 }), { manager: 'kubectl', force: true, gvk: DEPLOYMENT, now: T2 });
  assert.equal(forced.object.spec.replicas, 3);
  assert.deepEqual(forced.conflicts.map((c) => [c.manager, c.field]), [['"kubectl-scale" using apps/v1', '.spec.replicas']]);
  assert.equal(entry(forced.object, 'kubectl-scale'), undefined, 'a manager left with nothing disappears');
});

test('several conflicting managers are listed per manager, sorted', () => {
  const created = stored(apply(undefined, config({ replicas: 2 }), 'kubectl').object);
  const container = { ...created.spec.template.spec.containers[0], image: 'nginx:2' };
  const editedObj = { ...created, spec: { ...created.spec, template: { ...created.spec.template, spec: { containers: [container] } } } };
  const edited = stored(recordUpdate(created, editedObj, { manager: 'kubectl-edit', gvk: DEPLOYMENT, now: T1 }));
  try {
    apply(edited, config({ replicas: 6, image: 'nginx:3' }), 'other', T2);
    assert.fail('expected conflicts');
  } catch (e) {
    assert.ok(e instanceof ApiError);
    assert.equal(
      e.message,
      'Apply failed with 2 conflicts: conflicts with "kubectl":\n- .spec.replicas\nconflicts with "kubectl-edit" using apps/v1:\n- .spec.template.spec.containers[name="nginx"].image',
    );
    assert.deepEqual((e.details as any).causes.map((c: any) => c.message), ['conflict with "kubectl"', 'conflict with "kubectl-edit" using apps/v1']);
  }
});

test('kubectl moving from client-side to server-side apply may take over what it applied before', () => {
  const cfg = config({ replicas: 2 });
  const lastApplied = buildLastApplied(cfg);
  const created = stored(
    recordUpdate(undefined, { ...cfg, metadata: { ...cfg.metadata, annotations: { [LAST_APPLIED]: lastApplied } }, spec: { ...cfg.spec, strategy: { type: 'RollingUpdate' } } }, { manager: 'kubectl-client-side-apply', gvk: DEPLOYMENT, now: T0 }),
  );
  // replicas conflicts with kubectl-client-side-apply, but the annotation shows kubectl applied it: allowed.
  const upgraded = apply(created, config({ replicas: 4 }), 'kubectl', T1);
  assert.equal(upgraded.object.spec.replicas, 4);
  assert.deepEqual(upgraded.conflicts, []);
  assert.equal(upgraded.object.metadata.annotations[LAST_APPLIED], buildLastApplied(config({ replicas: 4 })), 'the annotation follows the applied configuration');
  assert.match(upgraded.object.metadata.annotations[LAST_APPLIED], /^\{"apiVersion":"apps\/v1","kind":"Deployment","metadata":\{"labels":/);
  // strategy.type was never in the annotation: a real conflict.
  const withStrategy = { ...config({ replicas: 4 }), spec: { ...config({ replicas: 4 }).spec, strategy: { type: 'Recreate' } } };
  assert.throws(
    () => apply(created, withStrategy, 'kubectl', T1),
    (e: unknown) => e instanceof ApiError && e.message === 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.strategy.type',
  );
  // Other managers get no such allowance.
  assert.throws(() => apply(created, config({ replicas: 4 }), 'someone', T1), (e: unknown) => e instanceof ApiError && e.code === 409);
});

test('status in an applied Deployment is not owned (the status subresource owns it)', () => {
  const cfg = { ...config({ replicas: 1 }), status: { replicas: 9 } };
  const out = apply(undefined, cfg, 'kubectl').object;
  assert.equal(entry(out, 'kubectl').fieldsV1['f:status'], undefined);
});

test('sets (finalizers) are owned by value', () => {
  const cfg = { ...config(), metadata: { ...config().metadata, finalizers: ['example.com/a', 'example.com/b'] } };
  const out = apply(undefined, cfg, 'kubectl').object;
  assert.deepEqual(entry(out, 'kubectl').fieldsV1['f:metadata']['f:finalizers'], { 'v:"example.com/a"': {}, 'v:"example.com/b"': {} });
  const other = apply(stored(out), { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'nginx', finalizers: ['example.com/c'] } }, 'gc', T1).object;
  assert.deepEqual(other.metadata.finalizers, ['example.com/a', 'example.com/b', 'example.com/c']);
});

test('malformed configurations are rejected as kube-apiserver rejects them', () => {
  const bad = (cfg: unknown, code: number, message: string) =>
    assert.throws(() => applyServerSide(undefined, cfg as object, { manager: 'm', force: false, gvk: DEPLOYMENT, now: T0 }), (e: unknown) => e instanceof ApiError && e.code === code && e.message === message);
  bad({ ...config(), apiVersion: 'apps/v2' }, 400, 'invalid object type: apps/v2, Kind=Deployment');
  bad({ ...config(), kind: 'Pod' }, 400, 'invalid object type: apps/v1, Kind=Pod');
  bad({ ...config(), metadata: { name: 'nginx', managedFields: [] } }, 400, 'metadata.managedFields must be nil');
  bad({ ...config(), spec: { ...config().spec, foo: 1 } }, 500, 'failed to create typed patch object (default/nginx; apps/v1, Kind=Deployment): .spec.foo: field not declared in schema');
  bad(
    config({ containers: [{ image: 'x' }] }),
    500,
    'failed to create typed patch object (default/nginx; apps/v1, Kind=Deployment): .spec.template.spec.containers: element 0: associative list with keys has an element that omits key field "name" (and doesn\'t have default value)',
  );
  bad(
    config({ containers: [{ name: 'a' }, { name: 'a' }] }),
    500,
    'failed to create typed patch object (default/nginx; apps/v1, Kind=Deployment): .spec.template.spec.containers: duplicate entries for key [name="a"]',
  );
});

test('managedFields list Apply entries before Update entries', () => {
  const created = stored(recordUpdate(undefined, config({ replicas: 1 }), { manager: 'kubectl-create', gvk: DEPLOYMENT, now: T0 }));
  const applied = apply(created, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'nginx', labels: { extra: 'x' } } }, 'tool', T1).object;
  assert.deepEqual(applied.metadata.managedFields.map((e: any) => [e.manager, e.operation]), [['tool', 'Apply'], ['kubectl-create', 'Update']]);
  assert.deepEqual(applied.metadata.labels, { app: 'nginx', extra: 'x' });
});

test('a ConfigMap key named `__proto__` is applied and owned as data', () => {
  const CONFIGMAP = { group: '', version: 'v1', kind: 'ConfigMap' };
  const cfg = JSON.parse('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"__proto__":"x","b":"y"}}');
  const out = applyServerSide(undefined, cfg, { manager: 'm', force: false, gvk: CONFIGMAP, now: T0 }).object;
  assert.equal(({} as any).x, undefined);
  assert.deepEqual(Object.keys(out.data), ['__proto__', 'b']);
  assert.deepEqual(out.metadata.managedFields[0].fieldsV1, { 'f:data': { 'f:__proto__': {}, 'f:b': {} } });
  const dropped = applyServerSide({ ...out, metadata: { ...out.metadata, uid: 'u' } }, JSON.parse('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"b":"y"}}'), { manager: 'm', force: false, gvk: CONFIGMAP, now: T1 }).object;
  assert.deepEqual(dropped.data, { b: 'y' });
});
