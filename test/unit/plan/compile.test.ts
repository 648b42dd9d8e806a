import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileLaunchPlan, compileExecProcess, compileMount } from '../../../src/runtime/plan/compile.js';
import { serializePlan } from '../../../src/runtime/plan/launch-plan.js';
import { MS_BIND, MS_REC, MS_RDONLY, MS_PRIVATE } from '../../../src/runtime/plan/mount-options.js';
import { DEFAULT_DEVICES } from '../../../src/runtime/plan/devices.js';
import { defaultSpec } from '../../../src/runtime/spec/default-spec.js';
import { validateSpec } from '../../../src/runtime/spec/validate.js';
import { SpecError } from '../../../src/runtime/spec/errors.js';
import type { Spec } from '../../../src/runtime/spec/types.js';

function representative(): Spec {
  const s = defaultSpec({ args: ['/bin/echo', 'hello world'] });
  const p = s.process!;
  p.terminal = false;
  p.user = { uid: 1000, gid: 1000, additionalGids: [10, 20], umask: 0o22 };
  p.env = ['PATH=/bin', 'GREETING=hi there'];
  p.cwd = '/work';
  p.oomScoreAdj = 100;
  p.rlimits = [{ type: 'RLIMIT_NOFILE', soft: 1024, hard: 4096 }, { type: 'RLIMIT_CORE', soft: -1, hard: -1 }];
  s.domainname = 'example.org';
  s.mounts = [
    ...s.mounts!.slice(0, 3),
    { destination: '/data', type: 'bind', source: 'data', options: ['rbind', 'ro', 'rprivate'] },
  ];
  s.linux!.namespaces = [
    { type: 'pid' }, { type: 'network', path: '/var/run/netns/x' }, { type: 'mount' }, { type: 'uts' }, { type: 'time' },
  ];
  s.linux!.timeOffsets = { monotonic: { secs: 86400, nanosecs: 5 } };
  s.linux!.devices = [{ path: '/dev/fuse', type: 'c', major: 10, minor: 229, fileMode: 0o20600 }];
  s.linux!.maskedPaths = ['/proc/kcore'];
  s.linux!.readonlyPaths = ['/proc/sys'];
  s.linux!.sysctl = { 'net/ipv4/ip_forward': '1' };
  s.linux!.rootfsPropagation = 'rprivate';
  return s;
}

test('a representative config compiles to the expected plan lines', () => {
  const spec = representative();
  validateSpec(spec);
  const plan = compileLaunchPlan(spec, '/bundle/rootfs', { bundleDir: '/bundle' });
  assert.equal(serializePlan(plan), [
    'berth-plan 1',
    'ns-new pid',
    'ns-new mount',
    'ns-new uts',
    'ns-new time',
    'ns-join net /var/run/netns/x',
    'timens monotonic 86400 5',
    'rootfs /bundle/rootfs',
    'rootfs-propagation rprivate',
    'readonly-root',
    'mount proc /proc proc 0 0 %',
    'mount tmpfs /dev tmpfs 16777218 0 mode=755,size=65536k',
    'mount devpts /dev/pts devpts 10 0 newinstance,ptmxmode=0666,mode=0620,gid=5',
    `mount /bundle/data /data bind ${MS_BIND | MS_REC | MS_RDONLY} ${MS_PRIVATE | MS_REC} %`,
    'device /dev/null c 1 3 438 0 0',
    'device /dev/zero c 1 5 438 0 0',
    'device /dev/full c 1 7 438 0 0',
    'device /dev/random c 1 8 438 0 0',
    'device /dev/urandom c 1 9 438 0 0',
    'device /dev/tty c 5 0 438 0 0',
    'device /dev/fuse c 10 229 384 0 0',
    'symlink /proc/self/fd /dev/fd',
    'symlink /proc/self/fd/0 /dev/stdin',
    'symlink /proc/self/fd/1 /dev/stdout',
    'symlink /proc/self/fd/2 /dev/stderr',
    'symlink /proc/kcore /dev/core',
    'symlink pts/ptmx /dev/ptmx',
    'masked-path /proc/kcore',
    'readonly-path /proc/sys',
    'hostname berth',
    'domainname example.org',
    'sysctl net.ipv4.ip_forward 1',
    'rlimit 7 1024 4096',
    'rlimit 4 -1 -1',
    'oom-score-adj 100',
    'cwd /work',
    'user 1000 1000',
    'groups 10 20',
    'umask 0022',
    'caps bounding 20000420',
    'caps effective 20000420',
    'caps inheritable 0',
    'caps permitted 20000420',
    'caps ambient 0',
    'no-new-privileges',
    'env PATH=/bin',
    'env GREETING=hi%20there',
    'arg /bin/echo',
    'arg hello%20world',
    'end',
    '',
  ].join('\n'));
});

