// Watching and paging against a real etcd: `kubectl get -w` prints changes as they happen, --chunk-size
// follows continue tokens, an old revision after compaction is a 410 (as an ERROR event and for lists), and
// @kubernetes/client-node's informer sees every change exactly once and in order.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import * as k8s from '@kubernetes/client-node';
import { startApiServer, type TestApiServer } from '../../fixtures/api-server.js';

let api: TestApiServer;
before(async () => {
  api = await startApiServer();
});
after(() => api.stop());

const CMS = '/api/v1/namespaces/default/configmaps';
const cm = (name: string, data: Record<string, string> = {}) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });

test('kubectl get pods -w prints each change', async () => {
  const w = api.spawnKubectl('get', 'pods', '-w');
  try {
    // kubectl lists first (nothing yet), then watches from the list's revision.
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal((await api.kubectl('run', 'watched', '--image=busybox', '--restart=Never')).code, 0);
    await w.waitFor(/^watched\s+0\/1\s+Pending\s+0\s+\d+s$/m);
    assert.equal((await api.kubectl('label', 'pod/watched', 'seen=yes')).code, 0);
    await w.waitFor(/(^watched\s+0\/1\s+Pending\s+0\s+\d+s\n){2}/m);
    assert.equal((await api.kubectl('delete', 'pod/watched')).code, 0);
    await w.waitFor(/(^watched\s+0\/1\s+Pending\s+0\s+\d+s\n){3}/m);
    assert.match(w.stdout, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\n/);
  } finally {
    await w.stop();
  }
});

test('kubectl get --chunk-size pages through continue tokens', async () => {
  for (let i = 0; i < 7; i++) assert.equal((await api.request('POST', CMS, { body: cm(`page-${i}`) })).status, 201);
  const r = await api.kubectl('get', 'cm', '--chunk-size=3', '-v=6');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stdout.trimEnd().split('\n').slice(1).map((l) => l.split(/\s+/)[0]), Array.from({ length: 7 }, (_, i) => `page-${i}`));
  const requests = r.stderr.split('\n').filter((l) => /GET .*\/configmaps\?/.test(l));
  assert.equal(requests.length, 3, requests.join('\n'));
  assert.match(requests[0]!, /\?limit=3 200 OK/);
  assert.match(requests[1]!, /\?continue=[^&]+&limit=3 200 OK/);
});

function watchOnce(path: string): Promise<any[]> {
  return new Promise((resolve, reject) => {
    http
      .get(`${api.url}${path}`, { agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve(body.split('\n').filter(Boolean).map((l) => JSON.parse(l))));
      })
      .on('error', reject);
  });
}

test('after compaction an old resourceVersion is 410 Expired, for watches and for lists', async () => {
  const first = (await api.request('GET', `${CMS}?limit=2`)).json();
  const old = first.metadata.resourceVersion;
  await api.request('POST', CMS, { body: cm('after-1') });
  await api.request('POST', CMS, { body: cm('after-2') });
  await api.store.compact(await api.store.currentRevision());
  const events = await watchOnce(`${CMS}?watch=true&resourceVersion=${old}`);
  assert.equal(events.length, 1);
  assert.equal(events[0].type, 'ERROR');
  assert.deepEqual({ ...events[0].object, message: undefined }, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: undefined, reason: 'Expired', code: 410 });
  assert.match(events[0].object.message, new RegExp(`^too old resource version: ${old}( \\(\\d+\\))?$`));
  const page = await api.request('GET', `${CMS}?limit=2&continue=${first.metadata.continue}`);
  assert.equal(page.status, 410);
  assert.equal(page.json().reason, 'Expired');
  assert.match(page.json().message, /^The provided continue parameter is too old/);
  // A current revision still works.
  const fresh = (await api.request('GET', CMS)).json().metadata.resourceVersion;
  const ok = await watchOnce(`${CMS}?watch=true&resourceVersion=${fresh}&timeoutSeconds=1`);
  assert.deepEqual(ok, []);
});

test('a @kubernetes/client-node informer sees every change exactly once, in order', async () => {
  await api.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'informed' } } });
  await api.request('POST', '/api/v1/namespaces/informed/configmaps', { body: cm('pre-existing') });
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(api.kubeconfig);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const informer = k8s.makeInformer(kc, '/api/v1/namespaces/informed/configmaps', () => core.listNamespacedConfigMap({ namespace: 'informed' }));
  const seen: string[] = [];
  informer.on('add', (o) => seen.push(`add ${o.metadata!.name} ${o.metadata!.resourceVersion}`));
  informer.on('update', (o) => seen.push(`update ${o.metadata!.name} ${(o as k8s.V1ConfigMap).data?.n}`));
  informer.on('delete', (o) => seen.push(`delete ${o.metadata!.name}`));
  informer.on('error', (err) => seen.push(`error ${err}`));
  await informer.start();
  try {
    const expected: string[] = [];
    const deadline = () => Date.now() + 15_000;
    const until = async (n: number) => {
      const d = deadline();
      while (seen.length < n && Date.now() < d) await new Promise((r) => setTimeout(r, 20));
    };
    await until(1);
    assert.match(seen[0]!, /^add pre-existing \d+$/);
    expected.push(seen[0]!);
    for (let i = 0; i < 5; i++) {
      const created = (await core.createNamespacedConfigMap({ namespace: 'informed', body: { metadata: { name: `cm-${i}` }, data: { n: '0' } } }));
      expected.push(`add cm-${i} ${created.metadata!.resourceVersion}`);
    }
    for (let round = 1; round <= 3; round++) {
      for (let i = 0; i < 5; i++) {
        await core.patchNamespacedConfigMap({ namespace: 'informed', name: `cm-${i}`, body: { data: { n: String(round) } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
        expected.push(`update cm-${i} ${round}`);
      }
    }
    for (let i = 0; i < 5; i++) {
      await core.deleteNamespacedConfigMap({ namespace: 'informed', name: `cm-${i}` });
      expected.push(`delete cm-${i}`);
    }
    await until(expected.length);
    await new Promise((r) => setTimeout(r, 300)); // nothing more may arrive
    assert.deepEqual(seen, expected);
  } finally {
    await informer.stop();
  }
});
