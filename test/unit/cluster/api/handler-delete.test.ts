// Deletion semantics: immediate delete, preconditions, finalizers holding an object (deletionTimestamp),
// propagation policies as finalizers for the garbage collector, namespaces terminating, pod grace periods.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startApiServer, type TestApiServer } from '../../../fixtures/api-server.js';

let api: TestApiServer;
before(async () => {
  api = await startApiServer({ memory: true, now: () => new Date('2024-05-01T12:00:00Z') });
});
after(() => api.stop());

const CMS = '/api/v1/namespaces/default/configmaps';
const cm = (name: string, meta: Record<string, unknown> = {}) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...meta }, data: { a: 'b' } });

test('delete removes the object and answers with its last state; 404 afterwards', async () => {
  await api.request('POST', CMS, { body: cm('gone') });
  const r = await api.request('DELETE', `${CMS}/gone`);
  assert.equal(r.status, 200);
  assert.equal(r.json().metadata.name, 'gone');
  assert.equal((await api.request('GET', `${CMS}/gone`)).status, 404);
  assert.equal((await api.request('DELETE', `${CMS}/gone`)).status, 404);
});

test('preconditions on uid and resourceVersion', async () => {
  const c = (await api.request('POST', CMS, { body: cm('pre') })).json();
  const wrongUid = await api.request('DELETE', `${CMS}/pre`, { body: { preconditions: { uid: 'nope' } } });
  assert.equal(wrongUid.status, 409);
  assert.equal(wrongUid.json().message, `Operation cannot be fulfilled on configmaps "pre": Precondition failed: UID in precondition: nope, UID in object meta: ${c.metadata.uid}`);
  assert.equal((await api.request('DELETE', `${CMS}/pre`, { body: { preconditions: { resourceVersion: '1' } } })).status, 409);
  assert.equal((await api.request('DELETE', `${CMS}/pre`, { body: { preconditions: { uid: c.metadata.uid, resourceVersion: c.metadata.resourceVersion } } })).status, 200);
});

test('finalizers hold an object until they are removed', async () => {
  await api.request('POST', CMS, { body: cm('held', { finalizers: ['example.com/hold'] }) });
  const marked = await api.request('DELETE', `${CMS}/held`);
  assert.equal(marked.status, 200);
  assert.equal(marked.json().metadata.deletionTimestamp, '2024-05-01T12:00:00Z');
  assert.equal(marked.json().metadata.deletionGracePeriodSeconds, 0);
  const still = (await api.request('GET', `${CMS}/held`)).json();
  assert.deepEqual(still.metadata.finalizers, ['example.com/hold']);
  // Adding content to an object being deleted is fine; removing the last finalizer completes the deletion.
  const released = await api.request('PUT', `${CMS}/held`, { body: { ...still, metadata: { ...still.metadata, finalizers: [] } } });
  assert.equal(released.status, 200);
  assert.equal((await api.request('GET', `${CMS}/held`)).status, 404);
});

