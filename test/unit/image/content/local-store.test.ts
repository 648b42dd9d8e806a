import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { digestOf, type Digest } from '../../../../src/image/digest.js';
import { isImageError } from '../../../../src/image/errors.js';
import { openContentStore } from '../../../../src/image/content/local-store.js';
import { processStartTime } from '../../../../src/image/content/process-identity.js';

function withStore(fn: (root: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-cs-'));
    try {
      await fn(root);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  };
}

const data = Buffer.from('hello content store\n'.repeat(100));
const digest = digestOf(data);
const hex = digest.slice('sha256:'.length);

test('put, info, has, readAll, reader, path, list, delete', withStore(async (root) => {
  const store = openContentStore(root);
  assert.equal(await store.has(digest), false);
  const info = await store.put(data, digest);
  assert.equal(info.digest, digest);
  assert.equal(info.size, data.length);
  assert.equal(store.path(digest), path.join(root, 'blobs', 'sha256', hex));
  assert.ok((await store.readAll(digest)).equals(data));
  const chunks: Buffer[] = [];
  for await (const c of store.reader(digest, 6)) chunks.push(c as Buffer);
  assert.ok(Buffer.concat(chunks).equals(data.subarray(6)));
  assert.deepEqual((await store.list()).map((b) => b.digest), [digest]);
  // Dedupe: the same content again is not rewritten.
  assert.equal((await store.put(data)).digest, digest);
  assert.equal(await store.writer({ digest }), null);
  await assert.rejects(store.readAll(digest, 10), /is 2000 bytes, above the 10-byte limit/);
  await store.delete(digest);
  assert.equal(await store.has(digest), false);
  await assert.rejects(store.info(digest), (e) => isImageError(e, 'NotFound') && /not found in the content store/.test((e as Error).message));
  await assert.rejects(store.delete(digest), (e) => isImageError(e, 'NotFound'));
  assert.throws(() => store.reader(digest), (e) => isImageError(e, 'NotFound'));
  assert.deepEqual(fs.readdirSync(path.join(root, 'ingest')), []);
}));

test('a blob is not visible before commit, and ingest data lives under ingest/<alg>-<hex>/data', withStore(async (root) => {
  const store = openContentStore(root);
  const w = (await store.writer({ digest, size: data.length }))!;
  assert.equal(w.offset, 0);
  await w.write(data.subarray(0, 100));
  assert.equal(await store.has(digest), false);
  assert.equal(fs.statSync(path.join(root, 'ingest', `sha256-${hex}`, 'data')).size, 100);
  assert.match(fs.readFileSync(path.join(root, 'ingest', `sha256-${hex}`, 'lock'), 'utf8'), new RegExp(`^${process.pid} \\d+\\n$`));
  await w.write(data.subarray(100));
  const info = await w.commit();
  assert.equal(info.size, data.length);
  assert.equal(await store.has(digest), true);
  assert.equal(fs.existsSync(path.join(root, 'ingest', `sha256-${hex}`)), false);
}));

test('digest mismatch is DataLoss naming both digests; the data is discarded', withStore(async (root) => {
  const store = openContentStore(root);
  const wrong = Buffer.from('not the content');
  const w = (await store.writer({ digest }))!;
  await w.write(wrong);
  await assert.rejects(w.commit(), (e) => {
    assert.ok(isImageError(e, 'DataLoss'));
    assert.match((e as Error).message, new RegExp(`blob ${digest}: content has digest ${digestOf(wrong)}`));
    return true;
  });
  assert.equal(await store.has(digest), false);
  assert.deepEqual(await store.ingests(), []);
  await assert.rejects(store.put(wrong, digest), (e) => isImageError(e, 'DataLoss'));
  // More bytes than the expected size fail at once.
  const w2 = (await store.writer({ digest, size: 10 }))!;
  await assert.rejects(w2.write(data), /received more than the expected 10 bytes/);
  assert.deepEqual(await store.ingests(), []);
}));

test('size mismatch is DataLoss', withStore(async (root) => {
  const store = openContentStore(root);
  const w = (await store.writer({ digest, size: data.length }))!;
  await w.write(data.subarray(0, 50));
  await assert.rejects(w.commit(), /and 50 bytes \(expected 2000\)/);
}));

test('an interrupted ingest resumes at its offset after close (and after a new store is opened)', withStore(async (root) => {
  const store = openContentStore(root);
  const w = (await store.writer({ digest, size: data.length }))!;
  await w.write(data.subarray(0, 777));
  await w.close();
  assert.deepEqual(await store.ingests(), [{ digest, offset: 777 }]);
  const again = openContentStore(root);
  const w2 = (await again.writer({ digest, size: data.length }))!;
  assert.equal(w2.offset, 777);
  await w2.write(data.subarray(777));
  assert.equal((await w2.commit()).digest, digest);
  assert.ok((await again.readAll(digest)).equals(data));
}));

test('leftover data longer than the blob is discarded on resume', withStore(async (root) => {
  const store = openContentStore(root);
  const dir = path.join(root, 'ingest', `sha256-${hex}`);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'data'), Buffer.alloc(data.length + 5));
  const w = (await store.writer({ digest, size: data.length }))!;
  assert.equal(w.offset, 0);
  await w.write(data);
  await w.commit();
}));

