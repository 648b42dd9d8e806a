// The `berth` CLI as a Docker Engine API client, against a real `berth daemon` (the fixture's, with busybox
// imported): run/ps/logs/exec/stop/rm/inspect/volume/network and friends, their output compared with what the
// real docker CLI prints against the same daemon, and docker's exit codes (125 daemon error, 127 not found,
// else the container's). Every berth run is spawned asynchronously: the daemon is a child of this process.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { BERTH, EngineDaemon, run, type RunResult } from '../../fixtures/engine-daemon.js';
import { startRegistry } from '../../fixtures/registry.js';

let d: EngineDaemon;
const BRIDGE = 'bcli31';
const SUBNET = '10.219.31.0/24';

before(async () => {
  d = await EngineDaemon.start({ BERTH_BRIDGE_NAME: BRIDGE, BERTH_BRIDGE_SUBNET: SUBNET });
});

after(async () => {
  const leftovers = await d.stop();
  spawnSync('ip', ['link', 'del', BRIDGE]);
  assert.deepEqual(leftovers, []);
});

/** Runs `berth <args>` against the fixture's daemon (never starting one of its own). */
function berth(args: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, BERTH_SOCKET: d.socket, BERTH_NO_AUTOSTART: '1' };
  delete env.BERTH_RUN;
  delete env.BERTH_ROOT;
  return run(process.execPath, [BERTH, ...args], { env, ...opts });
}

/** Watches a running child's output: waitFor(text) resolves once stdout holds it, and fails if the child ends first. */
function collect(child: ChildProcessWithoutNullStreams) {
  let out = '';
  let err = '';
  const waiters: { text: string; resolve: () => void }[] = [];
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
    for (const w of waiters.filter((w) => out.includes(w.text))) w.resolve();
  });
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((r) => child.on('close', r));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  void exited.then(() => clearTimeout(timer));
  return {
    exited,
    text: () => out,
    errText: () => err,
    waitFor: (text: string) => Promise.race([
      new Promise<void>((resolve) => (out.includes(text) ? resolve() : waiters.push({ text, resolve }))),
      exited.then((code) => {
        if (!out.includes(text)) throw new Error(`exited (${code}) before printing ${JSON.stringify(text)}; stdout: ${JSON.stringify(out)} stderr: ${err}`);
      }),
    ]),
  };
}

