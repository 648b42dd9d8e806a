// An unprivileged user runs containers (runc's rootless mode): a user namespace mapping only its own uid,
// no cgroups it may not create, and the lifecycle verbs still work; those that need a cgroup say so.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { makeBusyboxRootfs } from '../../../src/demo/busybox.js';
import { defaultSpec } from '../../../src/runtime/spec/default-spec.js';
import { packageRoot } from '../../../src/common/package-root.js';

const NOBODY = 65534;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-rootless-'));
fs.chmodSync(tmp, 0o755);
const root = path.join(tmp, 'state');
fs.mkdirSync(root);
fs.chownSync(root, NOBODY, NOBODY);
const runtime = path.join(packageRoot(), 'bin/berth-runtime.cjs');

after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** berth-runtime as the unprivileged user nobody (no --rootless flag: auto-detected from the uid). */
function asNobody(args: string[]) {
  return spawnSync('setpriv', ['--reuid', String(NOBODY), '--regid', String(NOBODY), '--clear-groups',
    process.execPath, runtime, '--root', root, ...args], { encoding: 'utf8', timeout: 30_000, cwd: tmp });
}

function bundle(name: string, args: string[]): string {
  const dir = path.join(tmp, name);
  makeBusyboxRootfs(path.join(dir, 'rootfs'));
  const spec = defaultSpec({ rootless: true, uid: NOBODY, gid: NOBODY, args });
  spec.process!.terminal = false;
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(spec));
  return dir;
}

test('nobody runs a container: root inside, mapped to nobody outside, own pid namespace', () => {
  const r = asNobody(['run', '-b', bundle('b1', ['sh', '-c', 'id -u; echo pid=$$; cat /proc/self/uid_map']), 'rl1']);
  assert.equal(r.status, 0, r.stderr);
  const [uid, pid, map] = r.stdout.trim().split('\n');
  assert.equal(uid, '0');
  assert.equal(pid, 'pid=1');
  assert.deepEqual(map!.trim().split(/\s+/), ['0', String(NOBODY), '1']);
  assert.match(r.stderr, /rootless: running without a cgroup/);
});

test('rootless lifecycle: create, state, start, kill, delete; pause refuses clearly', async () => {
  const b = bundle('b2', ['sleep', '30']);
  assert.equal(asNobody(['create', '-b', b, 'rl2']).status, 0);
  const st = JSON.parse(asNobody(['state', 'rl2']).stdout);
  assert.equal(st.status, 'created');
  assert.equal(fs.statSync(`/proc/${st.pid}`).uid, NOBODY, 'the container process belongs to nobody on the host');
  assert.equal(asNobody(['start', 'rl2']).status, 0);
  assert.equal(JSON.parse(asNobody(['state', 'rl2']).stdout).status, 'running');
  const pause = asNobody(['pause', 'rl2']);
  assert.notEqual(pause.status, 0);
  assert.match(pause.stderr, /no cgroup/);
  assert.equal(asNobody(['kill', 'rl2', 'KILL']).status, 0);
  for (let i = 0; i < 100 && JSON.parse(asNobody(['state', 'rl2']).stdout).status !== 'stopped'; i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(asNobody(['delete', 'rl2']).status, 0);
  assert.deepEqual(fs.readdirSync(root), []);
});

test('rootless with resource limits it cannot apply fails clearly and leaves nothing', () => {
  const b = bundle('b3', ['true']);
  const spec = JSON.parse(fs.readFileSync(path.join(b, 'config.json'), 'utf8'));
  spec.linux.resources = { memory: { limit: 64 * 1024 * 1024 } };
  fs.writeFileSync(path.join(b, 'config.json'), JSON.stringify(spec));
  const r = asNobody(['run', '-b', b, 'rl3']);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /rootless: cannot create cgroup .*linux\.resources/);
  assert.deepEqual(fs.readdirSync(root), []);
});