test('propagation policies: Foreground and Orphan mark with finalizers, Background deletes now', async () => {
  await api.request('POST', CMS, { body: cm('fg') });
  const fg = (await api.request('DELETE', `${CMS}/fg`, { body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Foreground' } })).json();
  assert.deepEqual(fg.metadata.finalizers, ['foregroundDeletion']);
  assert.ok(fg.metadata.deletionTimestamp);
  await api.request('POST', CMS, { body: cm('orphan') });
  const or = (await api.request('DELETE', `${CMS}/orphan?propagationPolicy=Orphan`)).json();
  assert.deepEqual(or.metadata.finalizers, ['orphan']);
  await api.request('POST', CMS, { body: cm('bg') });
  assert.equal((await api.request('DELETE', `${CMS}/bg`, { body: { propagationPolicy: 'Background' } })).status, 200);
  assert.equal((await api.request('GET', `${CMS}/bg`)).status, 404);
  assert.equal((await api.request('DELETE', `${CMS}/fg`, { body: { propagationPolicy: 'Sideways' } })).status, 400);
  // dry-run deletes nothing.
  await api.request('POST', CMS, { body: cm('dry') });
  assert.equal((await api.request('DELETE', `${CMS}/dry?dryRun=All`)).status, 200);
  assert.equal((await api.request('GET', `${CMS}/dry`)).status, 200);
});

test('deletecollection deletes what the selector selects', async () => {
  for (const n of ['dc1', 'dc2', 'dc3']) await api.request('POST', CMS, { body: cm(n, { labels: { batch: n === 'dc3' ? 'keep' : 'drop' } }) });
  const r = await api.request('DELETE', `${CMS}?labelSelector=batch%3Ddrop`);
  assert.equal(r.status, 200);
  assert.deepEqual(r.json().items.map((i: any) => i.metadata.name).sort(), ['dc1', 'dc2']);
  assert.equal((await api.request('GET', `${CMS}/dc3`)).status, 200);
});

test('namespaces: deletion marks Terminating, new content is refused with 403, finalize removes it', async () => {
  assert.equal((await api.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'doomed' } } })).status, 201);
  await api.request('POST', '/api/v1/namespaces/doomed/configmaps', { body: cm('inside') });
  const del = (await api.request('DELETE', '/api/v1/namespaces/doomed')).json();
  assert.equal(del.status.phase, 'Terminating');
  assert.ok(del.metadata.deletionTimestamp);
  const refused = await api.request('POST', '/api/v1/namespaces/doomed/configmaps', { body: cm('late') });
  assert.equal(refused.status, 403);
  assert.equal(refused.json().message, 'configmaps "late" is forbidden: unable to create new content in namespace doomed because it is being terminated');
  assert.equal(refused.json().details.causes[0].reason, 'NamespaceTerminating');
  // The namespace controller empties it, then clears spec.finalizers through the finalize subresource.
  const ns = (await api.request('GET', '/api/v1/namespaces/doomed')).json();
  const fin = await api.request('PUT', '/api/v1/namespaces/doomed/finalize', { body: { ...ns, spec: { finalizers: [] } } });
  assert.equal(fin.status, 200, fin.body);
  assert.equal((await api.request('GET', '/api/v1/namespaces/doomed')).status, 404);
  // A plain update cannot drop spec.finalizers.
  await api.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kept' } } });
  const kept = (await api.request('GET', '/api/v1/namespaces/kept')).json();
  const upd = (await api.request('PUT', '/api/v1/namespaces/kept', { body: { ...kept, spec: { finalizers: [] } } })).json();
  assert.deepEqual(upd.spec.finalizers, ['kubernetes']);
});

test('scheduled pods get a grace period; unscheduled pods and forced deletes go at once', async () => {
  const PODS = '/api/v1/namespaces/default/pods';
  const pod = (name: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'x' }], terminationGracePeriodSeconds: 20 } });
  await api.request('POST', PODS, { body: pod('pending') });
  assert.equal((await api.request('DELETE', `${PODS}/pending`)).status, 200);
  assert.equal((await api.request('GET', `${PODS}/pending`)).status, 404);
  await api.request('POST', PODS, { body: pod('running') });
  await api.request('POST', `${PODS}/running/binding`, { body: { target: { kind: 'Node', name: 'n1' } } });
  const graceful = (await api.request('DELETE', `${PODS}/running`)).json();
  assert.equal(graceful.metadata.deletionGracePeriodSeconds, 20);
  assert.equal(graceful.metadata.deletionTimestamp, '2024-05-01T12:00:20Z');
  assert.equal((await api.request('GET', `${PODS}/running`)).status, 200);
  assert.equal((await api.request('DELETE', `${PODS}/running`, { body: { gracePeriodSeconds: 0 } })).status, 200);
  assert.equal((await api.request('GET', `${PODS}/running`)).status, 404);
});