test('abort discards the partial data', withStore(async (root) => {
  const store = openContentStore(root);
  const w = (await store.writer({ digest }))!;
  await w.write(data.subarray(0, 10));
  await w.abort();
  assert.deepEqual(await store.ingests(), []);
  await assert.rejects(w.write(data), (e) => isImageError(e, 'FailedPrecondition'));
}));

test('a second writer in the same process waits, then finds the blob committed', withStore(async (root) => {
  const store = openContentStore(root);
  const first = (await store.writer({ digest }))!;
  const order: string[] = [];
  const second = store.writer({ digest }).then((w) => {
    order.push('second');
    return w;
  });
  await first.write(data);
  await new Promise((r) => setTimeout(r, 20));
  order.push('commit');
  await first.commit();
  assert.equal(await second, null);
  assert.deepEqual(order, ['commit', 'second']);
}));

test('a second writer after close resumes the first one\'s data', withStore(async (root) => {
  const store = openContentStore(root);
  const first = (await store.writer({ digest }))!;
  const second = store.writer({ digest });
  await first.write(data.subarray(0, 5));
  await first.close();
  const w = (await second)!;
  assert.equal(w.offset, 5);
  await w.abort();
}));

test('another live process holding the lock makes the writer fail with Unavailable naming it; a dead holder is taken over', withStore(async (root) => {
  const store = openContentStore(root);
  const dir = path.join(root, 'ingest', `sha256-${hex}`);
  fs.mkdirSync(dir, { recursive: true });
  const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
  try {
    await new Promise((r) => sleeper.once('spawn', r));
    let start: string | null = null;
    for (let i = 0; i < 100 && !start; i++) start = processStartTime(sleeper.pid!);
    fs.writeFileSync(path.join(dir, 'lock'), `${sleeper.pid} ${start}\n`);
    fs.writeFileSync(path.join(dir, 'data'), data.subarray(0, 3));
    await assert.rejects(store.writer({ digest }), (e) => {
      assert.ok(isImageError(e, 'Unavailable'));
      assert.match((e as Error).message, new RegExp(`blob ${digest} is being written by process ${sleeper.pid}`));
      return true;
    });
    // A same pid with another start time is a reused pid: stale.
    fs.writeFileSync(path.join(dir, 'lock'), `${sleeper.pid} 1\n`);
    const w = (await store.writer({ digest }))!;
    assert.equal(w.offset, 3);
    await w.close();
  } finally {
    sleeper.kill('SIGKILL');
  }
  // The lock of a process that is gone.
  const dead = spawn('true');
  await new Promise((r) => dead.once('exit', r));
  fs.writeFileSync(path.join(dir, 'lock'), `${dead.pid} 12345\n`);
  const w = (await store.writer({ digest }))!;
  assert.equal(w.offset, 3);
  await w.write(data.subarray(3));
  await w.commit();
  assert.equal(fs.existsSync(dir), false);
}));

