// Each namespace isolates: pid, uts, net, mount, ipc, user, time; and the host's files stay out of reach.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { Harness } from './harness.js';

const h = new Harness();
after(() => h.cleanup());

function runOut(args: string[], edit?: Parameters<Harness['bundle']>[1]): string {
  const bundle = h.bundle(['sh', '-c', args.join(' ')], edit);
  return h.ok(['run', '-b', bundle, `ns-${Math.random().toString(36).slice(2, 8)}`]);
}

test('pid namespace: the process is pid 1 and sees no host process', () => {
  const out = runOut(['echo pid=$$; ps -o pid | tail -n +2 | wc -l']);
  assert.match(out, /^pid=1$/m);
  // Only sh itself, ps and wc (a pipeline): never the hundreds of host processes.
  const count = Number(out.trim().split('\n').pop());
  assert.ok(count <= 4, `container sees ${count} processes`);
});

test('uts namespace: own hostname and domainname', () => {
  const out = runOut(['hostname; cat /proc/sys/kernel/domainname'], (s) => {
    s.hostname = 'inside-host';
    s.domainname = 'inside.example';
  });
  assert.deepEqual(out.trim().split('\n'), ['inside-host', 'inside.example']);
  assert.notEqual(fs.readFileSync('/proc/sys/kernel/hostname', 'utf8').trim(), 'inside-host');
});

test('net namespace: only lo, and it is up', () => {
  const out = runOut(['ls /sys/class/net; cat /sys/class/net/lo/operstate; ip -o link 2>/dev/null | wc -l']);
  const lines = out.trim().split('\n');
  assert.equal(lines[0], 'lo');
  assert.match(lines[1]!, /unknown|up/i);
});

test('mount namespace: container mounts are invisible on the host', async () => {
  const bundle = h.bundle(['sleep', '30'], (s) => {
    s.mounts!.push({ destination: '/scratch', type: 'tmpfs', source: 'tmpfs', options: ['size=1m'] });
  });
  h.ok(['create', '-b', bundle, 'mnt1']);
  const st = h.state('mnt1');
  const inside = fs.readFileSync(`/proc/${st.pid}/mountinfo`, 'utf8');
  assert.match(inside, / \/scratch /);
  const host = fs.readFileSync('/proc/self/mountinfo', 'utf8');
  assert.doesNotMatch(host, /\/scratch /);
  assert.ok(!host.includes(path.join(bundle, 'rootfs')), 'rootfs mount leaked to the host');
  h.ok(['delete', '--force', 'mnt1']);
});

test('ipc namespace: a POSIX message queue made inside is not on the host', () => {
  const out = runOut(['touch /dev/mqueue/berth-ipc-test && ls /dev/mqueue && readlink /proc/self/ns/ipc']);
  const [queue, ns] = out.trim().split('\n');
  assert.equal(queue, 'berth-ipc-test');
  assert.notEqual(ns, fs.readlinkSync('/proc/self/ns/ipc'));
  // The host's own queues, seen through a private mqueue mount in the host ipc namespace.
  const hostView = path.join(h.tmp, 'host-mqueue');
  fs.mkdirSync(hostView);
  execFileSync('mount', ['-t', 'mqueue', 'mqueue', hostView]);
  try {
    assert.ok(!fs.readdirSync(hostView).includes('berth-ipc-test'), 'queue visible on the host');
  } finally {
    execFileSync('umount', [hostView]);
  }
});

test('user namespace: the uid/gid mapping is visible in /proc/self/uid_map', () => {
  const out = runOut(['cat /proc/self/uid_map /proc/self/gid_map; id -u'], (s) => {
    s.linux!.namespaces!.push({ type: 'user' });
    s.linux!.uidMappings = [{ containerID: 0, hostID: 200000, size: 65536 }];
    s.linux!.gidMappings = [{ containerID: 0, hostID: 200000, size: 65536 }];
    // A v1 cgroup filesystem cannot be mounted from a user namespace; sysfs needs the netns owned by it (it is).
    s.mounts = s.mounts!.filter((m) => m.type !== 'cgroup');
  });
  const lines = out.trim().split('\n').map((l) => l.trim().split(/\s+/).join(' '));
  assert.deepEqual(lines, ['0 200000 65536', '0 200000 65536', '0']);
});

test('time namespace: monotonic and boottime offsets apply', () => {
  const out = runOut(['cut -d. -f1 /proc/uptime; cat /proc/self/timens_offsets'], (s) => {
    s.linux!.namespaces!.push({ type: 'time' });
    s.linux!.timeOffsets = { monotonic: { secs: 86400 * 10, nanosecs: 0 }, boottime: { secs: 86400 * 10, nanosecs: 0 } };
  });
  const uptime = Number(out.trim().split('\n')[0]);
  const hostUptime = Number(fs.readFileSync('/proc/uptime', 'utf8').split('.')[0]);
  assert.ok(uptime >= 864000 + hostUptime - 5, `uptime inside ${uptime}`);
  assert.match(out, /monotonic\s+864000\s+0/);
});

test('the host filesystem is out of reach', () => {
  const marker = path.join(h.tmp, 'host-secret');
  fs.writeFileSync(marker, 'TOPSECRET');
  const out = runOut([`cat ${marker} 2>&1; ls /../../.. | tr '\\n' ' '; ls /proc/1/root/ | tr '\\n' ' '`]);
  assert.doesNotMatch(out, /TOPSECRET/);
  assert.match(out, /No such file/);
  const [, rootList] = out.trim().split('\n');
  assert.ok(!rootList!.includes('work') && rootList!.includes('bin'), `root listing: ${rootList}`);
});