test('the default spec compiles with a new netns (loopback up) and a terminal', () => {
  const plan = compileLaunchPlan(defaultSpec(), '/b/rootfs', {});
  assert.deepEqual(plan.newNamespaces, ['pid', 'net', 'ipc', 'uts', 'mount', 'cgroup']);
  assert.equal(plan.loopbackUp, true);
  assert.equal(plan.process.terminal, true);
  assert.deepEqual(plan.cgroupProcs, []);
  assert.equal(plan.execFifo, undefined);
  assert.equal(plan.wait, undefined);
  assert.equal(plan.process.consoleSocket, undefined);
  assert.equal(plan.rootfsPropagation, undefined);
  assert.equal(plan.mounts.find((m) => m.destination === '/sys/fs/cgroup')?.fstype, 'cgroup');
});

test('a user-namespace config gets device binds, id maps, and setgroups deny only when rootless', () => {
  const spec = defaultSpec({ rootless: true, uid: 1000, gid: 1001 });
  spec.linux!.devices = [{ path: '/dev/fuse', type: 'c', major: 10, minor: 229 }];
  validateSpec(spec);
  const plan = compileLaunchPlan(spec, '/b/rootfs', { bundleDir: '/b' });
  assert.deepEqual(plan.devices, []);
  assert.deepEqual(plan.deviceBinds, [...DEFAULT_DEVICES.map((d) => d.path), '/dev/fuse']);
  assert.deepEqual(plan.uidMappings, [{ inside: 0, outside: 1000, count: 1 }]);
  assert.deepEqual(plan.gidMappings, [{ inside: 0, outside: 1001, count: 1 }]);
  assert.equal(plan.setgroupsDeny, undefined);
  assert.equal(plan.loopbackUp, undefined);
  const text = serializePlan(compileLaunchPlan(spec, '/b/rootfs', { bundleDir: '/b', rootless: true }));
  assert.match(text, /^ns-new user$/m);
  assert.match(text, /^uidmap 0 1000 1$\ngidmap 0 1001 1\nsetgroups deny$/m);
  assert.match(text, /^device-bind \/dev\/null$/m);
  assert.doesNotMatch(text, /^device /m);
  assert.match(text, /^mount \/sys \/sys none 20495 0 %$/m);
});

test('joining a user namespace also binds devices and writes no maps', () => {
  const spec = defaultSpec();
  spec.linux!.namespaces!.push({ type: 'user', path: '/proc/42/ns/user' });
  spec.linux!.uidMappings = [{ containerID: 0, hostID: 1000, size: 1 }];
  const plan = compileLaunchPlan(spec, '/r', {});
  assert.deepEqual(plan.devices, []);
  assert.equal(plan.deviceBinds.length, 6);
  assert.deepEqual(plan.uidMappings, []);
  assert.deepEqual(plan.joinNamespaces, [{ type: 'user', path: '/proc/42/ns/user' }]);
});

test('a host /dev bind mount gets no device nodes or symlinks (as runc)', () => {
  const spec = defaultSpec();
  spec.mounts![1] = { destination: '/dev', type: 'bind', source: '/dev', options: ['rbind'] };
  const plan = compileLaunchPlan(spec, '/r', {});
  assert.deepEqual([plan.devices, plan.deviceBinds, plan.symlinks], [[], [], []]);
});

test('compileMount handles bind types, relative sources and unsupported options', () => {
  assert.deepEqual(compileMount({ destination: '/x', type: 'bind', source: '/host' }, 'mounts[0]'),
    { source: '/host', destination: '/x', fstype: 'bind', flags: MS_BIND, propagation: 0, data: '' });
  assert.equal(compileMount({ destination: '/x', source: 'rel', options: ['bind'] }, 'm', { bundleDir: '/b' }).source, '/b/rel');
  assert.throws(() => compileMount({ destination: '/x', source: 'rel', options: ['rbind'] }, 'mounts[2]'),
    (err: unknown) => err instanceof SpecError && err.field === 'mounts[2].source');
  assert.throws(() => compileMount({ destination: '/x', source: '/a', options: ['rbind', 'rro'] }, 'mounts[1]'),
    (err: unknown) => err instanceof SpecError && err.field === 'mounts[1].options' && /rro/.test(err.message));
  assert.throws(() => compileMount({ destination: '/x', source: '/a', options: ['bind', 'idmap'] }, 'mounts[1]'), /id-mapped/);
  const warnings: string[] = [];
  const m = compileMount({ destination: '/t', type: 'tmpfs', source: 'tmpfs', options: ['tmpcopyup', 'size=1m'] }, 'mounts[4]',
    { warn: (w) => warnings.push(w) });
  assert.equal(m.data, 'size=1m');
  assert.match(warnings[0] ?? '', /mounts\[4\].*tmpcopyup/);
});

