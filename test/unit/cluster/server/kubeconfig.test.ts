import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildKubeconfig, kubeconfigPath, mergeKubeconfig } from '../../../../src/cluster/server/kubeconfig.js';
import { formatKubeconfig, parseKubeconfig, readKubeconfig, updateKubeconfig } from '../../../../src/cluster/server/kubeconfig-file.js';

const entry = { name: 'berth', server: 'https://127.0.0.1:6443', caPem: 'CA', client: { certPem: 'CERT', keyPem: 'KEY' } };
const existing = `apiVersion: v1
kind: Config
clusters:
- name: kind-dev
  cluster:
    server: https://127.0.0.1:40000
    certificate-authority-data: AAAA
- name: berth
  cluster:
    server: https://old:1
contexts:
- name: kind-dev
  context:
    cluster: kind-dev
    user: kind-dev
    namespace: apps
users:
- name: kind-dev
  user:
    token: secret
current-context: kind-dev
preferences:
  colors: true
`;

test('merge: replaces the berth entries, keeps everyone else, makes berth current', () => {
  const merged = mergeKubeconfig(parseKubeconfig(existing), entry);
  assert.deepEqual(merged.clusters.map((c: any) => c.name), ['kind-dev', 'berth']);
  assert.deepEqual(merged.clusters[1].cluster, { server: 'https://127.0.0.1:6443', 'certificate-authority-data': Buffer.from('CA').toString('base64') });
  assert.deepEqual(merged.clusters[0].cluster.server, 'https://127.0.0.1:40000');
  assert.deepEqual(merged.contexts.map((c: any) => c.name), ['kind-dev', 'berth']);
  assert.equal(merged.contexts[0].context.namespace, 'apps');
  assert.deepEqual(merged.contexts[1].context, { cluster: 'berth', user: 'berth' });
  assert.deepEqual(merged.users.map((u: any) => u.name), ['kind-dev', 'berth']);
  assert.equal(merged.users[0].user.token, 'secret');
  assert.equal(merged.users[1].user['client-key-data'], Buffer.from('KEY').toString('base64'));
  assert.equal(merged['current-context'], 'berth');
  assert.deepEqual(merged.preferences, { colors: true });
  // Idempotent.
  assert.deepEqual(mergeKubeconfig(merged, entry), merged);
});

test('build: a fresh config with only the entry; token credentials; other identities', () => {
  const k = buildKubeconfig({ ...entry, client: undefined, token: 'tok', userName: 'alice', contextName: 'alice@berth', namespace: 'team' });
  assert.equal(k.apiVersion, 'v1');
  assert.equal(k.kind, 'Config');
  assert.deepEqual(k.users, [{ name: 'alice', user: { token: 'tok' } }]);
  assert.deepEqual(k.contexts, [{ name: 'alice@berth', context: { cluster: 'berth', user: 'alice', namespace: 'team' } }]);
  assert.equal(k['current-context'], 'alice@berth');
});

test('kubeconfig path: first entry of KUBECONFIG, else ~/.kube/config', () => {
  assert.equal(kubeconfigPath({ KUBECONFIG: ':/a/b:/c' }, '/home/u'), '/a/b');
  assert.equal(kubeconfigPath({}, '/home/u'), '/home/u/.kube/config');
});

test('file: YAML in, YAML out, 0600, lock released; an empty file is an empty config', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-kubeconfig-'));
  try {
    const file = path.join(dir, 'sub', 'config');
    await updateKubeconfig(file, (cur) => mergeKubeconfig(cur, entry));
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.equal(fs.existsSync(`${file}.lock`), false);
    fs.writeFileSync(file, existing);
    await updateKubeconfig(file, (cur) => mergeKubeconfig(cur, entry));
    const back = readKubeconfig(file)!;
    assert.equal(back['current-context'], 'berth');
    assert.equal(back.users[0].user.token, 'secret');
    assert.match(fs.readFileSync(file, 'utf8'), /^apiVersion: v1\n/);
    assert.equal(parseKubeconfig('  \n'), undefined);
    assert.throws(() => parseKubeconfig('- a\n- b\n'), /not a kubeconfig/);
    assert.equal(formatKubeconfig({ a: 'x'.repeat(200) }).split('\n').length, 2, 'long values stay on one line');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
