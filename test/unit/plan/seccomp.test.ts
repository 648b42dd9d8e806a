import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileSeccomp, compileSeccompFor, containerProcessState } from '../../../src/runtime/plan/seccomp.js';
import { compileLaunchPlan } from '../../../src/runtime/plan/compile.js';
import { serializePlan } from '../../../src/runtime/plan/launch-plan.js';
import { defaultSpec } from '../../../src/runtime/spec/default-spec.js';
import { SpecError } from '../../../src/runtime/spec/errors.js';
import type { Seccomp } from '../../../src/runtime/spec/types.js';

function seccompLines(s: Seccomp): string[] {
  const spec = defaultSpec({ args: ['sh'] });
  spec.linux!.seccomp = s;
  return serializePlan(compileLaunchPlan(spec, '/r')).split('\n').filter((l) => l.startsWith('seccomp-'));
}

test('a profile serializes to the expected seccomp lines', () => {
  const lines = seccompLines({
    defaultAction: 'SCMP_ACT_ERRNO',
    defaultErrnoRet: 38,
    architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
    flags: ['SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW', 'SECCOMP_FILTER_FLAG_TSYNC'],
    syscalls: [
      { names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' },
      { names: ['mkdir'], action: 'SCMP_ACT_ERRNO' },
      { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 0xffffffff, op: 'SCMP_CMP_EQ' }] },
      { names: ['clone'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 2114060288, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }, { index: 1, value: 5, op: 'SCMP_CMP_LT' }] },
      { names: ['ptrace'], action: 'SCMP_ACT_KILL' },
      { names: ['reboot'], action: 'SCMP_ACT_KILL_PROCESS', errnoRet: 5 },
      { names: ['uselib'], action: 'SCMP_ACT_TRACE' },
      { names: ['acct'], action: 'SCMP_ACT_LOG' },
      { names: ['swapon'], action: 'SCMP_ACT_TRAP' },
    ],
  });
  assert.deepEqual(lines, [
    'seccomp-default errno 38',
    'seccomp-arch x86_64',
    'seccomp-arch x86',
    'seccomp-arch x32',
    'seccomp-flag log',
    'seccomp-flag spec-allow',
    'seccomp-flag tsync',
    'seccomp-rule allow 0 read',
    'seccomp-rule allow 0 write',
    'seccomp-rule errno 1 mkdir',
    'seccomp-rule allow 0 personality 0:eq:4294967295:0',
    'seccomp-rule allow 0 clone 0:masked-eq:2114060288:0 1:lt:5:0',
    'seccomp-rule kill-thread 0 ptrace',
    'seccomp-rule kill-process 0 reboot',
    'seccomp-rule trace 1 uselib',
    'seccomp-rule log 0 acct',
    'seccomp-rule trap 0 swapon',
  ]);
});

test('no linux.seccomp means no seccomp lines', () => {
  const spec = defaultSpec({ args: ['sh'] });
  assert.equal(compileSeccompFor(spec), undefined);
  assert.ok(!serializePlan(compileLaunchPlan(spec, '/r')).includes('seccomp'));
});

test('unknown syscall names are kept for the helper to skip', () => {
  const p = compileSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['no_such_syscall', 'mkdir'], action: 'SCMP_ACT_ERRNO' }] });
  assert.deepEqual(p.rules.map((r) => r.name), ['no_such_syscall', 'mkdir']);
});

test('u64 argument values stay exact', () => {
  const p = compileSeccomp({
    defaultAction: 'SCMP_ACT_ALLOW',
    syscalls: [{ names: ['ioctl'], action: 'SCMP_ACT_ERRNO', args: [{ index: 1, value: 2n ** 64n - 1n as unknown as number, op: 'SCMP_CMP_NE' }] }],
  });
  assert.equal(p.rules[0]!.args[0]!.value, 18446744073709551615n);
  assert.match(seccompLines({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['ioctl'], action: 'SCMP_ACT_ERRNO', args: [{ index: 1, value: 2 ** 53, op: 'SCMP_CMP_GE' }] }] })[1]!,
    /^seccomp-rule errno 1 ioctl 1:ge:9007199254740992:0$/);
});

test('conditions naming one argument twice become separate rules (ORed, as runc)', () => {
  const p = compileSeccomp({
    defaultAction: 'SCMP_ACT_ALLOW',
    syscalls: [{ names: ['socket'], action: 'SCMP_ACT_ERRNO', args: [{ index: 0, value: 2, op: 'SCMP_CMP_EQ' }, { index: 0, value: 10, op: 'SCMP_CMP_EQ' }] }],
  });
  assert.deepEqual(p.rules.map((r) => r.args.map((a) => a.value)), [[2n], [10n]]);
});

test('rules equal to the default action are dropped (libseccomp refuses them)', () => {
  const p = compileSeccomp({
    defaultAction: 'SCMP_ACT_ERRNO',
    syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO' }, { names: ['rmdir'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 }],
  });
  assert.deepEqual(p.rules.map((r) => `${r.name} ${r.errno}`), ['rmdir 13']);
});

function refuses(s: unknown, field: string, message: RegExp): void {
  assert.throws(() => compileSeccomp(s as Seccomp), (e: unknown) => {
    assert.ok(e instanceof SpecError, String(e));
    assert.equal(e.field, field);
    assert.match(e.message, message);
    assert.ok(e.message.startsWith(`${field}: `), e.message);
    return true;
  });
}

