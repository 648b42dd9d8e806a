import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runHooks, checkHooks, HookError } from '../../../src/runtime/lifecycle/hooks.js';
import type { ContainerState } from '../../../src/runtime/spec/types.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-hooks-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const state: ContainerState = {
  ociVersion: '1.2.0', id: 'h1', status: 'creating', pid: 4242, bundle: '/b', annotations: { a: 'b' },
  rootfs: '/b/rootfs', created: '2024-01-01T00:00:00.000000000Z', owner: 'root',
};

let n = 0;
/** An executable /bin/sh script in the temp dir. */
function script(body: string): string {
  const file = path.join(dir, `hook-${++n}.sh`);
  fs.writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return file;
}

test('hooks run in order, each with the state JSON on stdin', async () => {
  const log = path.join(dir, 'order.log');
  const a = script(`cat > ${dir}/stdin-a.json; echo a >> ${log}`);
  const b = script(`sleep 0.1; echo b >> ${log}`);
  const c = script(`echo c >> ${log}`);
  await runHooks('prestart', [{ path: a }, { path: b }, { path: c }], state);
  assert.equal(fs.readFileSync(log, 'utf8'), 'a\nb\nc\n', 'each hook waits for the previous one');
  assert.deepEqual(JSON.parse(fs.readFileSync(`${dir}/stdin-a.json`, 'utf8')), state);
});

test('argv (including argv[0]) and the environment are exactly the hook\'s', async () => {
  const out = path.join(dir, 'argv-env');
  const hook = script(`echo "$0|$1|$2" > ${out}; env | sort >> ${out}`);
  await runHooks('poststart', [{ path: hook, args: ['custom0', 'x y', 'z'], env: ['FOO=bar=baz', 'ONE=1'] }], state);
  const [argv, ...env] = fs.readFileSync(out, 'utf8').trim().split('\n');
  // sh reports $0 as the script it runs; the exec'd argv[0] is visible in /proc, checked below.
  assert.match(argv!, /\|x y\|z$/);
  // sh itself adds PWD (and may add SHLVL, _): nothing from the runtime's environment leaks in.
  const leaked = env.filter((l) => !/^(FOO|ONE|PWD|SHLVL|_)=/.test(l));
  assert.deepEqual(leaked, []);
  assert.ok(env.includes('FOO=bar=baz') && env.includes('ONE=1'));
});

test('argv[0] is passed as given; without args argv is [path]', async () => {
  const out = path.join(dir, 'cmdline');
  // /bin/sh -c: the shell's own argv as the kernel saw it, via /proc/self... of the shell ($$).
  await runHooks('poststop', [{ path: '/bin/sh', args: ['my-argv0', '-c', `tr '\\0' ' ' < /proc/$$/cmdline > ${out}`] }], state);
  assert.equal(fs.readFileSync(out, 'utf8'), `my-argv0 -c tr '\\0' ' ' < /proc/$$/cmdline > ${out} `);
  const hook = script(`echo "$#" > ${out}`);
  await runHooks('poststop', [{ path: hook }], state);
  assert.equal(fs.readFileSync(out, 'utf8'), '0\n', 'no arguments beyond argv[0]');
});

test('a non-zero exit fails with kind, index, path, status and the stderr tail; later hooks do not run', async () => {
  const marker = path.join(dir, 'not-run');
  const bad = script('echo "first line" >&2; echo "quota exceeded" >&2; exit 3');
  const err = await runHooks('createRuntime', [{ path: script('true') }, { path: bad }, { path: script(`touch ${marker}`) }], state)
    .then(() => assert.fail('should have failed'), (e: unknown) => e);
  assert.ok(err instanceof HookError);
  assert.equal(err.hookKind, 'createRuntime');
  assert.equal(err.index, 1);
  assert.deepEqual(err.failure, { kind: 'exit', code: 3 });
  assert.match(err.message, new RegExp(`^createRuntime hook #1 \\(${bad}\\) exited with status 3; stderr: first line\\nquota exceeded$`));
  assert.equal(fs.existsSync(marker), false);
});

test('a hook past its timeout is killed (with what it started) and fails', async () => {
  const pidFile = path.join(dir, 'sleeper.pid');
  const hook = script(`echo started >&2; sleep 30 & echo $! > ${pidFile}; wait`);
  const err = await runHooks('prestart', [{ path: hook, timeout: 1 }], state).then(() => assert.fail('should time out'), (e: unknown) => e);
  assert.ok(err instanceof HookError);
  assert.match(err.message, /prestart hook #0 .* timed out after 1s and was killed; stderr: started/);
  const sleeper = Number(fs.readFileSync(pidFile, 'utf8'));
  let alive = true;
  for (let i = 0; i < 100 && alive; i++) {
    try {
      alive = !/\) Z /.test(fs.readFileSync(`/proc/${sleeper}/stat`, 'utf8'));
    } catch {
      alive = false;
    }
    if (alive) await new Promise((r) => setTimeout(r, 20));
  }
  assert.ok(!alive, 'the process the hook started was killed with it');
});

test('a missing executable and a signal are failures too', async () => {
  await assert.rejects(runHooks('poststart', [{ path: path.join(dir, 'nope') }], state), /poststart hook #0 \(.*nope\) could not be executed: .*ENOENT/);
  await assert.rejects(runHooks('poststart', [{ path: script('kill -TERM $$') }], state), /was killed by SIGTERM/);
});

test('stderr is kept to its last 2 KiB; a hook that ignores stdin still succeeds', async () => {
  const err = await runHooks('poststop', [{ path: script('i=0; while [ $i -lt 500 ]; do echo "line $i" >&2; i=$((i+1)); done; exit 1') }], state)
    .then(() => assert.fail('should fail'), (e: unknown) => e as HookError);
  assert.ok(err.stderr.length <= 2048);
  assert.match(err.stderr, /line 499$/);
  await runHooks('poststop', [{ path: script('exit 0') }], { ...state, annotations: { big: 'x'.repeat(1 << 20) } });
});

test('onFailure reports each failure and goes on with the next hook', async () => {
  const seen: string[] = [];
  const log = path.join(dir, 'continue.log');
  await runHooks('poststop', [{ path: script('exit 2') }, { path: script(`echo ran > ${log}`) }], state, {
    onFailure: (e) => seen.push(e.message),
  });
  assert.equal(seen.length, 1);
  assert.match(seen[0]!, /^poststop hook #0 .* exited with status 2$/);
  assert.equal(fs.readFileSync(log, 'utf8'), 'ran\n');
});

test('checkHooks refuses relative paths and bad timeouts, in-container kinds included', () => {
  assert.throws(() => checkHooks({ prestart: [{ path: 'rel/hook' }] }), /hooks\.prestart\[0\]\.path must be an absolute path/);
  assert.throws(() => checkHooks({ poststop: [{ path: '/bin/true', timeout: 0 }] }), /hooks\.poststop\[0\]\.timeout must be a positive/);
  assert.throws(() => checkHooks({ startContainer: [{ path: '/a' }, { path: 'b' }] }), /hooks\.startContainer\[1\]\.path must be an absolute path/);
  assert.throws(() => checkHooks({ createContainer: [{ path: '/a', timeout: 1.5 }] }), /hooks\.createContainer\[0\]\.timeout must be a positive/);
  checkHooks({ createContainer: [{ path: '/bin/true' }], startContainer: [{ path: '/a', timeout: 3 }] });
  checkHooks(undefined);
});
