// The embedded etcd member: data persists across restarts, the supervisor brings it back after SIGKILL
// (clients and open watches carry on), an orphan left by a crashed server is reclaimed, and start-up
// failures (port taken, bad data dir) come with a clear reason and etcd's log.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { waitFor } from '../../fixtures/etcd.js';
import { freePort, probeHealth, startEmbeddedEtcd, etcdArgs, type EmbeddedEtcd } from '../../../src/cluster/storage/embedded-etcd.js';
import { startEtcdSupervisor, type EtcdSupervisor } from '../../../src/cluster/storage/etcd-supervisor.js';
import { EtcdClient } from '../../../src/cluster/storage/etcd-client.js';
import { createEtcdObjectStore, type StoreWatchEvent } from '../../../src/cluster/storage/object-store.js';

const dirs: string[] = [];
const cleanups: Array<() => Promise<void> | void> = [];
const tempDir = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-embedded-'));
  dirs.push(d);
  return d;
};

after(async () => {
  try {
    for (const c of cleanups.reverse()) {
      try {
        await c();
      } catch (err) {
        console.error('cleanup failed:', err);
      }
    }
  } finally {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  }
});

test('data persists when the member is stopped and started again', { timeout: 60_000 }, async () => {
  const dataDir = path.join(tempDir(), 'etcd');
  let etcd: EmbeddedEtcd = await startEmbeddedEtcd({ dataDir });
  cleanups.push(() => etcd.stop());
  assert.equal(fs.statSync(dataDir).mode & 0o777, 0o700);
  let store = createEtcdObjectStore({ client: new EtcdClient({ endpoints: etcd.endpoints }) });
  await store.create('/registry/namespaces/default', { kind: 'Namespace' });
  await store.close();
  await etcd.stop();
  assert.equal(await probeHealth(etcd.endpoints[0]!), false);

  etcd = await startEmbeddedEtcd({ dataDir });
  store = createEtcdObjectStore({ client: new EtcdClient({ endpoints: etcd.endpoints }) });
  assert.deepEqual((await store.get('/registry/namespaces/default'))?.value, { kind: 'Namespace' });
  await store.close();
  await etcd.stop();
});

test('the supervisor restarts a SIGKILLed member on the same endpoint; clients and watches carry on', { timeout: 90_000 }, async () => {
  const dataDir = path.join(tempDir(), 'etcd');
  const sup: EtcdSupervisor = await startEtcdSupervisor({ embedded: { dataDir, progressNotifyIntervalMs: 1000 }, initialBackoffMs: 50 });
  cleanups.push(() => sup.stop());
  const store = createEtcdObjectStore({ client: new EtcdClient({ endpoints: sup.endpoints }) });
  cleanups.push(() => store.close());
  const first = await store.create('/registry/pods/default/p', { v: 1 });
  const seen: StoreWatchEvent[] = [];
  const cancel = store.watch('/registry/pods/', first.modRevision, (e) => seen.push(e), (err) => assert.fail(err));
  cleanups.push(cancel);
  assert.equal(await sup.check(), true);

  const oldPid = sup.health().pid!;
  process.kill(oldPid, 'SIGKILL');
  await waitFor('the restart', () => sup.health().restarts === 1 && sup.health().state === 'running');
  await sup.running();
  const h = sup.health();
  assert.notEqual(h.pid, oldPid);
  assert.equal(h.lastExit?.signal, 'SIGKILL');
  assert.deepEqual(h.endpoints, sup.endpoints);
  assert.equal(await sup.check(), true);

  assert.deepEqual((await store.get('/registry/pods/default/p'))?.value, { v: 1 });
  const second = await store.update('/registry/pods/default/p', { v: 2 }, first.modRevision);
  await waitFor('the watch to resume', () => seen.length === 1);
  assert.equal(seen[0]!.type, 'MODIFIED');
  assert.equal(seen[0]!.revision, second.modRevision);

  await sup.stop();
  assert.equal(sup.health().state, 'stopped');
  assert.equal(await probeHealth(sup.endpoints[0]!), false);
});

test('an etcd orphaned by a crashed server on the same data dir is stopped and replaced', { timeout: 60_000 }, async () => {
  const dataDir = path.join(tempDir(), 'etcd');
  const args = etcdArgs({ name: 'berth', dataDir, clientPort: await freePort(), peerPort: await freePort(), progressNotifyIntervalMs: 5000 });
  const orphan = spawn('/usr/bin/etcd', args, { stdio: 'ignore', detached: true });
  const orphanExited = new Promise((r) => orphan.on('exit', r));
  cleanups.push(() => {
    if (orphan.exitCode === null && orphan.signalCode === null) orphan.kill('SIGKILL');
  });
  const orphanEndpoint = args.find((a) => a.startsWith('--listen-client-urls='))!.split('=')[1]!;
  await waitFor('the orphan', () => probeHealth(orphanEndpoint, 500));

  const etcd = await startEmbeddedEtcd({ dataDir });
  cleanups.push(() => etcd.stop());
  await orphanExited;
  assert.notEqual(etcd.pid, orphan.pid);
  assert.equal(await probeHealth(etcd.endpoints[0]!), true);
  await etcd.stop();
});

test('a taken port is reported clearly, before etcd is even started', { timeout: 60_000 }, async () => {
  const blocker = net.createServer((socket) => socket.destroy());
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise<void>((r) => blocker.close(() => r())));
  const port = (blocker.address() as net.AddressInfo).port;
  const dir = tempDir();
  await assert.rejects(startEmbeddedEtcd({ dataDir: path.join(dir, 'etcd'), clientPort: port }), new RegExp(`^Error: etcd could not start: client port 127\\.0\\.0\\.1:${port} is already in use$`));
  await assert.rejects(startEmbeddedEtcd({ dataDir: path.join(dir, 'etcd'), peerPort: port }), /peer port .* is already in use/);
  assert.equal(fs.existsSync(path.join(dir, 'etcd.log')), false);
});

test('an etcd that dies while starting is explained, with the tail of its log', { timeout: 60_000 }, async () => {
  const dir = tempDir();
  const fake = path.join(dir, 'fake-etcd');
  // Stands in for the race where the port is taken between our check and etcd's bind.
  fs.writeFileSync(fake, '#!/bin/sh\necho "starting"\necho "listen tcp 127.0.0.1:1234: bind: address already in use" >&2\nexit 1\n', { mode: 0o755 });
  await assert.rejects(startEmbeddedEtcd({ dataDir: path.join(dir, 'etcd'), etcdBinary: fake, clientPort: await freePort() }), (err: Error) => {
    assert.match(err.message, /^etcd could not start: a port 127\.0\.0\.1:1234 is already in use \(exit 1\)/);
    assert.match(err.message, new RegExp(`log ${dir}/etcd\\.log:\nstarting\nlisten tcp`));
    return true;
  });
});

test('a data dir that cannot be one is reported clearly', { timeout: 30_000 }, async () => {
  const file = path.join(tempDir(), 'not-a-dir');
  fs.writeFileSync(file, '');
  await assert.rejects(startEmbeddedEtcd({ dataDir: file }), /etcd data dir .*not-a-dir exists and is not a directory/);
  await assert.rejects(startEmbeddedEtcd({ dataDir: path.join(file, 'etcd') }), /etcd data dir .*not-a-dir\/etcd is unusable: .*not a directory/);
  await assert.rejects(startEmbeddedEtcd({ dataDir: path.join(tempDir(), 'etcd'), etcdBinary: '/nonexistent/etcd' }), /etcd could not be run: .*ENOENT/);
});
