// Persistent network namespaces: a new namespace (not the host's) pinned by a bind mount, loopback up, refused
// twice on one path, and removed idempotently (no mount, no file).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createNetns, removeNetns, isNetnsMounted, isNetworkError } from '../../../src/network/index.js';
import { inNetns, mountsUnder } from './harness.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-netns-it-'));
after(async () => {
  for (const m of mountsUnder(tmp)) await removeNetns(m).catch(() => undefined);
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('createNetns pins a new namespace with lo up; removeNetns releases it and is idempotent', async () => {
  const p = path.join(tmp, 'run', 'netns', 'c1'); // parent directories are created
  await createNetns(p);
  assert.equal(isNetnsMounted(p), true);
  assert.notEqual(fs.statSync(p).ino, fs.statSync('/proc/self/ns/net').ino, 'a namespace of its own, not the host one');
  assert.deepEqual(mountsUnder(tmp), [p]);

  const links = JSON.parse((await inNetns(p, ['ip', '-j', 'link', 'show'])).stdout) as { ifname: string; flags: string[] }[];
  assert.deepEqual(links.map((l) => l.ifname), ['lo'], 'only loopback inside');
  assert.ok(links[0]!.flags.includes('UP'), 'lo is up');
  assert.equal((await inNetns(p, ['busybox', 'ping', '-c1', '-W2', '127.0.0.1'])).code, 0);

  await assert.rejects(createNetns(p), (e: unknown) => isNetworkError(e, 'Conflict'));

  await removeNetns(p);
  assert.equal(isNetnsMounted(p), false);
  assert.equal(fs.existsSync(p), false);
  assert.deepEqual(mountsUnder(tmp), []);
  await removeNetns(p); // again: nothing to do, no error
});

test('setup commands run inside the new namespace', async () => {
  const p = path.join(tmp, 'c2');
  await createNetns(p, ['link add eth7 type veth peer name peer7', 'addr add 10.123.7.9/24 dev eth7']);
  try {
    const out = (await inNetns(p, ['ip', '-4', '-o', 'addr', 'show', 'eth7'])).stdout;
    assert.match(out, /inet 10\.123\.7\.9\/24/);
  } finally {
    await removeNetns(p);
  }
  assert.equal(fs.existsSync(p), false);
});

test('a failing setup leaves no namespace behind and names the path', async () => {
  const p = path.join(tmp, 'c3');
  await assert.rejects(createNetns(p, ['link add x type no-such-type']), (e: unknown) => isNetworkError(e, 'Internal') && (e as Error).message.includes(p));
  assert.equal(isNetnsMounted(p), false);
  assert.equal(fs.existsSync(p), false);
});
