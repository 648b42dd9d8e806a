// berth-fsops pins a new network namespace (lo up, nothing else) on a file for the engine; umount + unlink
// releases it. Checked from the host with nsenter and the nsfs magic of the pin.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { openFsOps } from '../../../src/image/index.js';
import { isNetnsMounted } from '../../../src/network/index.js';

test('pinNetns makes a namespace with only lo, up; it differs from the host; umount releases it', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-netns-'));
  const file = path.join(dir, 'ns');
  const fsops = openFsOps();
  try {
    fs.writeFileSync(file, '');
    await fsops.pinNetns(file);
    assert.ok(isNetnsMounted(file), 'the file is an nsfs mount');
    const links = spawnSync('nsenter', [`--net=${file}`, 'ip', '-o', 'link'], { encoding: 'utf8' });
    assert.equal(links.status, 0, links.stderr);
    const lines = links.stdout.trim().split('\n');
    assert.equal(lines.length, 1, links.stdout);
    assert.match(lines[0]!, /^1: lo: <LOOPBACK,UP,LOWER_UP>/);
    assert.notEqual(fs.statSync(file).ino, fs.statSync('/proc/self/ns/net').ino, 'a new namespace, not the host one');
    await assert.rejects(fsops.pinNetns(path.join(dir, 'missing')), /ENOENT|No such file/);
    await fsops.umount(file);
    assert.ok(!isNetnsMounted(file));
  } finally {
    await fsops.umount(file, 2).catch(() => undefined);
    await fsops.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('run: a program with exactly the given environment and stdin; its status, stdout and stderr; a timeout kills it', async () => {
  const fsops = openFsOps();
  try {
    const r = await fsops.run('/bin/sh', ['-c', 'cat; echo "to stderr $FOO" >&2; exit 3'], { FOO: 'bar', PATH: '/bin:/usr/bin' }, 'from stdin', 5000);
    assert.deepEqual({ code: r.code, out: r.stdout.toString(), err: r.stderr.toString(), timedOut: r.timedOut }, { code: 3, out: 'from stdin', err: 'to stderr bar\n', timedOut: false });
    const env = await fsops.run('/usr/bin/env', [], { ONLY: '1' }, '', 5000);
    assert.equal(env.stdout.toString(), 'ONLY=1\n');
    const big = await fsops.run('/bin/sh', ['-c', 'head -c 300000 /dev/zero'], { PATH: '/bin:/usr/bin' }, '', 5000);
    assert.equal(big.stdout.length, 300000);
    const slow = await fsops.run('/bin/sleep', ['10'], {}, '', 200);
    assert.equal(slow.timedOut, true);
    assert.equal(slow.code, 128 + 9);
    const missing = await fsops.run('/nonexistent', [], {}, '', 1000);
    assert.equal(missing.code, 127);
    // The runner is still there after all of that.
    assert.equal((await fsops.run('/bin/true', [], {}, '', 1000)).code, 0);
  } finally {
    await fsops.close();
  }
});