test('compileExecProcess maps the process settings', () => {
  const p = compileExecProcess({
    args: ['ls'], cwd: '/', user: { uid: 0, gid: 0 }, terminal: true, consoleSize: { height: 24, width: 80 },
    capabilities: { bounding: ['CAP_KILL'], ambient: ['CAP_KILL'] },
  });
  assert.deepEqual(p.consoleSize, { rows: 24, cols: 80 });
  assert.equal(p.terminal, true);
  assert.deepEqual(p.caps, { bounding: 32n, effective: 0n, inheritable: 0n, permitted: 0n, ambient: 32n });
  assert.deepEqual(p.env, []);
  assert.deepEqual(p.groups, []);
  assert.equal(p.umask, undefined);
  const none = compileExecProcess({ args: ['ls'], cwd: '/', user: { uid: 0, gid: 0 } });
  assert.equal(none.caps, undefined);
});

test('capabilities above cap_last_cap are dropped with one warning; unknown ones are refused', () => {
  const warnings: string[] = [];
  const p = compileExecProcess({
    args: ['ls'], cwd: '/', user: { uid: 0, gid: 0 },
    capabilities: { bounding: ['CAP_KILL', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE'], effective: ['CAP_BPF'] },
  }, { lastCap: 38, warn: (w) => warnings.push(w) });
  assert.equal(p.caps?.bounding, 32n);
  assert.equal(p.caps?.effective, 0n);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0] ?? '', /CAP_BPF, CAP_CHECKPOINT_RESTORE/);
  assert.throws(() => compileExecProcess({ args: ['ls'], cwd: '/', user: { uid: 0, gid: 0 }, capabilities: { permitted: ['CAP_NOPE'] } }),
    (err: unknown) => err instanceof SpecError && err.field === 'process.capabilities.permitted[0]');
});

test('in-container hooks compile to hook lines (argv defaults to [path]); runtime-namespace kinds stay out', () => {
  const s = defaultSpec({ args: ['true'] });
  s.hooks = {
    prestart: [{ path: '/host/prestart' }],
    startContainer: [{ path: '/in/container', timeout: 5, env: ['A=b c'] }],
    createContainer: [{ path: '/host/hook', args: ['hook', 'x y', ''], env: [] }],
  };
  const plan = compileLaunchPlan(s, '/b/rootfs');
  assert.deepEqual(plan.hooks, [
    { kind: 'createContainer', path: '/host/hook', args: ['hook', 'x y', ''], env: [], timeout: 0 },
    { kind: 'startContainer', path: '/in/container', args: ['/in/container'], env: ['A=b c'], timeout: 5 },
  ]);
  const text = serializePlan(plan);
  const hookLines = text.split('\n').filter((l) => l.startsWith('hook'));
  assert.deepEqual(hookLines, [
    'hook createContainer 0 /host/hook', 'hook-arg hook', 'hook-arg x%20y', 'hook-arg %',
    'hook startContainer 5 /in/container', 'hook-arg /in/container', 'hook-env A=b%20c',
  ]);
  assert.ok(!text.includes('prestart'), 'Node runs the runtime-namespace hooks itself');
  assert.equal(compileLaunchPlan(defaultSpec({ args: ['true'] }), '/r').hooks, undefined);
});

test('the launch-order flags are plan lines at the end: wait, no-hold, cgroup-wait', () => {
  const plan = compileLaunchPlan(defaultSpec(), '/r', {});
  assert.doesNotMatch(serializePlan(plan), /^(wait|no-hold|cgroup-wait)$/m);
  plan.wait = true;
  plan.noHold = true;
  plan.cgroupWait = true;
  assert.match(serializePlan(plan), /\nwait\nno-hold\ncgroup-wait\nend\n$/);
});
