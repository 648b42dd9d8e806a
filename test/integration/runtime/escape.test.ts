// The escape battery: a static probe (test/fixtures/escape-probe.c) attempts the classic container escapes
// inside a hardened container, once under runc and once under berth-runtime on the SAME bundle (the same
// config.json bytes). The two outputs must match line by line, and every escape must be refused under Berth,
// so the test fails both when Berth differs from runc and when both runtimes are lax.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cgroupMounts } from './harness.js';
import { makeBusyboxBundle } from '../../../src/demo/busybox.js';
import { hardenedSpec } from '../../../src/runtime/spec/hardened-spec.js';
import type { Spec } from '../../../src/runtime/spec/types.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const BERTH_RUNTIME = path.join(REPO, 'bin/berth-runtime.cjs');
const PROBE_SRC = path.join(REPO, 'test/fixtures/escape-probe.c');
const RUNC = '/usr/sbin/runc';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-escape-'));
const probe = path.join(tmp, 'probe');
const hostOnly = path.join(tmp, `host-only-${process.pid}`);
const runcRoot = path.join(tmp, 'runc');
const berthRoot = path.join(tmp, 'berth');
/** Absolute cgroup parent shared by both runtimes' containers; removed (and checked empty) at the end. */
const cgroupParent = `/berth-escape-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
const tag = `${process.pid}-${Math.random().toString(36).slice(2, 6)}`;

/** Every attempt the probe makes, in its output order. */
const ATTEMPTS = [
  'mount', 'unshare_user', 'unshare_mnt', 'init_module', 'finit_module', 'kcore', 'sysrq', 'proc_sys',
  'core_pattern', 'uevent_helper', 'keyctl', 'sethostname', 'ptrace', 'raw_socket', 'open_by_handle_at', 'reboot',
  'swapon', 'bpf', 'perf_event_open', 'setns', 'fsopen', 'open_tree', 'block_device', 'chroot',
];

/**
 * Attempts whose refusal must be EPERM: the errno of both a missing capability and the seccomp profile's
 * default action. Each passes bogus arguments, so any other errno means the kernel got past the permission
 * check (a lax container gives ENOSYS for init_module on a kernel without modules, EINVAL for reboot's bad
 * magic, ENOENT for swapon's missing file, ESTALE for open_by_handle_at, ...). The file attempts (kcore,
 * sysrq, proc_sys, core_pattern, uevent_helper) are only required to be refused: ENOENT where this kernel
 * lacks the file, EROFS for read-only paths, ENODATA for a masked one. ptrace gives EPERM from seccomp or
 * ESRCH from the pid namespace; chroot gives ENOENT when the host-only file stays out of reach.
 */
const EPERM_ONLY = new Set([
  'mount', 'unshare_user', 'unshare_mnt', 'init_module', 'finit_module', 'keyctl', 'sethostname', 'raw_socket',
  'open_by_handle_at', 'reboot', 'swapon', 'bpf', 'perf_event_open', 'setns', 'fsopen', 'open_tree', 'block_device',
]);

interface Variant {
  name: string;
  edit: (s: Spec) => void;
  /** Attempts expected to succeed in this variant (positive controls: the probe can report "ok"). */
  allowed: string[];
}

const dropNetRaw = (s: Spec): void => {
  const caps = s.process!.capabilities!;
  for (const set of ['bounding', 'effective', 'permitted', 'inheritable', 'ambient'] as const) {
    caps[set] = (caps[set] ?? []).filter((c) => c !== 'CAP_NET_RAW');
  }
};

const VARIANTS: Variant[] = [
  // Docker's default keeps CAP_NET_RAW, so a raw socket works: the control showing "ok" is reported when earned.
  { name: 'default', edit: () => {}, allowed: ['raw_socket'] },
  // Without a uts namespace sethostname would reach the host's hostname: only CAP_SYS_ADMIN stands in the way.
  // (A hostname needs a uts namespace, so the spec's hostname goes too.)
  {
    name: 'no-uts',
    edit: (s) => {
      s.linux!.namespaces = s.linux!.namespaces!.filter((n) => n.type !== 'uts');
      delete s.hostname;
    },
    allowed: ['raw_socket'],
  },
  { name: 'no-net-raw', edit: dropNetRaw, allowed: [] },
];

const bundles = new Map<string, string>();

before(() => {
  const r = spawnSync('gcc', ['-static', '-O2', '-Wall', '-Wextra', '-o', probe, PROBE_SRC], { encoding: 'utf8' });
  assert.equal(r.status, 0, `building the probe failed: ${r.stderr}`);
  fs.writeFileSync(hostOnly, 'only on the host\n');
  // mkdtemp makes 0700 dirs; keep the tree traversable as other test files do.
  fs.chmodSync(tmp, 0o755);
  const args = ['/probe', String(process.pid), hostOnly];
  for (const v of VARIANTS) {
    const dir = makeBusyboxBundle(path.join(tmp, `bundle-${v.name}`), args, (s) => {
      Object.assign(s, hardenedSpec({ args }));
      s.process!.terminal = false;
      s.linux!.cgroupsPath = `${cgroupParent}/${v.name}`;
      v.edit(s);
    });
    fs.copyFileSync(probe, path.join(dir, 'rootfs/probe'));
    fs.chmodSync(path.join(dir, 'rootfs/probe'), 0o755);
    bundles.set(v.name, dir);
  }
});

after(() => {
  // Best-effort teardown even when a test failed half-way; the leak assertions live in the last test.
  for (const v of VARIANTS) {
    spawnSync(RUNC, ['--root', runcRoot, 'delete', '-f', `esc-runc-${v.name}-${tag}`], { stdio: 'ignore' });
    spawnSync(process.execPath, [BERTH_RUNTIME, '--root', berthRoot, 'delete', '--force', `esc-berth-${v.name}-${tag}`], { stdio: 'ignore' });
  }
  for (const m of cgroupMounts()) {
    const dir = path.join(m, cgroupParent);
    if (!fs.existsSync(dir)) continue;
    for (const d of [...VARIANTS.map((v) => path.join(dir, v.name)), dir]) {
      try {
        fs.rmdirSync(d);
      } catch {
        // already gone, or still busy: the leak test has reported it
      }
    }
  }
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Runs the bundle's probe in the foreground under one runtime; returns its stdout lines. */
function runProbe(runtime: 'runc' | 'berth', variant: string): string[] {
  const bundle = bundles.get(variant)!;
  const id = `esc-${runtime}-${variant}-${tag}`;
  const [cmd, pre] = runtime === 'runc'
    ? [RUNC, ['--root', runcRoot]]
    : [process.execPath, [BERTH_RUNTIME, '--root', berthRoot]];
  // Output through files, not pipes (as the harness does): nothing can hold a pipe open past the run.
  const out = path.join(tmp, `${id}.out`);
  const fds = [fs.openSync(out, 'w+'), fs.openSync(`${out}.err`, 'w+')];
  let r;
  try {
    r = spawnSync(cmd, [...pre, 'run', '-b', bundle, id], { stdio: ['ignore', fds[0]!, fds[1]!], timeout: 60_000 });
  } finally {
    for (const fd of fds) fs.closeSync(fd);
  }
  const stdout = fs.readFileSync(out, 'utf8');
  const stderr = fs.readFileSync(`${out}.err`, 'utf8');
  // `run` deletes the container when it exits; delete -f again anyway so a failure leaves nothing behind.
  if (runtime === 'runc') spawnSync(RUNC, ['--root', runcRoot, 'delete', '-f', id], { stdio: 'ignore' });
  else spawnSync(process.execPath, [BERTH_RUNTIME, '--root', berthRoot, 'delete', '--force', id], { stdio: 'ignore' });
  assert.equal(r.status, 0, `${runtime} run ${id} exited ${r.status} (${r.signal ?? ''}): ${stderr}`);
  return stdout.trim().split('\n');
}

/** "name outcome" lines → name → outcome, checking every attempt is reported once, in order. */
function parse(lines: string[], what: string): Map<string, string> {
  const names = lines.map((l) => l.split(' ')[0]);
  assert.deepEqual(names, ATTEMPTS, `${what}: the probe reported every attempt in order:\n${lines.join('\n')}`);
  return new Map(lines.map((l) => l.split(' ') as [string, string]));
}

const outcomes = new Map<string, { runc: string[]; berth: string[] }>();

for (const v of VARIANTS) {
  test(`escape battery (${v.name}): berth-runtime gives runc's outcome for every attempt, and refuses each escape`, () => {
    const runc = runProbe('runc', v.name);
    const berth = runProbe('berth', v.name);
    outcomes.set(v.name, { runc, berth });
    const r = parse(runc, `runc/${v.name}`);
    const b = parse(berth, `berth/${v.name}`);
    // Same config.json bytes for both runs: the bundle was written once, before either runtime saw it.
    // Every line is compared exactly. runc 1.1.5 answers ENOSYS (not the profile's EPERM) for syscalls newer
    // than the newest one the profile names; every syscall probed here (fsopen and open_tree are the newest,
    // 428/430) is older than that (the profile lists cachestat, fchmodat2, futex_waitv, ...), so no line needs
    // a looser comparison.
    for (const name of ATTEMPTS) {
      assert.equal(b.get(name), r.get(name), `${v.name}/${name}: berth-runtime "${b.get(name)}", runc "${r.get(name)}"`);
      if (v.allowed.includes(name)) {
        assert.equal(b.get(name), 'ok', `${v.name}/${name}: allowed by this config (control)`);
      } else {
        assert.notEqual(b.get(name), 'ok', `${v.name}/${name}: the escape is refused under berth-runtime`);
        assert.match(b.get(name)!, /^E[A-Z0-9]+$/, `${v.name}/${name}: refused with an errno, not a crash`);
        if (EPERM_ONLY.has(name)) assert.equal(b.get(name), 'EPERM', `${v.name}/${name}: refused before the kernel acted`);
      }
    }
    if (process.env.BERTH_ESCAPE_VERBOSE) console.log(`${v.name}\n${berth.map((l, i) => `${l.padEnd(28)} | runc: ${runc[i]}`).join('\n')}`);
  });
}

test('escape battery: both runtimes leave no containers, cgroups or mounts behind', () => {
  assert.equal(outcomes.size, VARIANTS.length, 'every variant ran');
  for (const root of [runcRoot, berthRoot]) {
    const left = fs.existsSync(root) ? fs.readdirSync(root) : [];
    assert.deepEqual(left, [], `state dirs left under ${root}`);
  }
  const mounts = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(tmp));
  assert.deepEqual(mounts, [], 'mounts left behind on the host');
  // The runtimes remove each container's own cgroup; the shared parent they created stays and must be empty.
  for (const m of cgroupMounts()) {
    const dir = path.join(m, cgroupParent);
    if (!fs.existsSync(dir)) continue;
    const kids = fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    assert.deepEqual(kids, [], `cgroup dirs left under ${dir}`);
    fs.rmdirSync(dir);
  }
  // Nothing of the probe escaped either: the host-only file is untouched.
  assert.equal(fs.readFileSync(hostOnly, 'utf8'), 'only on the host\n');
});
