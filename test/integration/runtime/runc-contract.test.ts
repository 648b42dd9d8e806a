// The parts of runc's command-line contract that conmon, containerd and dockerd rely on (shared/notes/runc-cli.md).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { Harness } from './harness.js';

const h = new Harness();
after(() => h.cleanup());

test('exec --process FILE --detach --pid-file: the process file decides argv, env, cwd and user', () => {
  h.ok(['run', '-d', '-b', h.bundle(['sleep', '60']), 'pc1']);
  const proc = path.join(h.tmp, 'process.json');
  fs.writeFileSync(proc, JSON.stringify({
    args: ['sh', '-c', 'echo "$(id -u) $PWD $ONLY" > /dev/shm/exec-out; sleep 30'],
    env: ['PATH=/bin', 'ONLY=from-process-file'], cwd: '/tmp', user: { uid: 7, gid: 7 }, terminal: false,
  }));
  const pidFile = path.join(h.tmp, 'exec.pid');
  assert.equal(h.ok(['exec', '--process', proc, '--detach', '--pid-file', pidFile, 'pc1']), '');
  assert.match(fs.readFileSync(pidFile, 'utf8'), /^\d+$/);
  const init = h.state('pc1').pid;
  let out = '';
  for (let i = 0; i < 100 && !out; i++) {
    try {
      out = fs.readFileSync(`/proc/${init}/root/dev/shm/exec-out`, 'utf8');
    } catch {
      execFileSync('sleep', ['0.02']);
    }
  }
  assert.equal(out.trim(), '7 /tmp from-process-file');
  h.ok(['delete', '--force', 'pc1']);
});

test('a failed exec exits 255 and writes no pid file', () => {
  h.ok(['run', '-d', '-b', h.bundle(['sleep', '60']), 'pc2']);
  const pidFile = path.join(h.tmp, 'never.pid');
  const r = h.cli(['exec', '--detach', '--pid-file', pidFile, 'pc2', '/no/such/binary']);
  assert.equal(r.status, 255);
  assert.ok(!fs.existsSync(pidFile), 'pid file written for a failed exec');
  h.ok(['delete', '--force', 'pc2']);
});

test('a failed create writes no pid file; a console socket without a terminal is refused', () => {
  const pidFile = path.join(h.tmp, 'create.pid');
  assert.notEqual(h.cli(['create', '-b', h.bundle(['/missing']), '--pid-file', pidFile, 'pc3']).status, 0);
  assert.ok(!fs.existsSync(pidFile));
  const r = h.cli(['create', '-b', h.bundle(['true']), '--console-socket', path.join(h.tmp, 'nosock'), 'pc4']);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /console-socket.*terminal/);
});

test('user namespace: a rootfs owned by the mapped range appears root-owned inside', () => {
  const bundle = h.bundle(['sh', '-c', 'stat -c %u:%g /bin/busybox /root; touch /root/written && echo wrote'], (s) => {
    s.root!.readonly = false;
    s.linux!.namespaces!.push({ type: 'user' });
    s.linux!.uidMappings = [{ containerID: 0, hostID: 300000, size: 65536 }];
    s.linux!.gidMappings = [{ containerID: 0, hostID: 300000, size: 65536 }];
    s.mounts = s.mounts!.filter((m) => m.type !== 'cgroup');
  });
  execFileSync('chown', ['-hR', '300000:300000', path.join(bundle, 'rootfs')]);
  const r = h.cli(['run', '-b', bundle, 'pc5']);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n'), ['0:0', '0:0', 'wrote']);
  assert.equal(fs.statSync(path.join(bundle, 'rootfs/root/written')).uid, 300000, 'written as the mapped host uid');
});
