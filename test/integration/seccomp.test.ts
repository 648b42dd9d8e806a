// linux.seccomp end to end: compileLaunchPlan of a busybox bundle, run by berth-helper. Needs root.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compileSeccompFor } from '../../src/runtime/plan/seccomp.js';
import { emptyPlan, type LaunchPlan } from '../../src/runtime/plan/launch-plan.js';
import { defaultSpec } from '../../src/runtime/spec/default-spec.js';
import type { Seccomp, Spec } from '../../src/runtime/spec/types.js';
import { startHelper, HelperError } from '../../src/runtime/native/index.js';
import { helperTestDir, waitPlanFor, runPlan } from '../fixtures/helper-run.js';

let tmp = '';
let rootfs = '';

before(() => {
  ({ tmp, rootfs } = helperTestDir('berth-seccomp-'));
});

after(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

function spec(args: string[], seccomp: Seccomp, noNewPrivileges = true): Spec {
  const s = defaultSpec({ args });
  s.process!.terminal = false;
  s.process!.noNewPrivileges = noNewPrivileges;
  s.process!.env = ['PATH=/bin'];
  // Writable, so a refused mkdir shows EPERM rather than EROFS.
  s.root!.readonly = false;
  s.linux!.seccomp = seccomp;
  return s;
}

const planFor = (s: Spec): LaunchPlan => waitPlanFor(s, rootfs, tmp);

const run = runPlan;

const blockMkdir: Seccomp = {
  defaultAction: 'SCMP_ACT_ALLOW',
  syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }],
};

for (const nnp of [true, false]) {
  test(`an ERRNO rule refuses mkdir, other syscalls work (noNewPrivileges ${nnp})`, async () => {
    const r = await run(planFor(spec(['sh', '-c', 'mkdir /tmp/x; echo rc=$?; touch /tmp/y && ls /tmp'], blockMkdir, nnp)));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /mkdir: can't create directory '\/tmp\/x': Operation not permitted/);
    assert.equal(r.stdout, 'rc=1\ny\n');
    fs.rmSync(path.join(rootfs, 'tmp/y'));
  });
}

test('argument conditions decide whether a rule matches', async () => {
  const s = spec(['sh', '-c', 'touch /tmp/f; chmod 777 /tmp/f; echo 777=$?; chmod 755 /tmp/f; echo 755=$?; nc 127.0.0.1 1'], {
    defaultAction: 'SCMP_ACT_ALLOW',
    syscalls: [
      { names: ['chmod'], action: 'SCMP_ACT_ERRNO', args: [{ index: 1, value: 0o777, op: 'SCMP_CMP_EQ' }] },
      { names: ['fchmodat'], action: 'SCMP_ACT_ERRNO', args: [{ index: 2, value: 0o777, op: 'SCMP_CMP_EQ' }] },
      // AF_INET only; EAFNOSUPPORT is 97.
      { names: ['socket'], action: 'SCMP_ACT_ERRNO', errnoRet: 97, args: [{ index: 0, value: 2, op: 'SCMP_CMP_EQ' }] },
    ],
  });
  const r = await run(planFor(s));
  assert.equal(r.stdout, '777=1\n755=0\n');
  assert.match(r.stderr, /chmod: \/tmp\/f: Operation not permitted/);
  assert.match(r.stderr, /nc: socket: Address family not supported by protocol/);
  assert.equal((fs.statSync(path.join(rootfs, 'tmp/f')).mode & 0o777), 0o755);
  fs.rmSync(path.join(rootfs, 'tmp/f'));
});

test('SCMP_ACT_KILL_PROCESS kills the process with SIGSYS', async () => {
  const r = await run(planFor(spec(['mkdir', '/tmp/k'], {
    defaultAction: 'SCMP_ACT_ALLOW',
    syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_KILL_PROCESS' }],
  })));
  assert.equal(r.code, 128 + os.constants.signals.SIGSYS);
  assert.ok(!fs.existsSync(path.join(rootfs, 'tmp/k')));
});