test('putStream: unknown digest goes through a temp ingest and is renamed; known digest verifies and resumes', withStore(async (root) => {
  const store = openContentStore(root);
  const info = await store.putStream(Readable.from([data.subarray(0, 1000), data.subarray(1000)]));
  assert.equal(info.digest, digest);
  assert.deepEqual(fs.readdirSync(path.join(root, 'ingest')), []);
  // Same content again: deduplicated.
  assert.equal((await store.putStream(Readable.from([data]))).digest, digest);
  await assert.rejects(store.putStream(Readable.from([data]), { size: 5 }), /received 2000 bytes, expected 5/);
  await store.delete(digest);

  const w = (await store.writer({ digest }))!;
  await w.write(data.subarray(0, 1500));
  await w.close();
  // The stream carries the whole blob; the first 1500 bytes are skipped.
  const got = await store.putStream(Readable.from([data.subarray(0, 700), data.subarray(700)]), { digest, size: data.length });
  assert.equal(got.digest, digest);
  assert.ok((await store.readAll(digest)).equals(data));
  const other = Buffer.from('other');
  await assert.rejects(store.putStream(Readable.from([other]), { digest: digestOf(Buffer.from('x')) }), (e) => isImageError(e, 'DataLoss'));
}));

test('invalid digests are refused', withStore(async (root) => {
  const store = openContentStore(root);
  await assert.rejects(store.writer({ digest: 'sha256:nothex' as Digest }), /is not a valid sha256 digest/);
  assert.throws(() => store.path('md5:abc' as Digest), /is not a digest/);
}));

test('a writer process killed with SIGKILL mid-ingest leaves data that the next writer resumes', withStore(async (root) => {
  const storeModule = new URL('../../../../src/image/content/local-store.js', import.meta.url).href;
  const script = `
    const { openContentStore } = await import(${JSON.stringify(storeModule)});
    const store = openContentStore(${JSON.stringify(root)});
    const w = await store.writer({ digest: ${JSON.stringify(digest)}, size: ${data.length} });
    await w.write(Buffer.from(${JSON.stringify(data.subarray(0, 1234).toString())}));
    process.stdout.write('written\\n');
    setInterval(() => {}, 1000);
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('written') && resolve());
      child.once('exit', (code) => reject(new Error(`writer exited early (${code})`)));
    });
    const store = openContentStore(root);
    await assert.rejects(store.writer({ digest }), new RegExp(`being written by process ${child.pid}`));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const w = (await store.writer({ digest, size: data.length }))!;
    assert.equal(w.offset, 1234);
    await w.write(data.subarray(1234));
    await w.commit();
    assert.ok((await store.readAll(digest)).equals(data));
  } finally {
    child.kill('SIGKILL');
  }
}));

test('readAll serves small blobs from memory only while the file is the one it read', withStore(async (root) => {
  const store = openContentStore(root);
  await store.put(data, digest);
  const first = await store.readAll(digest);
  first.fill(0); // a caller scribbling on its buffer must not change what the next reader gets
  assert.ok((await store.readAll(digest)).equals(data));
  // Another process replaces the file (a repair, a corrupt disk): the new bytes are read, not the remembered ones.
  const file = store.path(digest);
  const other = Buffer.from('different bytes, different length');
  fs.writeFileSync(`${file}.new`, other);
  fs.renameSync(`${file}.new`, file);
  assert.ok((await store.readAll(digest)).equals(other));
  // Removed behind the store's back (another process's garbage collection): NotFound, never a stale copy.
  fs.unlinkSync(file);
  await assert.rejects(store.readAll(digest), (e: unknown) => isImageError(e) && /not found/.test((e as Error).message));
  await store.put(data, digest);
  await store.delete(digest);
  await assert.rejects(store.readAll(digest), /not found/);
}));
