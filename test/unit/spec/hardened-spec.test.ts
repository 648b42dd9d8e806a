import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hardenedSpec } from '../../../src/runtime/spec/hardened-spec.js';
import { defaultSeccompProfile } from '../../../src/runtime/spec/seccomp-default.js';
import { validateSpec } from '../../../src/runtime/spec/validate.js';
import { compileLaunchPlan } from '../../../src/runtime/plan/compile.js';
import { compileSeccomp } from '../../../src/runtime/plan/seccomp.js';
import { hardenedSpec as exported, defaultSeccompProfile as exportedProfile } from '../../../src/runtime/index.js';

const DOCKER_CAPS = [
  'CAP_AUDIT_WRITE', 'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_MKNOD',
  'CAP_NET_BIND_SERVICE', 'CAP_NET_RAW', 'CAP_SETFCAP', 'CAP_SETGID', 'CAP_SETPCAP', 'CAP_SETUID', 'CAP_SYS_CHROOT',
];

test('hardenedSpec validates and compiles to a launch plan', () => {
  const s = hardenedSpec({ args: ['echo', 'hi'] });
  validateSpec(s);
  const plan = compileLaunchPlan(s, '/r');
  assert.ok(plan.process.seccomp, 'the plan carries a seccomp filter');
  assert.deepEqual(s.process?.args, ['echo', 'hi']);
  assert.deepEqual(hardenedSpec().process?.args, ['sh']);
  assert.equal(exported, hardenedSpec, 'exported from the runtime API');
  assert.equal(exportedProfile, defaultSeccompProfile);
});

test('capabilities are exactly Docker\'s default set; inheritable and ambient empty', () => {
  const caps = hardenedSpec().process!.capabilities!;
  for (const set of ['bounding', 'effective', 'permitted'] as const) {
    assert.deepEqual([...caps[set]!].sort(), DOCKER_CAPS, set);
  }
  assert.deepEqual(caps.inheritable, []);
  assert.deepEqual(caps.ambient, []);
});

