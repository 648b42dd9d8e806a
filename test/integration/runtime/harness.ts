// Shared setup for runtime integration tests: a private state root and cgroup parent per test file, the CLI
// as a user runs it, busybox bundles, and leak checks (state dirs, cgroups, processes, mounts).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { spawnSync, spawn, type SpawnSyncReturns } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { makeBusyboxBundle } from '../../../src/demo/busybox.js';
import type { Spec } from '../../../src/runtime/spec/types.js';

export const BERTH = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../bin/berth.cjs');

if (process.getuid?.() !== 0) throw new Error('runtime integration tests need root (the CI runs them as root)');

export class Harness {
  readonly tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-it-'));
  readonly root = path.join(this.tmp, 'state');
  readonly cgroupParent = `berth-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  private n = 0;

  constructor() {
    // mkdtemp makes 0700 dirs; a user-namespaced container's root (an unmapped host uid) must traverse it.
    fs.chmodSync(this.tmp, 0o755);
  }

  /** A fresh busybox bundle running args, with its config changed by edit. */
  bundle(args: string[], edit?: (spec: Spec) => void): string {
    return makeBusyboxBundle(path.join(this.tmp, `bundle-${++this.n}`), args, edit);
  }

  env(): NodeJS.ProcessEnv {
    return { ...process.env, BERTH_CGROUP_PARENT: this.cgroupParent };
  }

  /**
   * Runs `berth runtime --root <root> ...args` and waits for it. Output goes through files, not pipes: a
   * detached container inherits stdout and would hold a pipe open (as with runc) until it exits.
   */
  cli(args: string[], opts: { input?: string; timeoutMs?: number } = {}): SpawnSyncReturns<string> {
    const out = path.join(this.tmp, `out-${++this.n}`);
    const err = `${out}.err`;
    const fds = [fs.openSync(out, 'w+'), fs.openSync(err, 'w+')];
    try {
      const r = spawnSync(process.execPath, [BERTH, 'runtime', '--root', this.root, ...args], {
        env: this.env(), timeout: opts.timeoutMs ?? 30_000,
        stdio: [opts.input !== undefined ? 'pipe' : 'ignore', fds[0]!, fds[1]!],
        ...(opts.input !== undefined ? { input: opts.input } : {}),
      });
      return { ...r, stdout: fs.readFileSync(out, 'utf8'), stderr: fs.readFileSync(err, 'utf8'), output: [] };
    } finally {
      for (const fd of fds) fs.closeSync(fd);
      fs.rmSync(out, { force: true });
      fs.rmSync(err, { force: true });
    }
  }

  /** Like cli, but asserts exit 0 and returns stdout. */
  ok(args: string[], opts: { input?: string } = {}): string {
    const r = this.cli(args, opts);
    assert.equal(r.status, 0, `berth runtime ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    return r.stdout;
  }

  /** Starts the CLI in the background (for long-running foreground commands). */
  spawnCli(args: string[]) {
    return spawn(process.execPath, [BERTH, 'runtime', '--root', this.root, ...args], { env: this.env(), stdio: ['ignore', 'pipe', 'pipe'] });
  }

  state(id: string): { status: string; pid: number; [k: string]: unknown } {
    return JSON.parse(this.ok(['state', id]));
  }

  /** Waits until the container reaches status (polling, bounded). */
  async waitStatus(id: string, status: string, timeoutMs = 10_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const r = this.cli(['state', id]);
      const s = r.status === 0 ? (JSON.parse(r.stdout) as { status: string }).status : 'absent';
      if (s === status) return;
      if (Date.now() > end) assert.fail(`container ${id} stayed ${s}, expected ${status}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Cgroup directories under this harness's parent in every hierarchy. */
  cgroupLeftovers(): string[] {
    return cgroupMounts().map((m) => path.join(m, this.cgroupParent)).filter((d) => fs.existsSync(d));
  }

  /** Asserts nothing of this harness's containers is left: state dirs, cgroups, mounts. */
  assertClean(): void {
    const states = fs.existsSync(this.root) ? fs.readdirSync(this.root) : [];
    assert.deepEqual(states, [], `state dirs left under ${this.root}`);
    assert.deepEqual(this.cgroupLeftovers(), [], 'cgroup dirs left behind');
    const mounts = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(this.tmp));
    assert.deepEqual(mounts, [], 'mounts left behind on the host');
  }

  /** Force-deletes every container, checks for leaks, removes the temp dir. */
  cleanup(): void {
    const ids = fs.existsSync(this.root) ? fs.readdirSync(this.root) : [];
    for (const id of ids) this.cli(['delete', '--force', id]);
    try {
      this.assertClean();
    } finally {
      for (const d of this.cgroupLeftovers().reverse()) fs.rmSync(d, { recursive: false, force: true });
      fs.rmSync(this.tmp, { recursive: true, force: true });
    }
  }
}

/** Mount points of every cgroup hierarchy (v1 and v2). */
export function cgroupMounts(): string[] {
  return fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')
    .filter((l) => / - cgroup2? /.test(l))
    .map((l) => l.split(' ')[4]!);
}

/** The v1 mount point of a controller, or undefined. */
export function v1Mount(controller: string): string | undefined {
  for (const l of fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const [pre, post] = l.split(' - ');
    if (!post?.startsWith('cgroup ')) continue;
    if (post.split(' ')[2]!.split(',').includes(controller)) return pre!.split(' ')[4];
  }
  return undefined;
}