// What busybox sh, echo and mkdir need, plus what the helper runs after loading (docs/launch-plan.md).
const ALLOW = [
  'read', 'write', 'writev', 'open', 'openat', 'close', 'close_range', 'stat', 'fstat', 'lstat', 'newfstatat', 'statx',
  'lseek', 'mmap', 'mprotect', 'munmap', 'brk', 'rt_sigaction', 'rt_sigprocmask', 'rt_sigreturn', 'ioctl', 'access',
  'execve', 'exit', 'exit_group', 'getpid', 'getppid', 'getuid', 'geteuid', 'getgid', 'getegid', 'wait4', 'clone',
  'fork', 'vfork', 'arch_prctl', 'set_tid_address', 'set_robust_list', 'rseq', 'prlimit64', 'uname', 'fcntl', 'dup2',
  'dup3', 'pipe2', 'getcwd', 'chdir', 'sendmsg', 'readlink', 'getrandom', 'futex', 'sysinfo', 'getdents64', 'umask',
];

test('a default SCMP_ACT_ERRNO with an allowlist refuses everything else', async () => {
  const r = await run(planFor(spec(['sh', '-c', 'echo hello; mkdir /tmp/d; echo rc=$?'], {
    defaultAction: 'SCMP_ACT_ERRNO',
    defaultErrnoRet: 38,
    architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
    syscalls: [{ names: ALLOW, action: 'SCMP_ACT_ALLOW' }],
  })));
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'hello\nrc=1\n');
  assert.match(r.stderr, /mkdir: can't create directory '\/tmp\/d': Function not implemented/);
});

test('an unknown syscall name is skipped, the rest of the profile applies', async () => {
  const r = await run(planFor(spec(['sh', '-c', 'mkdir /tmp/u; echo rc=$?'], {
    defaultAction: 'SCMP_ACT_ALLOW',
    syscalls: [
      { names: ['berth_no_such_syscall'], action: 'SCMP_ACT_KILL' },
      { names: ['berth_other_unknown', 'mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO' },
    ],
  })));
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'rc=1\n');
});

test('an invalid profile fails: in TypeScript with the field, in the helper with a seccomp error', async () => {
  const bad = spec(['true'], { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_FOO' }] });
  assert.throws(() => planFor(bad), /^SpecError: linux\.seccomp\.syscalls\[0\]\.action: unknown action "SCMP_ACT_FOO"/);

  // What TypeScript cannot know: the helper's libseccomp refuses the architecture.
  const plan = planFor(spec(['true'], blockMkdir));
  plan.process.seccomp!.arches.push('vax');
  const helper = startHelper(plan, { stdio: ['ignore', 'ignore', 'ignore'] });
  await helper.created();
  helper.continue();
  const err = await helper.ready().then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof HelperError, String(err));
  assert.equal(err.step, 'seccomp');
  assert.equal(err.message, 'seccomp "vax": EINVAL (invalid argument)');
  assert.equal((await helper.exited).code, 1);
});

test('an exec\'d process gets the container\'s filter too', async () => {
  const s = spec(['sleep', '30'], blockMkdir);
  const plan = planFor(s);
  plan.wait = false;
  const helper = startHelper(plan, { stdio: ['ignore', 'ignore', 'ignore'] });
  await helper.created();
  helper.continue();
  const pid = await helper.ready();
  try {
    const proc = { args: ['sh', '-c', 'mkdir /tmp/e; echo rc=$?'], env: ['PATH=/bin'], cwd: '/', uid: 0, gid: 0, groups: [], rlimits: [], noNewPrivileges: true };
    const exec = emptyPlan('exec', { ...proc, seccomp: compileSeccompFor(s)! });
    exec.joinNamespaces = plan.newNamespaces.filter((t) => t !== 'cgroup').map((t) => ({ type: t, path: `/proc/${pid}/ns/${t === 'mount' ? 'mnt' : t}` }));
    exec.wait = true;
    const r = await run(exec);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'rc=1\n');
    assert.match(r.stderr, /Operation not permitted/);
  } finally {
    process.kill(pid, 'SIGKILL');
  }
});
