import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateSpec } from '../../../src/runtime/spec/validate.js';
import { SpecError } from '../../../src/runtime/spec/errors.js';
import { defaultSpec } from '../../../src/runtime/spec/default-spec.js';
import type { Spec } from '../../../src/runtime/spec/types.js';

/** A mutation of the default spec, the field the error must name, and a fragment of the message. */
const BAD: [string, (s: any) => void, string, RegExp][] = [
  ['no ociVersion', (s) => delete s.ociVersion, 'ociVersion', /missing/],
  ['ociVersion 2.x', (s) => (s.ociVersion = '2.0.0'), 'ociVersion', /1\.x/],
  ['no process', (s) => delete s.process, 'process', /missing/],
  ['empty args', (s) => (s.process.args = []), 'process.args', /program/],
  ['args not array', (s) => (s.process.args = 'sh'), 'process.args', /array/],
  ['relative cwd', (s) => (s.process.cwd = 'tmp'), 'process.cwd', /absolute/],
  ['uid name', (s) => (s.process.user.uid = 'root'), 'process.user.uid', /numeric/],
  ['negative gid', (s) => (s.process.user.gid = -1), 'process.user.gid', /numeric/],
  ['bad additionalGid', (s) => (s.process.user.additionalGids = [1, 2.5]), 'process.user.additionalGids[1]', /numeric/],
  ['umask too big', (s) => (s.process.user.umask = 0o1000), 'process.user.umask', /511/],
  ['env without =', (s) => s.process.env.push('FOO'), 'process.env[2]', /KEY=value/],
  ['oomScoreAdj', (s) => (s.process.oomScoreAdj = 2000), 'process.oomScoreAdj', /-1000/],
  ['unknown cap', (s) => s.process.capabilities.effective.push('CAP_FLY'), 'process.capabilities.effective[3]', /CAP_FLY/],
  ['lower-case cap', (s) => (s.process.capabilities.ambient = ['cap_kill']), 'process.capabilities.ambient[0]', /unknown capability/],
  ['unknown rlimit', (s) => s.process.rlimits.push({ type: 'RLIMIT_FOO', soft: 1, hard: 1 }), 'process.rlimits[1].type', /RLIMIT_FOO/],
  ['duplicate rlimit', (s) => s.process.rlimits.push({ type: 'RLIMIT_NOFILE', soft: 1, hard: 1 }), 'process.rlimits[1].type', /duplicate/],
  ['soft > hard', (s) => (s.process.rlimits[0].soft = 2048), 'process.rlimits[0].soft', /exceeds hard/],
  ['no root', (s) => delete s.root, 'root.path', /missing/],
  ['relative mount dest', (s) => s.mounts.push({ destination: 'data', type: 'tmpfs' }), 'mounts[7].destination', /absolute/],
  ['bind without source', (s) => s.mounts.push({ destination: '/d', options: ['rbind'] }), 'mounts[7].source', /host path/],
  ['mount without type', (s) => s.mounts.push({ destination: '/d', source: 'x' }), 'mounts[7].type', /filesystem type/],
  ['unknown namespace', (s) => s.linux.namespaces.push({ type: 'foo' }), 'linux.namespaces[6].type', /unknown namespace "foo" \(use one of pid, network/],
  ['duplicate namespace', (s) => s.linux.namespaces.push({ type: 'pid' }), 'linux.namespaces[6].type', /duplicate/],
  ['relative ns path', (s) => (s.linux.namespaces[0].path = 'proc/1/ns/pid'), 'linux.namespaces[0].path', /absolute/],
  ['mappings without userns', (s) => (s.linux.uidMappings = [{ containerID: 0, hostID: 1000, size: 1 }]), 'linux.uidMappings', /user namespace/],
  ['userns without mappings', (s) => s.linux.namespaces.push({ type: 'user' }), 'linux.uidMappings', /needs id mappings/],
  ['mapping size 0', (s) => {
    s.linux.namespaces.push({ type: 'user' });
    s.linux.uidMappings = [{ containerID: 0, hostID: 1000, size: 0 }];
    s.linux.gidMappings = [{ containerID: 0, hostID: 1000, size: 1 }];
  }, 'linux.uidMappings[0].size', /at least 1/],
  ['timeOffsets without timens', (s) => (s.linux.timeOffsets = { monotonic: { secs: 1 } }), 'linux.timeOffsets', /time namespace/],
  ['timeOffsets bad clock', (s) => {
    s.linux.namespaces.push({ type: 'time' });
    s.linux.timeOffsets = { realtime: { secs: 1 } };
  }, 'linux.timeOffsets.realtime', /monotonic/],
  ['hostname without uts', (s) => (s.linux.namespaces = s.linux.namespaces.filter((n: any) => n.type !== 'uts')), 'hostname', /uts namespace/],
  ['net sysctl without netns', (s) => {
    s.linux.namespaces = s.linux.namespaces.filter((n: any) => n.type !== 'network');
    s.linux.sysctl = { 'net.ipv4.ip_forward': '1' };
  }, 'linux.sysctl.net.ipv4.ip_forward', /network namespace/],
  ['ipc sysctl without ipcns', (s) => {
    s.linux.namespaces = s.linux.namespaces.filter((n: any) => n.type !== 'ipc');
    s.linux.sysctl = { 'kernel.shmmax': '1' };
  }, 'linux.sysctl.kernel.shmmax', /ipc namespace/],
  ['mqueue sysctl without ipcns', (s) => {
    s.linux.namespaces = s.linux.namespaces.filter((n: any) => n.type !== 'ipc');
    s.linux.sysctl = { 'fs.mqueue.msg_max': '1' };
  }, 'linux.sysctl.fs.mqueue.msg_max', /ipc namespace/],
  ['host sysctl', (s) => (s.linux.sysctl = { 'vm.swappiness': '1' }), 'linux.sysctl.vm.swappiness', /not namespaced/],
  ['sysctl non-string', (s) => (s.linux.sysctl = { 'net.core.somaxconn': 5 }), 'linux.sysctl.net.core.somaxconn', /string/],
  ['device bad type', (s) => (s.linux.devices = [{ path: '/dev/x', type: 'q' }]), 'linux.devices[0].type', /c, b, u or p/],
  ['device no major', (s) => (s.linux.devices = [{ path: '/dev/x', type: 'c', minor: 1 }]), 'linux.devices[0].major', /major/],
  ['device relative', (s) => (s.linux.devices = [{ path: 'dev/x', type: 'p' }]), 'linux.devices[0].path', /absolute/],
  ['rootfsPropagation', (s) => (s.linux.rootfsPropagation = 'everywhere'), 'linux.rootfsPropagation', /rslave/],
  ['masked relative', (s) => s.linux.maskedPaths.push('proc/x'), 'linux.maskedPaths[10]', /absolute/],
  ['memory limit', (s) => (s.linux.resources.memory = { limit: -5 }), 'linux.resources.memory.limit', /-1 for unlimited/],
  ['swap < limit', (s) => (s.linux.resources.memory = { limit: 2000000, swap: 1000000 }), 'linux.resources.memory.swap', /below the memory limit/],
  ['swappiness', (s) => (s.linux.resources.memory = { swappiness: 101 }), 'linux.resources.memory.swappiness', /0 to 100/],
  ['cpu shares 1', (s) => (s.linux.resources.cpu = { shares: 1 }), 'linux.resources.cpu.shares', /2 to 262144/],
  ['cpu period', (s) => (s.linux.resources.cpu = { period: 10 }), 'linux.resources.cpu.period', /1000 to 1000000/],
  ['cpu quota', (s) => (s.linux.resources.cpu = { quota: 5 }), 'linux.resources.cpu.quota', /at least 1000/],
  ['cpu burst > quota', (s) => (s.linux.resources.cpu = { quota: 50000, burst: 60000 }), 'linux.resources.cpu.burst', /exceeds quota/],
  ['cpus syntax', (s) => (s.linux.resources.cpu = { cpus: '0-2,,4' }), 'linux.resources.cpu.cpus', /0-2,4/],
  ['cpus descending', (s) => (s.linux.resources.cpu = { cpus: '3-1' }), 'linux.resources.cpu.cpus', /ascending/],
  ['mems syntax', (s) => (s.linux.resources.cpu = { mems: 'a' }), 'linux.resources.cpu.mems', /invalid list/],
  ['pids', (s) => (s.linux.resources.pids = { limit: -2 }), 'linux.resources.pids.limit', /unlimited/],
  ['blkio weight', (s) => (s.linux.resources.blockIO = { weight: 5 }), 'linux.resources.blockIO.weight', /10 to 1000/],
  ['blkio device weight', (s) => (s.linux.resources.blockIO = { weightDevice: [{ major: 8, minor: 0, weight: 2000 }] }),
    'linux.resources.blockIO.weightDevice[0].weight', /10 to 1000/],
  ['hugepage size', (s) => (s.linux.resources.hugepageLimits = [{ pageSize: '2M', limit: 1 }]), 'linux.resources.hugepageLimits[0].pageSize', /2MB/],
  ['device rule access', (s) => (s.linux.resources.devices = [{ allow: true, access: 'rwx' }]), 'linux.resources.devices[0].access', /r, w, m/],
];

for (const [name, mutate, field, message] of BAD) {
  test(`validateSpec refuses: ${name}`, () => {
    const spec = defaultSpec();
    mutate(spec);
    assert.throws(() => validateSpec(spec), (err: unknown) => {
      assert.ok(err instanceof SpecError, `expected SpecError, got ${String(err)}`);
      assert.equal(err.field, field);
      assert.match(err.message, message);
      assert.ok(err.message.startsWith(`${field}: `), err.message);
      return true;
    });
  });
}

const GOOD: [string, (s: any) => void][] = [
  ['default spec', () => {}],
  ['ociVersion pre-release', (s) => (s.ociVersion = '1.0.2-dev')],
  ['netns sysctl', (s) => (s.linux.sysctl = { 'net.ipv4.ip_forward': '1', 'net/core/somaxconn': '100', 'kernel.shmmax': '1' })],
  ['domainname sysctl with uts', (s) => (s.linux.sysctl = { 'kernel.domainname': 'x' })],
  ['rlimit infinity', (s) => s.process.rlimits.push({ type: 'RLIMIT_CORE', soft: 18446744073709551615, hard: 18446744073709551615 })],
  ['unlimited memory and swap', (s) => (s.linux.resources.memory = { limit: -1, swap: -1 })],
  ['memory with swap', (s) => (s.linux.resources.memory = { limit: 1 << 20, swap: 2 << 20 })],
  ['cpu', (s) => (s.linux.resources.cpu = { shares: 1024, quota: 50000, period: 100000, cpus: '0-2,4', mems: '0' })],
  ['time namespace', (s) => {
    s.linux.namespaces.push({ type: 'time' });
    s.linux.timeOffsets = { monotonic: { secs: 10, nanosecs: 5 }, boottime: { secs: -3 } };
  }],
  ['joined namespaces', (s) => (s.linux.namespaces[1].path = '/proc/1/ns/net')],
  ['bind with type bind', (s) => s.mounts.push({ destination: '/data', type: 'bind', source: 'data' })],
  ['devices', (s) => (s.linux.devices = [{ path: '/dev/fuse', type: 'c', major: 10, minor: 229, fileMode: 0o20666 }, { path: '/dev/p', type: 'p' }])],
  ['all capabilities', (s) => (s.process.capabilities.bounding = ['CAP_CHOWN', 'CAP_CHECKPOINT_RESTORE', 'CAP_BPF'])],
];

for (const [name, mutate] of GOOD) {
  test(`validateSpec accepts: ${name}`, () => {
    const spec: Spec = defaultSpec();
    mutate(spec);
    validateSpec(spec);
  });
}

test('validateSpec accepts the rootless default spec', () => {
  validateSpec(defaultSpec({ rootless: true, uid: 1000, gid: 1000 }));
});

test('validateSpec refuses a non-object', () => {
  assert.throws(() => validateSpec(null as unknown as Spec), SpecError);
});