/** `berth` that must succeed; returns its stdout. */
async function ok(args: string[], opts: { input?: string } = {}): Promise<string> {
  const r = await berth(args, opts);
  assert.equal(r.status, 0, `berth ${args.join(' ')} → ${r.status}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r.stdout;
}

test('run --rm: the container\'s output on our stdout/stderr, its exit code as ours, and it is removed', async () => {
  const r = await berth(['run', '--rm', '--network', 'none', '--name', 'rm-echo', 'busybox', 'sh', '-c', 'echo to-out; echo to-err >&2; exit 3']);
  assert.equal(r.status, 3, r.stderr);
  assert.equal(r.stdout, 'to-out\n');
  assert.equal(r.stderr, 'to-err\n');
  const again = await berth(['run', '--rm', '--network', 'none', 'busybox', 'echo', 'hello']);
  assert.deepEqual([again.status, again.stdout], [0, 'hello\n']);
  assert.doesNotMatch(await ok(['ps', '-a', '--format', '{{.Names}}']), /rm-echo/);
});

test('run -i feeds stdin and closes it at EOF; run -t gives raw TTY output', async () => {
  const r = await berth(['run', '--rm', '-i', '--network', 'none', 'busybox', 'sh', '-c', 'cat; echo after-eof'], { input: 'line one\nline two\n' });
  assert.deepEqual([r.status, r.stdout], [0, 'line one\nline two\nafter-eof\n']);
  const t = await berth(['run', '--rm', '-t', '--network', 'none', 'busybox', 'echo', 'tty']);
  assert.deepEqual([t.status, t.stdout], [0, 'tty\r\n']);
});

test('exit codes as docker\'s: 127 command not found, 125 daemon refusal, 125 bad flags', async () => {
  const missing = await berth(['run', '--network', 'none', '--name', 'no-exec', 'busybox', 'no-such-command']);
  assert.equal(missing.status, 127, missing.stderr);
  assert.match(missing.stderr, /^berth: Error response from daemon: .*executable file not found/);
  await ok(['rm', 'no-exec']);
  // With --rm the daemon removes the container that could not start; berth waits for that, as docker does.
  const rmMissing = await berth(['run', '--rm', '--network', 'none', '--name', 'rm-no-exec', 'busybox', 'no-such-command']);
  assert.equal(rmMissing.status, 127, rmMissing.stderr);
  assert.doesNotMatch(await ok(['ps', '-a', '--format', '{{.Names}}']), /rm-no-exec/);
  const refused = await berth(['run', '--network', 'no-such-net', 'busybox', 'true']);
  assert.equal(refused.status, 125);
  assert.match(refused.stderr, /Error response from daemon: network no-such-net not found/);
  const badFlag = await berth(['run', '-m', '12x', 'busybox', 'true']);
  assert.equal(badFlag.status, 125);
  assert.match(badFlag.stderr, /invalid argument "12x" for "-m, --memory" flag: invalid size: '12x'/);
  const unknown = await berth(['stop', 'no-such-container']);
  assert.equal(unknown.status, 1);
  assert.equal(unknown.stderr, 'Error response from daemon: No such container: no-such-container\n');
});

test('a missing image is pulled through the daemon (docker\'s "Unable to find image" and progress), then run', async () => {
  const registry = await startRegistry();
  try {
    const ref = `${registry.host}/cli/busybox:v1`;
    for (const args of [['tag', 'busybox', ref], ['push', ref], ['rmi', ref]]) {
      const r = await d.docker(args);
      assert.equal(r.status, 0, `docker ${args.join(' ')}: ${r.stderr}`);
    }
    const r = await berth(['run', '--rm', '--network', 'none', ref, 'echo', 'pulled and ran']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'pulled and ran\n');
    assert.match(r.stderr, new RegExp(`^Unable to find image '${ref}' locally\nv1: Pulling from cli/busybox\n`));
    // The layer is busybox's own, already in the store: docker says "Already exists" for it.
    assert.match(r.stderr, /^[0-9a-f]{12}: Already exists\nDigest: sha256:[0-9a-f]{64}\n/m);
    assert.match(r.stderr, new RegExp(`^Status: Downloaded newer image for ${ref}\n$`, 'm'));
    assert.equal((await d.docker(['rmi', ref])).status, 0);
  } finally {
    await registry.stop();
  }
  // A failed pull is the daemon's error, exit 125, as docker run.
  const r = await berth(['run', '--rm', 'localhost:1/nosuch/image', 'true']);
  assert.equal(r.status, 125, r.stderr);
  assert.equal(r.stderr, "Unable to find image 'localhost:1/nosuch/image:latest' locally\nberth: Error response from daemon: cannot reach registry localhost:1: connection refused\n\nRun 'berth run --help' for more information\n");
});

test('run -d, ps (table, json, -q, filters), and the same rows as docker ps prints', async () => {
  const id = (await ok(['run', '-d', '--network', 'none', '--name', 'web', '-l', 'tier=front', 'busybox', 'sh', '-c', 'while true; do sleep 1; done'])).trim();
  assert.match(id, /^[0-9a-f]{64}$/);
  const table = await ok(['ps']);
  const [header, ...rows] = table.trimEnd().split('\n');
  assert.match(header!, /^CONTAINER ID   IMAGE     COMMAND                  CREATED +STATUS +PORTS     NAMES$/);
  assert.ok(rows.some((r) => r.startsWith(id.slice(0, 12)) && r.endsWith('web') && r.includes('"sh -c \'while true; …"')), table);
  const json = (await ok(['ps', '--format', 'json'])).trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>);
  const web = json.find((c) => c.Names === 'web')!;
  assert.deepEqual([web.ID, web.Image, web.State, web.Labels, web.Networks], [id.slice(0, 12), 'busybox', 'running', 'tier=front', 'none']);
  assert.equal((await ok(['ps', '-q', '--filter', 'name=web'])).trim(), id.slice(0, 12));
  assert.equal((await ok(['ps', '-q', '--no-trunc', '--filter', 'label=tier=front'])).trim(), id);
  // Same daemon, same answer: berth's rows are docker's (times left out: they change between two runs).
  const tpl = 'table {{.ID}}\\t{{.Image}}\\t{{.Command}}\\t{{.Ports}}\\t{{.Names}}\\t{{.State}}\\t{{.Labels}}';
  assert.equal(await ok(['ps', '-a', '--format', tpl]), (await d.docker(['ps', '-a', '--format', tpl])).stdout);
  assert.equal(await ok(['container', 'ls', '-a', '--format', tpl]), (await d.docker(['container', 'ls', '-a', '--format', tpl])).stdout);
  // The header of the default table is docker's, column for column.
  assert.equal((await ok(['ps', '--filter', 'name=nothing-matches'])), (await d.docker(['ps', '--filter', 'name=nothing-matches'])).stdout);
});

test('logs -f streams new lines as they come and ends when the container exits; --tail and -t; stderr kept apart', async () => {
  await ok(['run', '-d', '--network', 'none', '--name', 'talker', 'busybox', 'sh', '-c',
    'for i in 1 2; do echo out$i; echo err$i >&2; done; while [ ! -e /tmp/go ]; do sleep 0.05; done; echo out3; echo err3 >&2']);
  // Follow: once the first lines are shown, let the container go on; its last line must still arrive, then the end.
  const follower = spawn(process.execPath, [BERTH, 'logs', '-f', 'talker'], { env: { ...process.env, BERTH_SOCKET: d.socket, BERTH_NO_AUTOSTART: '1' } });
  const output = collect(follower);
  await output.waitFor('out2\n');
  await ok(['exec', 'talker', 'touch', '/tmp/go']);
  assert.equal(await output.exited, 0, output.errText());
  assert.equal(output.text(), 'out1\nout2\nout3\n');
  assert.equal(output.errText(), 'err1\nerr2\nerr3\n');
  // --tail counts lines of both streams: the last two are out3 and err3.
  const tail = await berth(['logs', '--tail', '2', 'talker']);
  assert.deepEqual([tail.stdout, tail.stderr], ['out3\n', 'err3\n']);
  assert.match((await berth(['logs', '-t', '--tail', '1', 'talker'])).stderr, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z err3\n$/);
  assert.equal((await ok(['wait', 'talker'])).trim(), '0');
  await ok(['rm', 'talker']);
});

test('exec: output, exit code, stdin with -i, env and workdir; a stopped container is refused', async () => {
  await ok(['run', '-d', '--network', 'none', '--name', 'box', 'busybox', 'sleep', '1000']);
  const r = await berth(['exec', '-e', 'GREETING=hi', '-w', '/tmp', 'box', 'sh', '-c', 'echo $GREETING from $(pwd); exit 5']);
  assert.deepEqual([r.status, r.stdout], [5, 'hi from /tmp\n']);
  assert.equal(await ok(['exec', '-i', 'box', 'cat'], { input: 'via stdin\n' }), 'via stdin\n');
  const t = await berth(['exec', '-t', 'box', 'echo', 'x']);
  assert.deepEqual([t.status, t.stdout], [0, 'x\r\n']);
  assert.equal(await ok(['exec', '-d', 'box', 'touch', '/tmp/detached']), '');
  await ok(['create', '--network', 'none', '--name', 'idle', 'busybox', 'true']);
  const refused = await berth(['exec', 'idle', 'true']);
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /^Error response from daemon: container [0-9a-f]{64} is not running\n$/);
  await ok(['rm', 'idle']);
});

test('run -it on a terminal: raw mode (output as docker prints it), the TTY sized like ours, keys typed reach the container', async () => {
  // util-linux script(1) gives berth a real pseudo-terminal of 33 rows × 91 columns.
  const inner = `stty cols 91 rows 33; exec ${process.execPath} ${BERTH} run -it --rm --network none busybox sh -c 'echo ready; read line; stty size; echo "read:$line"; exit 4'`;
  const child = spawn('script', ['-qefc', inner, '/dev/null'], { env: { ...process.env, BERTH_SOCKET: d.socket, BERTH_NO_AUTOSTART: '1' } });
  const output = collect(child);
  await output.waitFor('ready\r\n');
  child.stdin.write('typed\r');
  assert.equal(await output.exited, 4, output.text());
  // No "\r\r\n": our terminal's output processing is off while attached, as with docker.
  assert.equal(output.text(), 'ready\r\ntyped\r\n33 91\r\nread:typed\r\n');
});

test('run without a TTY forwards the signals berth receives to the container (docker\'s --sig-proxy)', async () => {
  const child = spawn(process.execPath, [BERTH, 'run', '--rm', '--network', 'none', 'busybox', 'sh', '-c', "trap 'echo got-INT; exit 9' INT; echo ready; while true; do sleep 0.1; done"], {
    env: { ...process.env, BERTH_SOCKET: d.socket, BERTH_NO_AUTOSTART: '1' },
  });
  const output = collect(child);
  await output.waitFor('ready\n');
  child.kill('SIGINT');
  assert.equal(await output.exited, 9, output.errText());
  assert.equal(output.text(), 'ready\ngot-INT\n');
});

test('stop, start, restart, kill, pause/unpause, rename, wait: names printed as given, states as inspect reports them', async () => {
  const state = async (n: string) => (await ok(['inspect', '-f', '{{.State.Status}}', n])).trim();
  assert.equal(await ok(['stop', '-t', '1', 'box']), 'box\n');
  assert.equal(await state('box'), 'exited');
  assert.equal(await ok(['start', 'box']), 'box\n');
  assert.equal(await state('box'), 'running');
  assert.equal(await ok(['pause', 'box']), 'box\n');
  assert.equal(await state('box'), 'paused');
  assert.equal(await ok(['unpause', 'box']), 'box\n');
  assert.equal(await ok(['restart', '-t', '1', 'box']), 'box\n');
  assert.equal(await state('box'), 'running');
  await ok(['rename', 'box', 'box2']);
  assert.equal(await ok(['kill', '-s', 'KILL', 'box2']), 'box2\n');
  assert.equal((await ok(['wait', 'box2'])).trim(), '137');
  const partly = await berth(['rm', 'box2', 'ghost']);
  assert.equal(partly.status, 1);
  assert.equal(partly.stdout, 'box2\n');
  assert.match(partly.stderr, /No such container: ghost/);
});

test('start -a and attach: output until exit, the container\'s exit code', async () => {
  await ok(['create', '--network', 'none', '--name', 'later', 'busybox', 'sh', '-c', 'echo started; exit 4']);
  const s = await berth(['start', '-a', 'later']);
  assert.deepEqual([s.status, s.stdout], [4, 'started\n']);
  await ok(['rm', 'later']);
  await ok(['run', '-d', '-i', '--network', 'none', '--name', 'reader', 'busybox', 'sh', '-c', 'read x; echo got $x; exit 7']);
  const a = await berth(['attach', 'reader'], { input: 'hello\n' });
  assert.deepEqual([a.status, a.stdout], [7, 'got hello\n']);
  await ok(['rm', 'reader']);
});

test('rm -f removes a running container; inspect then reports it missing (exit 1)', async () => {
  await ok(['run', '-d', '--network', 'none', '--name', 'doomed', 'busybox', 'sleep', '1000']);
  assert.equal(await ok(['rm', '-f', 'doomed']), 'doomed\n');
  const r = await berth(['inspect', 'doomed']);
  assert.equal(r.status, 1);
  assert.equal(r.stdout, '[]\n');
  assert.equal(r.stderr, 'Error: No such object: doomed\n');
});

test('inspect: containers, images, volumes, networks; identical to docker inspect; -f templates', async () => {
  await ok(['run', '--network', 'none', '--name', 'done', '-e', 'K=V', 'busybox', 'true']);
  const mine = await ok(['inspect', 'done']);
  assert.equal(mine, (await d.docker(['inspect', 'done'])).stdout);
  const [doc] = JSON.parse(mine) as { Name: string; State: { ExitCode: number }; Config: { Env: string[] } }[];
  assert.equal(doc!.Name, '/done');
  assert.ok(doc!.Config.Env.includes('K=V'));
  assert.equal(await ok(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}} {{json .Config.Cmd}}', 'done']), 'exited 0 ["true"]\n');
  assert.equal((await ok(['inspect', '--format', 'json', 'done'])).split('\n').length, 2);
  const image = JSON.parse(await ok(['inspect', 'busybox'])) as { Id: string; RepoTags: string[] }[];
  assert.ok(image[0]!.RepoTags.includes('busybox:latest'));
  assert.equal(await ok(['inspect', '-f', '{{.Name}}', 'bridge']), 'bridge\n');
  await ok(['rm', 'done']);
});

test('volume create/ls/inspect/rm and network create/ls/inspect/rm, as docker prints them', async () => {
  assert.equal(await ok(['volume', 'create', '--label', 'k=v', 'clivol']), 'clivol\n');
  assert.equal(await ok(['volume', 'ls']), (await d.docker(['volume', 'ls'])).stdout);
  assert.match(await ok(['volume', 'ls']), /^DRIVER {4}VOLUME NAME\n(.*\n)*local {5}clivol\n/);
  assert.equal(await ok(['volume', 'ls', '--format', 'json']), (await d.docker(['volume', 'ls', '--format', 'json'])).stdout);
  assert.equal(await ok(['volume', 'inspect', '-f', '{{.Name}} {{json .Labels}}', 'clivol']), 'clivol {"k":"v"}\n');
  assert.equal(await ok(['volume', 'rm', 'clivol']), 'clivol\n');
  assert.doesNotMatch(await ok(['volume', 'ls', '-q']), /clivol/);

  const id = (await ok(['network', 'create', '--subnet', '10.219.32.0/24', 'clinet'])).trim();
  assert.match(id, /^[0-9a-f]{64}$/);
  assert.equal(await ok(['network', 'ls']), (await d.docker(['network', 'ls'])).stdout);
  assert.equal(await ok(['network', 'ls', '--format', 'json']), (await d.docker(['network', 'ls', '--format', 'json'])).stdout);
  assert.match(await ok(['network', 'ls']), new RegExp(`^NETWORK ID     NAME      DRIVER    SCOPE\\n(.*\\n)*${id.slice(0, 12)}   clinet    bridge    local\\n`));
  assert.equal(await ok(['network', 'inspect', '-f', '{{.Id}}', 'clinet']), `${id}\n`);
  assert.equal(await ok(['network', 'rm', 'clinet']), 'clinet\n');
  assert.equal(await ok(['network', 'ls', '-q', '--filter', 'name=clinet']), '');
  assert.notEqual(spawnSync('ip', ['link', 'show', `br-${id.slice(0, 12)}`]).status, 0, 'the network\'s bridge is gone');
});

test('published ports: port and ps show the binding docker shows; top and stats list the container', async () => {
  await ok(['run', '-d', '--name', 'srv', '-p', '127.0.0.1::80', 'busybox', 'sleep', '1000']);
  const port = await ok(['port', 'srv']);
  assert.match(port, /^80\/tcp -> 127\.0\.0\.1:\d+\n$/);
  assert.equal(port, (await d.docker(['port', 'srv'])).stdout);
  assert.equal(await ok(['ps', '--filter', 'name=srv', '--format', '{{.Ports}}']), (await d.docker(['ps', '--filter', 'name=srv', '--format', '{{.Ports}}'])).stdout);
  const top = await ok(['top', 'srv']);
  assert.match(top, /^UID {17}PID {17}PPID/);
  assert.match(top, /sleep 1000\n$/);
  const stats = await ok(['stats', '--no-stream', 'srv']);
  assert.match(stats, /^CONTAINER ID   NAME      CPU %     MEM USAGE \/ LIMIT +MEM % +NET I\/O +BLOCK I\/O +PIDS\n[0-9a-f]{12} {3}srv {7}\d+\.\d\d% +[\d.]+[KMG]?i?B \/ [\d.]+[KMGT]?i?B +\d+\.\d\d% .* 1\n$/);
  const json = JSON.parse(await ok(['stats', '--no-stream', '--format', 'json', 'srv'])) as Record<string, string>;
  assert.deepEqual([json.Name, json.PIDs, json.Container], ['srv', '1', 'srv']);
  assert.equal(await ok(['rm', '-f', 'srv']), 'srv\n');
});

test('cp both ways (into a directory, renamed, directories) and export', async () => {
  await ok(['run', '-d', '--network', 'none', '--name', 'files', 'busybox', 'sleep', '1000']);
  const tmp = fs.mkdtempSync(path.join(d.tmp, 'cp-'));
  try {
    fs.writeFileSync(path.join(tmp, 'a.txt'), 'alpha\n');
    fs.mkdirSync(path.join(tmp, 'dir'));
    fs.writeFileSync(path.join(tmp, 'dir', 'b.txt'), 'beta\n');
    await ok(['cp', path.join(tmp, 'a.txt'), 'files:/tmp/']);
    await ok(['cp', path.join(tmp, 'a.txt'), 'files:/tmp/renamed.txt']);
    await ok(['cp', path.join(tmp, 'dir'), 'files:/tmp/d2']);
    assert.equal(await ok(['exec', 'files', 'cat', '/tmp/a.txt', '/tmp/renamed.txt', '/tmp/d2/b.txt']), 'alpha\nalpha\nbeta\n');
    await ok(['cp', 'files:/tmp/d2', path.join(tmp, 'back')]);
    assert.equal(fs.readFileSync(path.join(tmp, 'back', 'b.txt'), 'utf8'), 'beta\n');
    await ok(['cp', 'files:/tmp/renamed.txt', tmp]);
    assert.equal(fs.readFileSync(path.join(tmp, 'renamed.txt'), 'utf8'), 'alpha\n');
    const missing = await berth(['cp', 'files:/no/such', tmp]);
    assert.equal(missing.status, 1);
    await ok(['export', '-o', path.join(tmp, 'fs.tar'), 'files']);
    const list = spawnSync('tar', ['-tf', path.join(tmp, 'fs.tar')], { encoding: 'utf8' }).stdout;
    assert.match(list, /^bin\/busybox$/m);
    assert.match(list, /^tmp\/d2\/b\.txt$/m);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
    await ok(['rm', '-f', 'files']);
  }
});

test('info, system df and events speak for the same daemon', async () => {
  assert.match(await ok(['info']), /^Server:\n Containers: \d+\n {2}Running: \d+/m);
  assert.equal(await ok(['info', '-f', '{{.ServerVersion}} {{.OSType}}']), (await d.docker(['info', '-f', '{{.ServerVersion}} {{.OSType}}'])).stdout);
  assert.match(await ok(['system', 'df']), /^TYPE {12}TOTAL {5}ACTIVE {4}SIZE {6}RECLAIMABLE\nImages /);
  const id = (await ok(['create', '--network', 'none', '--name', 'evt', 'busybox', 'true'])).trim();
  await ok(['rm', 'evt']);
  // An explicit --until (a relative one is whole seconds, as docker's, and could cut off this second's events).
  const until = new Date().toISOString();
  const events = (await ok(['events', '--since', '5m', '--until', until, '--filter', `container=${id}`, '--format', 'json'])).trim().split('\n').map((l) => JSON.parse(l) as { Action: string });
  assert.deepEqual(events.map((e) => e.Action), ['create', 'destroy']);
  const text = await ok(['events', '--since', '5m', '--until', until, '--filter', `container=${id}`, '--filter', 'event=create']);
  assert.match(text, new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}(Z|[+-]\\d\\d:\\d\\d) container create ${id} \\(image=busybox, name=evt\\)\\n$`));
});
