// `berth cluster up --etcd-endpoints` on a 3-member etcd cluster (started here on loopback ports): the API
// keeps working, reads and writes, with one member stopped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEtcdCluster } from '../../fixtures/etcd.js';
import { startBerthCluster } from './cluster-up-fixture.js';

test('external 3-member etcd: status lists the members; stopping one leaves the API working', async () => {
  const etcdDir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-etcd3-'));
  const etcd = await startEtcdCluster(3, etcdDir);
  try {
    const c = await startBerthCluster({ flags: ['--etcd-endpoints', etcd.endpoints.join(',')] });
    try {
      const cm = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}}\ndata: {k: v}\n`;
      assert.equal((await c.kubectlWith({ input: cm('before') }, 'create', '-f', '-')).code, 0);
      const status = JSON.parse((await c.berth('status', '--format', 'json')).stdout);
      assert.equal(status.etcd.mode, 'external');
      assert.deepEqual(status.etcd.members.map((m: { name: string }) => m.name).sort(), ['m0', 'm1', 'm2']);
      assert.ok(status.etcd.members.every((m: { healthy: boolean }) => m.healthy));
      assert.equal(c.processes().length, 1, 'only the API server: no embedded etcd');

      // Stop the member the API server is most likely talking to (the first endpoint).
      await etcd.members[0]!.stop();
      const created = await c.kubectlWith({ input: cm('after') }, 'create', '-f', '-');
      assert.equal(created.code, 0, created.stderr);
      const got = await c.kubectl('get', 'configmaps', '-o', 'jsonpath={.items[*].metadata.name}');
      assert.equal(got.code, 0, got.stderr);
      assert.deepEqual(got.stdout.split(' ').filter((n) => n !== 'kube-root-ca.crt').sort(), ['after', 'before']);
      const status2 = JSON.parse((await c.berth('status', '--format', 'json')).stdout);
      assert.equal(status2.ready, true);
      assert.equal(status2.etcd.members.filter((m: { healthy: boolean }) => m.healthy).length, 2);
    } finally {
      await c.stop();
    }
    // down leaves an external etcd alone.
    assert.ok(etcd.members[1]!.pid, 'external members keep running');
  } finally {
    await etcd.stop();
    fs.rmSync(etcdDir, { recursive: true, force: true });
  }
});
