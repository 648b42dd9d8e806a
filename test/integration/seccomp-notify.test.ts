// SCMP_ACT_NOTIFY end to end: the helper sends the notification fd and the containerProcessState to a seccomp
// agent (test/fixtures/seccomp-listener.py), which decides the container's mkdir. Needs root; x86_64.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { containerProcessState } from '../../src/runtime/plan/seccomp.js';
import type { LaunchPlan } from '../../src/runtime/plan/launch-plan.js';
import { defaultSpec } from '../../src/runtime/spec/default-spec.js';
import type { Seccomp, Spec } from '../../src/runtime/spec/types.js';
import { startHelper, HelperError } from '../../src/runtime/native/index.js';
import { collect, helperTestDir, waitPlanFor } from '../fixtures/helper-run.js';
import { Harness } from './runtime/harness.js';

const listenerScript = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/fixtures/seccomp-listener.py');
let tmp = '';
let rootfs = '';

before(() => {
  ({ tmp, rootfs } = helperTestDir('berth-seccomp-notify-'));
});

const h = new Harness();

after(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
  h.cleanup();
});

function spec(args: string[], seccomp: Seccomp, noNewPrivileges: boolean): Spec {
  const s = defaultSpec({ args });
  s.process!.terminal = false;
  s.process!.noNewPrivileges = noNewPrivileges;
  s.process!.env = ['PATH=/bin'];
  s.root!.readonly = false; // so only the agent can be the reason mkdir fails
  s.linux!.seccomp = seccomp;
  return s;
}

const planFor = (s: Spec): LaunchPlan => waitPlanFor(s, rootfs, tmp);

async function startListener(sock: string, out: string) {
  const agent = spawn('python3', [listenerScript, sock, out, '1', '20'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const stdout = collect(agent.stdout), stderr = collect(agent.stderr);
  await new Promise<void>((resolve, reject) => {
    agent.stdout.once('data', () => resolve());
    agent.once('exit', (code) => reject(new Error(`listener exited ${code}`)));
  });
  const exited = new Promise<number | null>((resolve) => agent.on('exit', (code) => resolve(code)));
  return { agent, stdout, stderr, exited };
}

const notifyMkdir = (listenerPath: string): Seccomp => ({
  defaultAction: 'SCMP_ACT_ALLOW',
  listenerPath,
  listenerMetadata: 'berth-test meta',
  syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_NOTIFY' }],
});

for (const nnp of [true, false]) {
  test(`the seccomp agent gets the fd and the state, and decides mkdir (noNewPrivileges ${nnp})`, async () => {
    const sock = path.join(tmp, `agent-${nnp}.sock`), out = path.join(tmp, `state-${nnp}.json`);
    const l = await startListener(sock, out);
    try {
      const plan = planFor(spec(['sh', '-c', 'mkdir /tmp/x; echo rc=$?'], notifyMkdir(sock), nnp));
      const helper = startHelper(plan, { stdio: ['ignore', 'pipe', 'pipe'] });
      const stdout = collect(helper.stdout), stderr = collect(helper.stderr);
      const pid = await helper.created();
      const state = { ociVersion: '1.2.0', id: 'notify-test', status: 'creating', pid, bundle: tmp, annotations: { a: 'b' } };
      helper.continue(undefined, containerProcessState(plan.process.seccomp!, pid, state));
      await helper.ready();
      const exit = await helper.exited;
      const err = await stderr;
      assert.equal(exit.code, 0, err);
      assert.match(err, /mkdir: can't create directory '\/tmp\/x': Permission denied/);
      assert.equal(await stdout, 'rc=1\n');
      assert.equal(await l.exited, 0, await l.stderr);
      assert.equal(await l.stdout, 'listening\nhandled 1\n');
      assert.equal(fs.existsSync(path.join(rootfs, 'tmp/x')), false);
      const payload = JSON.parse(fs.readFileSync(out, 'utf8')) as Record<string, unknown>;
      assert.deepEqual(payload, {
        ociVersion: '1.2.0', fds: ['seccompFd'], pid, metadata: 'berth-test meta',
        state: { ociVersion: '1.2.0', id: 'notify-test', status: 'creating', pid, bundle: tmp, annotations: { a: 'b' } },
      });
    } finally {
      l.agent.kill();
    }
  });
}

test('an unreachable seccomp agent fails the launch with a clear error', async () => {
  const sock = path.join(tmp, 'nobody.sock');
  const helper = startHelper(planFor(spec(['true'], notifyMkdir(sock), true)), { stdio: ['ignore', 'ignore', 'pipe'] });
  await assert.rejects(helper.created(), (e: unknown) => {
    assert.ok(e instanceof HelperError, String(e));
    assert.equal(e.message, `seccomp listener "${sock}": ENOENT (no such file or directory)`);
    return true;
  });
  assert.equal((await helper.exited).code, 1);
});

test('berth runtime run: create sends the containerProcessState of the container to the agent', async () => {
  const sock = path.join(h.tmp, 'agent.sock'), out = path.join(h.tmp, 'state.json');
  const l = await startListener(sock, out);
  try {
    const bundle = h.bundle(['sh', '-c', 'mkdir /tmp/x; echo rc=$?'], (s) => {
      s.linux!.seccomp = notifyMkdir(sock);
      s.annotations = { k: 'v' };
    });
    const r = h.cli(['run', '-b', bundle, 'notify1']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /Permission denied/);
    assert.equal(r.stdout, 'rc=1\n');
    assert.equal(await l.exited, 0, await l.stderr);
    const p = JSON.parse(fs.readFileSync(out, 'utf8')) as { pid: number; fds: string[]; metadata: string; state: Record<string, unknown> };
    assert.deepEqual(p.fds, ['seccompFd']);
    assert.equal(p.metadata, 'berth-test meta');
    assert.ok(p.pid > 0);
    assert.deepEqual(p.state, { ociVersion: '1.2.0', id: 'notify1', status: 'creating', pid: p.pid, bundle, annotations: { k: 'v' } });
  } finally {
    l.agent.kill();
  }
});

test('berth runtime create: an agent that refuses connections fails create and leaves nothing behind', async () => {
  // Bound but not listening: connect gets ECONNREFUSED.
  const sock = path.join(h.tmp, 'refusing.sock');
  const py = spawn('python3', ['-c', `import socket,sys,time; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); print('ok', flush=True); time.sleep(30)`, sock],
    { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve) => py.stdout.once('data', resolve));
  try {
    const bundle = h.bundle(['true'], (s) => (s.linux!.seccomp = notifyMkdir(sock)));
    const r = h.cli(['create', '-b', bundle, 'notify2']);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, new RegExp(`seccomp listener "${sock}": ECONNREFUSED`));
    h.assertClean();
  } finally {
    py.kill();
  }
});
