import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { digestOf } from '../../../../src/image/digest.js';
import { openContentStore } from '../../../../src/image/content/local-store.js';
import { activeLeaseResources, createLease } from '../../../../src/image/content/leases.js';
import { collectGarbage } from '../../../../src/image/content/gc.js';
import { currentProcess } from '../../../../src/image/content/process-identity.js';

function withRoot(fn: (root: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-gc-'));
    try {
      await fn(root);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  };
}

async function deadPid(): Promise<number> {
  const p = spawn('true');
  await new Promise((r) => p.once('exit', r));
  return p.pid!;
}

test('leases: resources are active while the lease lives; release drops them; dead processes\' leases are deleted', withRoot(async (root) => {
  const lease = createLease(root, 'pull busybox');
  await lease.add('sha256:aaa');
  await lease.add('snapshot-key 1');
  await lease.add('sha256:aaa');
  const file = path.join(root, 'leases', `${lease.id}.json`);
  const record = JSON.parse(fs.readFileSync(file, 'utf8'));
  assert.equal(record.label, 'pull busybox');
  assert.equal(record.pid, process.pid);
  assert.equal(record.startTime, currentProcess().startTime);
  assert.deepEqual(record.resources, ['sha256:aaa', 'snapshot-key 1']);
  assert.deepEqual([...(await activeLeaseResources(root))].sort(), ['sha256:aaa', 'snapshot-key 1']);

  const orphan = path.join(root, 'leases', 'orphan.json');
  fs.writeFileSync(orphan, JSON.stringify({ ...record, id: 'orphan', pid: await deadPid(), resources: ['sha256:bbb'] }));
  const reused = path.join(root, 'leases', 'reused.json');
  fs.writeFileSync(reused, JSON.stringify({ ...record, id: 'reused', startTime: '1', resources: ['sha256:ccc'] }));
  fs.writeFileSync(path.join(root, 'leases', 'junk.json'), '{not json');
  assert.deepEqual([...(await activeLeaseResources(root))].sort(), ['sha256:aaa', 'snapshot-key 1']);
  assert.deepEqual(fs.readdirSync(path.join(root, 'leases')), [`${lease.id}.json`]);

  await lease.release();
  assert.deepEqual([...(await activeLeaseResources(root))], []);
  await assert.rejects(lease.add('x'), /already released/);
}));

test('gc removes blobs neither kept nor leased, and stale ingests whose lock is free', withRoot(async (root) => {
  const store = openContentStore(root);
  const [a, b, c] = ['kept', 'leased', 'garbage'].map((s) => Buffer.from(s));
  const [da, db, dc] = [a, b, c].map((x) => digestOf(x!));
  for (const x of [a, b, c]) await store.put(x!);
  const lease = createLease(root, 'test');
  await lease.add(db);

  // A fresh abandoned ingest (resumable), an old one, and an old one still locked by this live process.
  const fresh = (await store.writer({ digest: digestOf(Buffer.from('fresh')) }))!;
  await fresh.write(Buffer.from('fre'));
  await fresh.close();
  const old = (await store.writer({ digest: digestOf(Buffer.from('old')) }))!;
  await old.write(Buffer.from('ol'));
  await old.close();
  const busy = (await store.writer({ digest: digestOf(Buffer.from('busy')) }))!;
  await busy.write(Buffer.from('bu'));
  const oldDir = path.join(root, 'ingest', `sha256-${digestOf(Buffer.from('old')).slice(7)}`);
  const busyDir = path.join(root, 'ingest', `sha256-${digestOf(Buffer.from('busy')).slice(7)}`);
  const past = new Date(Date.now() - 3 * 24 * 3600 * 1000);
  for (const d of [oldDir, busyDir]) {
    for (const f of fs.readdirSync(d)) fs.utimesSync(path.join(d, f), past, past);
    fs.utimesSync(d, past, past);
  }

  const result = await collectGarbage(store, root, new Set([da]));
  assert.deepEqual(result.removed, [dc]);
  assert.deepEqual(result.ingests, [path.basename(oldDir)]);
  assert.equal(result.bytes, c.length + 2);
  assert.equal(await store.has(da), true);
  assert.equal(await store.has(db), true);
  assert.equal(fs.existsSync(busyDir), true);
  assert.equal((await store.ingests()).length, 2);

  await lease.release();
  await busy.abort();
  const second = await collectGarbage(store, root, new Set([da]), { ingestMaxAgeMs: 0, now: Date.now() + 1000 });
  assert.deepEqual(second.removed, [db]);
  assert.equal(second.ingests.length, 1);
  assert.deepEqual(await store.ingests(), []);
}));

test('gc removes a temp ingest whose writer died at once (it cannot be resumed), but not a live one', withRoot(async (root) => {
  const store = openContentStore(root);
  const dead = path.join(root, 'ingest', 'tmp-dead');
  fs.mkdirSync(dead, { recursive: true });
  fs.writeFileSync(path.join(dead, 'lock'), `${await deadPid()} 1\n`);
  fs.writeFileSync(path.join(dead, 'data'), 'partial');
  const live = path.join(root, 'ingest', 'tmp-live');
  fs.mkdirSync(live);
  fs.writeFileSync(path.join(live, 'lock'), `${process.pid} ${currentProcess().startTime}\n`);
  const lockless = path.join(root, 'ingest', 'tmp-starting');
  fs.mkdirSync(lockless);
  const expectedBytes = fs.readdirSync(dead).reduce((n, f) => n + fs.statSync(path.join(dead, f)).size, 0);
  const result = await collectGarbage(store, root, new Set());
  assert.deepEqual(result.ingests, ['tmp-dead']);
  assert.equal(result.bytes, expectedBytes);
  assert.ok(fs.existsSync(live));
  assert.ok(fs.existsSync(lockless));
}));
