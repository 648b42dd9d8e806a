// `berth cluster up|status|down` as a user runs them, with the real kubectl and the embedded etcd.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { startBerthCluster, run } from './cluster-up-fixture.js';
import { readKubeconfig } from '../../../src/cluster/server/kubeconfig-file.js';
import { readConfig } from '../../../src/cluster/server/state-dir.js';

test('up → kubectl works; up again is idempotent; status; Secrets encrypted in etcd; down leaves nothing; up keeps the data', async () => {
  const c = await startBerthCluster();
  try {
    // The merged kubeconfig: berth is current, the other context is still there.
    const kc = readKubeconfig(c.kubeconfig)!;
    assert.equal(kc['current-context'], 'berth');
    assert.deepEqual(kc.contexts.map((x: { name: string }) => x.name).sort(), ['berth', 'other']);
    assert.equal(fs.statSync(c.kubeconfig).mode & 0o777, 0o600);
    for (const key of ['ca.key', 'apiserver.key', 'admin.key']) assert.equal(fs.statSync(`${c.state.pki}/${key}`).mode & 0o777, 0o600, key);

    const ns = await c.kubectl('get', 'ns');
    assert.equal(ns.code, 0, ns.stderr);
    assert.match(ns.stdout, /^NAME\s+STATUS\s+AGE$/m);
    for (const n of ['default', 'kube-system', 'kube-public']) assert.match(ns.stdout, new RegExp(`^${n}\\s+Active`, 'm'));
    const svc = await c.kubectl('get', 'svc', 'kubernetes', '-o', 'jsonpath={.spec.clusterIP} {.spec.ports[0].port}');
    assert.equal(svc.stdout, '10.96.0.1 443');

    const again = await c.berth('up', '--port', String(c.port));
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /already running \(pid \d+\) at https:\/\/127\.0\.0\.1:\d+/);

    const status = await c.berth('status');
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /Control plane:\s+running \(pid \d+\)/);
    assert.match(status.stdout, new RegExp(`API server:\\s+https://127\\.0\\.0\\.1:${c.port} \\(ready\\)`));
    assert.match(status.stdout, /etcd:\s+embedded \(pid \d+\), 1 member\(s\)/);
    assert.match(status.stdout, /berth\s+[0-9a-f]+\s+http:\/\/127\.0\.0\.1:\d+\s+healthy/);
    const json = JSON.parse((await c.berth('status', '--format', 'json')).stdout);
    assert.equal(json.running, true);
    assert.equal(json.ready, true);
    assert.equal(json.etcd.healthy, true);
    assert.equal(json.etcd.dataDir, c.state.etcdData);

    // A Secret is stored encrypted: etcdctl shows the AES-GCM envelope, never the value.
    const secret = Buffer.from('hunter2-plaintext').toString('base64');
    const created = await c.kubectlWith({ input: `apiVersion: v1\nkind: Secret\nmetadata: {name: db}\ndata: {password: ${secret}}\n` }, 'create', '-f', '-');
    assert.equal(created.code, 0, created.stderr);
    const raw = await run('etcdctl', ['--endpoints', json.etcd.endpoints[0], 'get', '--prefix', '/registry/core/secrets/default/db'], { env: { ...process.env, ETCDCTL_API: '3' } });
    assert.equal(raw.code, 0, raw.stderr);
    assert.match(raw.stdout, /k8s:enc:aesgcm:v1:berth:/);
    assert.doesNotMatch(raw.stdout, /hunter2/);
    assert.ok(!raw.stdout.includes(secret.slice(0, 12)), 'nor its base64 form');
    const back = await c.kubectl('get', 'secret', 'db', '-o', 'jsonpath={.data.password}');
    assert.equal(Buffer.from(back.stdout, 'base64').toString(), 'hunter2-plaintext');

    const pids = c.processes();
    assert.equal(pids.length, 2, 'the server and its etcd');
    const down = await c.berth('down');
    assert.equal(down.code, 0, down.stderr);
    assert.match(down.stdout, /Stopped \(data kept in /);
    assert.deepEqual(c.processes(), [], 'no server or etcd process is left');
    const stopped = await c.berth('status');
    assert.equal(stopped.code, 1);
    assert.match(stopped.stdout, /Control plane:\s+stopped/);
    assert.match((await c.berth('down')).stdout, /not running/);

    // Up again on the saved settings (same port, same etcd ports): the data is all there.
    const etcdPort = readConfig(c.state).etcdClientPort;
    const up2 = await c.berth('up');
    assert.equal(up2.code, 0, up2.stderr + up2.stdout);
    assert.equal(readConfig(c.state).etcdClientPort, etcdPort);
    const still = await c.kubectl('get', 'secret', 'db', '-o', 'jsonpath={.data.password}');
    assert.equal(Buffer.from(still.stdout, 'base64').toString(), 'hunter2-plaintext');
  } finally {
    await c.stop();
  }
  assert.equal(fs.existsSync(c.dir), false);
});
