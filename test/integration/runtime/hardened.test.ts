// hardenedSpec in a real container: what Docker's defaults forbid fails, ordinary work still works. Each probe
// also runs in a control container with the hardening removed (extra capabilities, no seccomp, no masked or
// read-only paths), so every "denied" below is known to be caused by the hardening, not by the test setup.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { Harness } from './harness.js';
import { hardenedSpec } from '../../../src/runtime/spec/hardened-spec.js';
import type { Spec } from '../../../src/runtime/spec/types.js';

const h = new Harness();
after(() => h.cleanup());

/** name → shell command; the probe prints `name=yes` when the command succeeded, `name=no` otherwise. */
const PROBES: Record<string, string> = {
  mount: 'mount -t tmpfs none /mnt',
  unshareUser: 'unshare -U true',
  unshareNet: 'unshare -n true',
  kcore: '[ "$(head -c 16 /proc/kcore | wc -c)" -gt 0 ]',
  timerList: '[ "$(head -c 16 /proc/timer_list | wc -c)" -gt 0 ]',
  keys: '[ "$(head -c 16 /proc/keys | wc -c)" -gt 0 ]',
  // "h" only prints the sysrq help to the kernel log, so the control run does no harm to the host.
  sysrq: 'echo h > /proc/sysrq-trigger',
  procSys: 'echo probe > /proc/sys/kernel/hostname',
  hostname: 'hostname foo',
  firmware: '[ -n "$(ls -A /sys/firmware)" ]',
  // Ordinary work: must succeed in both.
  ls: 'ls / | grep -qx bin',
  loop: 'i=0; while [ $i -lt 100 ]; do i=$((i+1)); done; [ $i -eq 100 ]',
  tmp: 'echo data > /tmp/f && [ "$(cat /tmp/f)" = data ]',
  ping: 'ping -c1 -W2 127.0.0.1',
};

/** Probes of kernel files not every kernel has: the control can only succeed where the host has them. */
const HOST_FILE: Record<string, string> = { kcore: '/proc/kcore', sysrq: '/proc/sysrq-trigger' };

const script = Object.entries(PROBES)
  .map(([name, cmd]) => `if ( ${cmd} ) >/dev/null 2>&1; then echo ${name}=yes; else echo ${name}=no; fi`)
  .join('\n');

function runProbes(id: string, edit: (s: Spec) => void = () => {}): Record<string, string> {
  const args = ['sh', '-c', script];
  const bundle = h.bundle(args, (s) => {
    Object.assign(s, hardenedSpec({ args }));
    s.process!.terminal = false;
    edit(s);
  });
  const r = h.cli(['run', '-b', bundle, id]);
  assert.equal(r.status, 0, `run ${id}: ${r.stderr}`);
  return Object.fromEntries(r.stdout.trim().split('\n').map((l) => l.split('=') as [string, string]));
}

/** The same container without the hardening: everything the hardened run denies must work here. */
function unhardened(s: Spec): void {
  const caps = s.process!.capabilities!;
  for (const set of ['bounding', 'effective', 'permitted'] as const) caps[set]!.push('CAP_SYS_ADMIN', 'CAP_SYS_RAWIO');
  delete s.linux!.seccomp;
  s.linux!.maskedPaths = [];
  s.linux!.readonlyPaths = [];
}

test('a hardened container denies what Docker denies and allows ordinary work', () => {
  const control = runProbes('hc-control', unhardened);
  const hardened = runProbes('hc-hardened');
  const denied = ['mount', 'unshareUser', 'unshareNet', 'kcore', 'timerList', 'keys', 'sysrq', 'procSys', 'hostname', 'firmware'];
  const allowed = ['ls', 'loop', 'tmp', 'ping'];
  for (const p of denied) {
    // Some kernels (e.g. Firecracker's) have no /proc/kcore or sysrq: nothing to protect, but still checked.
    const file = HOST_FILE[p];
    if (!file || fs.existsSync(file)) assert.equal(control[p], 'yes', `${p}: works without the hardening (control)`);
    assert.equal(hardened[p], 'no', `${p}: denied in the hardened container`);
  }
  for (const p of allowed) {
    assert.equal(control[p], 'yes', `${p}: works in the control`);
    assert.equal(hardened[p], 'yes', `${p}: works in the hardened container`);
  }
  assert.deepEqual(Object.keys(hardened).sort(), [...denied, ...allowed].sort(), 'every probe reported');
});

test('the hardened container has Docker\'s capability set and a seccomp filter', () => {
  const args = ['sh', '-c', 'grep -E "^(CapEff|CapBnd|CapInh|CapAmb|Seccomp|NoNewPrivs):" /proc/self/status'];
  const bundle = h.bundle(args, (s) => {
    Object.assign(s, hardenedSpec({ args }));
    s.process!.terminal = false;
  });
  const r = h.cli(['run', '-b', bundle, 'hc-status']);
  assert.equal(r.status, 0, r.stderr);
  const st = Object.fromEntries(r.stdout.trim().split('\n').map((l) => l.split(/:\s+/) as [string, string]));
  // Docker's 14 capabilities as a bitmask: CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP
  // NET_BIND_SERVICE NET_RAW SYS_CHROOT MKNOD AUDIT_WRITE SETFCAP.
  assert.equal(st.CapEff, '00000000a80425fb');
  assert.equal(st.CapBnd, '00000000a80425fb');
  assert.equal(st.CapInh, '0000000000000000');
  assert.equal(st.CapAmb, '0000000000000000');
  assert.equal(st.Seccomp, '2', 'filter mode');
  assert.equal(st.NoNewPrivs, '0');
});
