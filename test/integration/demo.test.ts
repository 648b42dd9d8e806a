// The quick-start demo runs end to end: the isolated, limited container, then import → push → rmi → pull →
// run from an overlay snapshot; it leaves no temp dir, mount or registry process behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const BERTH = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/berth.cjs');

test('berth demo shows the container and the image round trip', () => {
  const before = fs.readdirSync(os.tmpdir()).filter((d) => d.startsWith('berth-demo-'));
  const r = spawnSync(process.execPath, [BERTH, 'demo'], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /my pid: +1\n/);
  assert.match(r.stdout, /hostname: +berth-demo\n/);
  assert.match(r.stdout, /dd exited with status 137/);
  assert.match(r.stdout, /Pushed\n/);
  assert.match(r.stdout, /Status: Downloaded newer image for 127\.0\.0\.1:\d+\/demo\/busybox:1/);
  assert.match(r.stdout, /hello from an image\nfrom-an-image\n/);
  assert.match(r.stdout, /engine demo done/);
  assert.match(r.stdout, /\(no daemon running\)\n[0-9a-f]{12}\n/);
  const after = fs.readdirSync(os.tmpdir()).filter((d) => d.startsWith('berth-demo-'));
  assert.deepEqual(after, before, 'the demo removed its temp dir');
  assert.ok(!fs.readFileSync('/proc/self/mountinfo', 'utf8').includes('berth-demo-'), 'no mounts left');
  assert.equal(spawnSync('pgrep', ['-f', 'berth-demo-.*registry.yml']).status, 1, 'the demo registry stopped');
  assert.ok(!spawnSync('iptables-save', { encoding: 'utf8' }).stdout.includes('berthdemo0'), 'no iptables rule of the demo bridge left');
  assert.notEqual(spawnSync('ip', ['link', 'show', 'berthdemo0']).status, 0, 'the demo bridge is gone');
});