test('masked and read-only paths, devices, mounts, namespaces and flags are Docker\'s', () => {
  const s = hardenedSpec();
  assert.deepEqual([...s.linux!.maskedPaths!].sort(), [
    '/proc/acpi', '/proc/asound', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/sched_debug', '/proc/scsi',
    '/proc/timer_list', '/proc/timer_stats', '/sys/devices/virtual/powercap', '/sys/firmware',
  ]);
  assert.deepEqual(s.linux!.readonlyPaths, ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger']);
  const rules = s.linux!.resources!.devices!.map((d) =>
    `${d.allow ? 'allow' : 'deny'} ${d.type ?? 'a'} ${d.major ?? '*'}:${d.minor ?? '*'} ${d.access}`);
  assert.deepEqual(rules, [
    'deny a *:* rwm', 'allow c *:* m', 'allow b *:* m',
    'allow c 1:3 rwm', 'allow c 1:5 rwm', 'allow c 1:7 rwm', 'allow c 1:8 rwm', 'allow c 1:9 rwm',
    'allow c 5:0 rwm', 'allow c 5:1 rwm', 'allow c 5:2 rwm', 'allow c 136:* rwm', 'allow c 10:200 rwm',
  ]);
  assert.deepEqual(s.mounts!.map((m) => `${m.destination} ${m.type}`), [
    '/proc proc', '/dev tmpfs', '/dev/pts devpts', '/sys sysfs', '/sys/fs/cgroup cgroup', '/dev/mqueue mqueue', '/dev/shm tmpfs',
  ]);
  assert.ok(s.mounts!.find((m) => m.destination === '/dev/shm')!.options!.includes('size=65536k'));
  for (const ro of ['/sys', '/sys/fs/cgroup']) assert.ok(s.mounts!.find((m) => m.destination === ro)!.options!.includes('ro'), ro);
  assert.deepEqual(s.linux!.namespaces!.map((n) => n.type), ['pid', 'network', 'ipc', 'uts', 'mount', 'cgroup']);
  assert.equal(s.process!.noNewPrivileges, false);
  assert.equal(s.root!.readonly, false);
  assert.deepEqual(s.linux!.seccomp, defaultSeccompProfile());
});

test('hardenedSpec returns independent objects', () => {
  const a = hardenedSpec();
  a.process!.capabilities!.bounding!.push('CAP_SYS_ADMIN');
  a.linux!.seccomp!.syscalls![0]!.names.push('mount');
  a.linux!.maskedPaths!.pop();
  const b = hardenedSpec();
  assert.equal(b.process!.capabilities!.bounding!.length, 14);
  assert.ok(!b.linux!.seccomp!.syscalls![0]!.names.includes('mount'));
  assert.equal(b.linux!.maskedPaths!.length, 11);
});

/** What the compiled profile does with a call (ignoring arguments): the action of its unconditional rule or the default. */
function verdict(name: string): string {
  const p = compileSeccomp(defaultSeccompProfile());
  const rules = p.rules.filter((r) => r.name === name);
  const plain = rules.find((r) => r.args.length === 0);
  if (plain) return `${plain.action}${plain.action === 'errno' ? ` ${plain.errno}` : ''}`;
  return rules.length ? 'conditional' : `${p.defaultAction} ${p.defaultErrno}`;
}

test('the default seccomp profile compiles: EPERM by default, x86 arches', () => {
  const p = compileSeccomp(defaultSeccompProfile());
  assert.equal(p.defaultAction, 'errno');
  assert.equal(p.defaultErrno, 1);
  assert.deepEqual(p.arches, ['x86_64', 'x86', 'x32']);
  const names = p.rules.map((r) => r.name);
  assert.ok(new Set(names).size > 300, `a large allowlist (${new Set(names).size} names)`);
  assert.equal(new Set(defaultSeccompProfile().syscalls![0]!.names).size, defaultSeccompProfile().syscalls![0]!.names.length, 'no duplicates');
});

test('ordinary syscalls are allowed', () => {
  for (const name of ['mkdir', 'read', 'write', 'execve', 'openat', 'futex', 'epoll_wait', 'epoll_pwait', 'mmap', 'exit_group',
    'rt_sigaction', 'wait4', 'chroot', 'setuid', 'arch_prctl', 'getrandom', 'statx', 'pipe2', 'sendto', 'rseq']) {
    assert.equal(verdict(name), 'allow', name);
  }
});

test('privileged syscalls are absent, so they get EPERM', () => {
  for (const name of ['mount', 'umount2', 'unshare', 'setns', 'keyctl', 'add_key', 'request_key', 'ptrace', 'init_module',
    'finit_module', 'delete_module', 'kexec_load', 'bpf', 'perf_event_open', 'reboot', 'swapon', 'swapoff', 'settimeofday',
    'clock_settime', 'acct', 'pivot_root', 'open_by_handle_at', 'name_to_handle_at', 'lookup_dcookie', 'quotactl',
    'vhangup', 'iopl', 'ioperm', 'create_module', 'get_kernel_syms', 'query_module', 'uselib', 'userfaultfd', 'ustat',
    'sysfs', '_sysctl', 'nfsservctl', 'move_pages', 'mbind', 'set_mempolicy', 'get_mempolicy', 'kcmp',
    'process_vm_readv', 'process_vm_writev', 'fanotify_init', 'syslog', 'sethostname', 'io_uring_setup']) {
    assert.equal(verdict(name), 'errno 1', name);
  }
});

test('conditional rules: personality, clone without namespace flags, clone3 ENOSYS, socket not vsock', () => {
  const p = compileSeccomp(defaultSeccompProfile());
  const args = (name: string) => p.rules.filter((r) => r.name === name).map((r) => r.args.map((a) => `${a.index}:${a.op}:${a.value}:${a.valueTwo}`).join(' '));
  assert.deepEqual(args('personality'), ['0:eq:0:0', '0:eq:8:0', '0:eq:131080:0', '0:eq:4294967295:0']);
  assert.deepEqual(args('clone'), ['0:masked-eq:2114060288:0']);
  assert.equal(verdict('clone3'), 'errno 38');
  assert.deepEqual(args('socket'), ['0:ne:40:0']);
});