test('validation errors name the field', () => {
  const ok = { names: ['read'], action: 'SCMP_ACT_ALLOW' };
  refuses({ defaultAction: 'SCMP_ACT_NOPE' }, 'linux.seccomp.defaultAction', /unknown action "SCMP_ACT_NOPE" \(use SCMP_ACT_KILL, .*SCMP_ACT_ALLOW/);
  refuses({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [ok, ok, ok, { names: ['x'], action: 'SCMP_ACT_FOO' }] },
    'linux.seccomp.syscalls[3].action', /unknown action "SCMP_ACT_FOO"/);
  refuses({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['x'], action: 'SCMP_ACT_NOTIFY' }] },
    'linux.seccomp.listenerPath', /SCMP_ACT_NOTIFY needs a seccomp agent: set listenerPath/);
  refuses({ defaultAction: 'SCMP_ACT_NOTIFY', listenerPath: '/run/l.sock' }, 'linux.seccomp.defaultAction', /cannot be the default action/);
  refuses({ defaultAction: 'SCMP_ACT_ALLOW', listenerPath: 'rel.sock', syscalls: [{ names: ['x'], action: 'SCMP_ACT_NOTIFY' }] },
    'linux.seccomp.listenerPath', /absolute path/);
  refuses({ defaultAction: 'SCMP_ACT_ALLOW', listenerPath: '/l.sock', syscalls: [{ names: ['sendmsg'], action: 'SCMP_ACT_NOTIFY' }] },
    'linux.seccomp.syscalls[0].action', /cannot apply to sendmsg/);
  refuses({ defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: -1 }, 'linux.seccomp.defaultErrnoRet', /0 to 65535/);
  refuses({ defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_VAX'] },
    'linux.seccomp.architectures[1]', /unknown architecture "SCMP_ARCH_VAX" \(use .*SCMP_ARCH_AARCH64/);
  refuses({ defaultAction: 'SCMP_ACT_ALLOW', flags: ['SECCOMP_FILTER_FLAG_BOGUS'] }, 'linux.seccomp.flags[0]', /unknown/);
  refuses({ defaultAction: 'SCMP_ACT_ALLOW', flags: ['SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV'] }, 'linux.seccomp.flags[0]', /not supported/);
  refuses({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: [], action: 'SCMP_ACT_ERRNO' }] }, 'linux.seccomp.syscalls[0].names', /at least one/);
  refuses({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['ok', 'bad name'], action: 'SCMP_ACT_ERRNO' }] }, 'linux.seccomp.syscalls[0].names[1]', /invalid syscall name/);
  refuses({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO', errnoRet: 1.5 }] }, 'linux.seccomp.syscalls[0].errnoRet', /integer/);
  const arg = (a: object) => ({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['socket'], action: 'SCMP_ACT_ERRNO', args: [a] }] });
  refuses(arg({ index: 6, value: 1, op: 'SCMP_CMP_EQ' }), 'linux.seccomp.syscalls[0].args[0].index', /0 to 5/);
  refuses(arg({ index: 0, value: 1, op: 'SCMP_CMP_LIKE' }), 'linux.seccomp.syscalls[0].args[0].op', /unknown operator "SCMP_CMP_LIKE" \(use SCMP_CMP_NE/);
  refuses(arg({ index: 0, value: -1, op: 'SCMP_CMP_EQ' }), 'linux.seccomp.syscalls[0].args[0].value', /unsigned 64-bit/);
  refuses(arg({ index: 0, value: 1, valueTwo: 2 ** 65, op: 'SCMP_CMP_MASKED_EQ' }), 'linux.seccomp.syscalls[0].args[0].valueTwo', /unsigned 64-bit/);
});

test('compileLaunchPlan puts the filter on the process (exec reuses compileSeccompFor)', () => {
  const spec = defaultSpec({ args: ['sh'] });
  spec.linux!.seccomp = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO' }] };
  assert.deepEqual(compileLaunchPlan(spec, '/r').process.seccomp, compileSeccompFor(spec));
  spec.linux!.seccomp.defaultAction = 'SCMP_ACT_BOGUS';
  assert.throws(() => compileLaunchPlan(spec, '/r'), /linux\.seccomp\.defaultAction: unknown action/);
});

test('SCMP_ACT_NOTIFY with a listenerPath compiles to notify rules and a seccomp-listener line', () => {
  const s: Seccomp = {
    defaultAction: 'SCMP_ACT_ALLOW', listenerPath: '/run/agent.sock', listenerMetadata: 'hi there',
    syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_NOTIFY' }],
  };
  const c = compileSeccomp(s);
  assert.equal(c.listenerPath, '/run/agent.sock');
  assert.equal(c.listenerMetadata, 'hi there');
  assert.deepEqual(seccompLines(s), [
    'seccomp-default allow 0', 'seccomp-rule notify 0 mkdir', 'seccomp-rule notify 0 mkdirat', 'seccomp-listener /run/agent.sock',
  ]);
  // Without NOTIFY rules the listener is not used (runc sends nothing then).
  assert.equal(compileSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', listenerPath: '/run/agent.sock' }).listenerPath, undefined);
  const payload = JSON.parse(containerProcessState(c, 42, {
    ociVersion: '1.0.2', id: 'c1', status: 'creating', pid: 42, bundle: '/b',
  })) as Record<string, unknown>;
  assert.deepEqual(payload, {
    ociVersion: '1.2.0', fds: ['seccompFd'], pid: 42, metadata: 'hi there',
    state: { ociVersion: '1.0.2', id: 'c1', status: 'creating', pid: 42, bundle: '/b', annotations: {} },
  });
});
