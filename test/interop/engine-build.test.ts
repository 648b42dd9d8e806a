// `DOCKER_BUILDKIT=0 docker build` (the real docker CLI 28, legacy builder protocol) against a real `berth daemon`:
// the seeds' Java-style and Go-style images build, run, and show Docker's history and config; the build cache hits
// every unchanged step and a changed COPY source invalidates exactly that step and the later ones; -q prints only
// the id; RUN reaches the daemon's default bridge (or only loopback with --network none); failures (syntax, a
// missing COPY source, a failing RUN, a hostile context tar) are reported as Docker does and leave nothing behind.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { EngineDaemon, run, DOCKER, type RunResult } from '../fixtures/engine-daemon.js';

if (process.getuid?.() !== 0) throw new Error('engine build interop tests need root (the daemon runs containers)');

let d: EngineDaemon;

before(async () => {
  d = await EngineDaemon.start();
});

after(async () => {
  if (!d) return;
  const leftovers = await d.stop();
  assert.deepEqual(leftovers, []);
});

/** Writes a build context directory (files relative to it) and returns its path. */
function context(name: string, files: Record<string, string>): string {
  const dir = path.join(d.tmp, 'contexts', name);
  for (const [rel, content] of Object.entries(files)) {
    const p = path.join(dir, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, content);
  }
  return dir;
}

/** `docker build` with the legacy builder (DOCKER_BUILDKIT=0). */
function dockerBuild(args: string[]): Promise<RunResult> {
  return run(DOCKER, ['build', ...args], { env: { ...d.dockerEnv(), DOCKER_BUILDKIT: '0' }, timeoutMs: 180_000 });
}

function show(r: RunResult): string {
  return `exit ${r.status}\nstdout: ${r.stdout}\nstderr: ${r.stderr}\ndaemon log tail:\n${d.logs().split('\n').slice(-20).join('\n')}`;
}

async function ok(args: string[]): Promise<string> {
  const r = await d.docker(args);
  assert.equal(r.status, 0, `docker ${args.join(' ')}: ${show(r)}`);
  return r.stdout;
}

async function build(args: string[]): Promise<string> {
  const r = await dockerBuild(args);
  assert.equal(r.status, 0, `docker build ${args.join(' ')}: ${show(r)}`);
  return r.stdout;
}

/** The output split per `Step N/M :` block (the step line first). */
function steps(output: string): string[] {
  return output.split(/^(?=Step \d+\/\d+ : )/m).filter((s) => s.startsWith('Step '));
}

/** What a finished or failed build must not leave in the daemon: containers, mounts, netns, build temp dirs. */
async function leftovers(): Promise<string[]> {
  const out: string[] = [];
  const ps = await ok(['ps', '-aq']);
  if (ps.trim()) out.push(`containers: ${ps.trim()}`);
  for (const line of fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const mp = line.split(' ')[4];
    if (mp && mp.startsWith(d.tmp)) out.push(`mount ${mp}`);
  }
  const netns = path.join(d.runRoot, 'netns');
  for (const f of fs.existsSync(netns) ? fs.readdirSync(netns) : []) out.push(`netns ${f}`);
  const buildRun = path.join(d.runRoot, 'build');
  for (const f of fs.existsSync(buildRun) ? fs.readdirSync(buildRun) : []) out.push(`run/build/${f}`);
  for (const sub of ['mnt', 'tmp']) {
    const dir = path.join(d.root, 'build', sub);
    for (const f of fs.existsSync(dir) ? fs.readdirSync(dir) : []) out.push(`root/build/${sub}/${f}`);
  }
  const runtimeDir = path.join(d.runRoot, 'runtime');
  for (const f of fs.existsSync(runtimeDir) ? fs.readdirSync(runtimeDir) : []) out.push(`runtime state ${f}`);
  return out;
}

const FAKE_JAVA = '#!/bin/sh\n# a stand-in for the JVM: shows its arguments and the jar it was given\necho "java $*"\n[ "$1" = -jar ] && cat "$2"\n';

test('a Java-style service image: FROM a local base, MAINTAINER, VOLUME, ADD, exec-form ENTRYPOINT', async () => {
  const base = context('java-base', { Dockerfile: 'FROM busybox\nCOPY --chmod=755 java /usr/local/bin/java\n', java: FAKE_JAVA });
  await build(['-t', 'java-base:8', base]);
  const dir = context('java-app', {
    Dockerfile: [
      'FROM java-base:8',
      'MAINTAINER Berth Tests <tests@berth.invalid>',
      'VOLUME /data/docker/logs',
      'ADD app.jar application.jar',
      'ENTRYPOINT ["java","-jar","/application.jar"]',
      '',
    ].join('\n'),
    'app.jar': 'PK fake jar v1\n',
  });
  const out = await build(['-t', 'java-app:1.0', '-t', 'java-app:latest', dir]);
  assert.match(out, /^Step 1\/5 : FROM java-base:8$/m);
  assert.match(out, /^Step 5\/5 : ENTRYPOINT \["java","-jar","\/application.jar"\]$/m);
  const id = (await ok(['image', 'inspect', '--format', '{{.Id}}', 'java-app:1.0'])).trim();
  assert.match(out, new RegExp(`^Successfully built ${id.slice(7, 19)}$`, 'm'));
  assert.match(out, /^Successfully tagged java-app:1\.0$/m);
  assert.match(out, /^Successfully tagged java-app:latest$/m);

  const inspect = JSON.parse(await ok(['image', 'inspect', 'java-app:1.0'])) as [{
    Author: string; Config: { Entrypoint: string[]; Cmd: string[] | null; Volumes: Record<string, object> | null }; RepoTags: string[];
  }];
  assert.equal(inspect[0].Author, 'Berth Tests <tests@berth.invalid>');
  assert.deepEqual(inspect[0].Config.Entrypoint, ['java', '-jar', '/application.jar']);
  assert.equal(inspect[0].Config.Cmd, null); // ENTRYPOINT drops busybox's inherited CMD ["sh"]
  assert.deepEqual(inspect[0].Config.Volumes, { '/data/docker/logs': {} });
  assert.deepEqual(inspect[0].RepoTags.sort(), ['java-app:1.0', 'java-app:latest']);

  const history = (await ok(['history', '--no-trunc', '--format', '{{.CreatedBy}}', 'java-app:1.0'])).split('\n');
  assert.equal(history[0], '/bin/sh -c #(nop)  ENTRYPOINT ["java" "-jar" "/application.jar"]');
  assert.match(history[1]!, /^\/bin\/sh -c #\(nop\) ADD file:[0-9a-f]+ in application.jar $/);
  assert.equal(history[2], '/bin/sh -c #(nop)  VOLUME [/data/docker/logs]');
  assert.equal(history[3], '/bin/sh -c #(nop)  MAINTAINER Berth Tests <tests@berth.invalid>');
  assert.match(history[4]!, /^\/bin\/sh -c #\(nop\) COPY file:[0-9a-f]+ in \/usr\/local\/bin\/java $/);

  const ran = await ok(['run', '--rm', 'java-app:1.0']);
  assert.equal(ran, 'java -jar /application.jar\nPK fake jar v1\n');
  assert.deepEqual(await leftovers(), []);
});

const GO_DOCKERFILE = [
  'FROM busybox',
  'WORKDIR /app',
  'COPY go.mod ./',
  'COPY main.go ./',
  `RUN printf '#!/bin/sh\\necho "%s / %s"\\n' "$(cat go.mod)" "$(cat main.go)" > server && chmod 755 server && echo compiled`,
  'CMD ["/app/server"]',
  '',
].join('\n');

test('a Go-style image (WORKDIR, COPY, RUN, CMD): runs, caches every unchanged step, and a changed source rebuilds from its step', async () => {
  const dir = context('go-app', { Dockerfile: GO_DOCKERFILE, 'go.mod': 'module hello', 'main.go': 'main v1' });
  const first = await build(['-t', 'go-app', dir]);
  assert.equal(steps(first).length, 6);
  assert.match(first, /^ ---> Running in [0-9a-f]{12}\ncompiled\n/m);
  assert.doesNotMatch(first, /Using cache/);
  assert.equal(await ok(['run', '--rm', 'go-app']), 'module hello / main v1\n');
  const inspect = JSON.parse(await ok(['image', 'inspect', 'go-app'])) as [{ Config: { Cmd: string[]; WorkingDir: string } }];
  assert.deepEqual(inspect[0].Config.Cmd, ['/app/server']);
  assert.equal(inspect[0].Config.WorkingDir, '/app');
  const history = (await ok(['history', '--no-trunc', '--format', '{{.CreatedBy}}', 'go-app'])).split('\n');
  assert.equal(history[0], '/bin/sh -c #(nop)  CMD ["/app/server"]');
  assert.match(history[1]!, /^\/bin\/sh -c printf /);
  assert.match(history[2]!, /^\/bin\/sh -c #\(nop\) COPY file:[0-9a-f]+ in \.\/ $/);
  assert.equal(history[4], '/bin/sh -c #(nop) WORKDIR /app');

  // Unchanged: every step after FROM is a cache hit, and the same image comes out.
  const again = await build(['-t', 'go-app', dir]);
  for (const s of steps(again).slice(1)) assert.match(s, /^ ---> Using cache$/m, `step not cached:\n${s}`);
  assert.doesNotMatch(again, /Running in/);
  const firstId = /Successfully built ([0-9a-f]{12})/.exec(first)![1];
  assert.match(again, new RegExp(`Successfully built ${firstId}`));

  // main.go changed: FROM, WORKDIR and COPY go.mod stay cached; COPY main.go, RUN and CMD are rebuilt.
  fs.writeFileSync(path.join(dir, 'main.go'), 'main v2');
  const changed = steps(await build(['-t', 'go-app', dir]));
  assert.deepEqual(changed.map((s) => /Using cache/.test(s)), [false, true, true, false, false, false]);
  assert.match(changed[4]!, /Running in/);
  assert.equal(await ok(['run', '--rm', 'go-app']), 'module hello / main v2\n');

  // -q: only the image id, on stdout.
  const quiet = await dockerBuild(['-q', '-t', 'go-app:quiet', dir]);
  assert.equal(quiet.status, 0, show(quiet));
  const id = (await ok(['image', 'inspect', '--format', '{{.Id}}', 'go-app:quiet'])).trim();
  assert.equal(quiet.stdout, `${id}\n`);

  // The step images of the first build (between the FROM base and the last ` ---> id`) are Docker's intermediates: hidden from `docker images`.
  const stepIds = [...first.matchAll(/^ ---> ([0-9a-f]{12})$/gm)].map((m) => m[1]!);
  assert.ok(stepIds.length >= 5, first);
  const listed = (await ok(['images', '-q'])).split('\n').filter(Boolean);
  assert.ok(listed.includes(id.slice(7, 19)));
  for (const step of stepIds.slice(1, -1)) assert.ok(!listed.includes(step), `intermediate ${step} listed by docker images`);

  // Each tag was published as an image tag event.
  const events = await ok(['events', '--since', '0', '--until', String(Math.floor(Date.now() / 1000) + 1), '--filter', 'type=image', '--filter', 'event=tag', '--format', '{{.Actor.Attributes.name}}']);
  assert.ok(events.split('\n').includes('go-app:quiet'), `tag events: ${events}`);
  assert.deepEqual(await leftovers(), []);
});

test('RUN on the default bridge gets an address in the daemon\'s subnet; --network none has no eth0', async () => {
  const subnet = d.extraEnv.BERTH_BRIDGE_SUBNET!; // e.g. 10.233.17.0/24
  const prefix = subnet.split('/')[0]!.split('.').slice(0, 3).join('\\.');
  const dir = context('net', { Dockerfile: 'FROM busybox\nRUN ip -4 addr show eth0 && cat /etc/hosts\n' });
  const out = await build(['--no-cache', dir]);
  const addr = new RegExp(`inet (${prefix}\\.\\d+)/24`).exec(out);
  assert.ok(addr, `no address in ${subnet}:\n${out}`);
  assert.match(out, new RegExp(`^${addr[1]!.replace(/\./g, '\\.')}\\s+[0-9a-f]{12}$`, 'm')); // hosts names the step
  assert.deepEqual(await leftovers(), []);

  const none = context('net-none', { Dockerfile: 'FROM busybox\nRUN ip link show eth0 || echo no eth0 here; ip -o link | wc -l\n' });
  const noneOut = await build(['--no-cache', '--network', 'none', none]);
  assert.match(noneOut, /^no eth0 here\n\s*1\n/m);
  assert.deepEqual(await leftovers(), []);
});

test('RUN --mount and RUN here-documents through the real docker CLI: a cache mount outlives --no-cache builds, a bind reads the context, none is in the image', async () => {
  const dir = context('mounts', {
    Dockerfile: [
      'FROM busybox',
      'RUN --mount=type=cache,target=/cache --mount=type=bind,source=input.txt,target=/in.txt <<EOF',
      'cat /in.txt >> /cache/runs',
      'wc -l < /cache/runs > /runs-seen',
      'EOF',
      '',
    ].join('\n'),
    'input.txt': 'one build\n',
  });
  await build(['--no-cache', '-t', 'mounts:1', dir]);
  await build(['--no-cache', '-t', 'mounts:2', dir]);
  // The second build's step saw the line the first one left in the cache mount; neither target is in the image.
  assert.equal((await ok(['run', '--rm', 'mounts:2', 'cat', '/runs-seen'])).trim(), '2');
  assert.equal(await ok(['run', '--rm', 'mounts:2', 'sh', '-c', 'for p in /cache /in.txt; do test -e $p && echo $p; done; true']), '');
  const bad = context('mount-secret', { Dockerfile: 'FROM busybox\nRUN --mount=type=secret,id=x cat /run/secrets/x\n' });
  const r = await dockerBuild([bad]);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /secret/);
  assert.deepEqual(await leftovers(), []);
});

test('a syntax error names its line; nothing is left', async () => {
  const dir = context('syntax', { Dockerfile: 'FROM busybox\nRUN true\nFOOBAR nope\n' });
  const r = await dockerBuild([dir]);
  assert.equal(r.status, 1, show(r));
  assert.match(r.stderr, /dockerfile parse error on line 3: unknown instruction: FOOBAR/);
  assert.deepEqual(await leftovers(), []);
});

test('COPY of a missing file fails clearly; nothing is left', async () => {
  const dir = context('missing', { Dockerfile: 'FROM busybox\nCOPY not-there.txt /x\n' });
  const r = await dockerBuild([dir]);
  assert.equal(r.status, 1, show(r));
  assert.match(r.stderr, /COPY failed: file not found in build context or excluded by \.dockerignore: stat not-there\.txt: file does not exist/);
  assert.deepEqual(await leftovers(), []);
});

test('a failing RUN reports its exit code and output (the CLI exits with that code); nothing is left', async () => {
  const dir = context('run-fail', { Dockerfile: 'FROM busybox\nRUN echo about to fail; exit 3\n' });
  const r = await dockerBuild([dir]);
  assert.equal(r.status, 3, show(r));
  assert.match(r.stdout, /^about to fail$/m);
  assert.match(r.stderr, /The command '\/bin\/sh -c echo about to fail; exit 3' returned a non-zero code: 3/);
  assert.deepEqual(await leftovers(), []);

  // -q: the build output is held back and shown (on stderr) only because the build failed.
  const q = await dockerBuild(['-q', dir]);
  assert.equal(q.status, 3, show(q));
  assert.equal(q.stdout, '');
  assert.match(q.stderr, /about to fail/);
  assert.deepEqual(await leftovers(), []);
});

/** A POST /build with a raw body, straight to the daemon's socket. */
function postBuild(query: string, body: Buffer): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: d.socket, method: 'POST', path: `/v1.47/build?${query}`, headers: { 'Content-Type': 'application/x-tar' } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('the API refuses a context tar with an escaping entry and bad parameters with 400, writing nothing outside', async () => {
  const src = context('hostile', { Dockerfile: 'FROM busybox\n', escaped: 'should never be written' });
  // GNU tar keeps a transformed `../` name on create (-P); an extractor must refuse it.
  const tar = spawnSync('tar', ['-C', src, '-P', '--transform', 's,^escaped$,../../escaped-by-build,', '-cf', '-', 'Dockerfile', 'escaped'], { maxBuffer: 1 << 24 });
  assert.equal(tar.status, 0, tar.stderr.toString());
  assert.ok(tar.stdout.includes(Buffer.from('../../escaped-by-build')), 'the tar carries the escaping name');
  const r = await postBuild('t=hostile', tar.stdout);
  assert.equal(r.status, 400, r.text);
  assert.match(r.text, /unpacking the build context/);
  assert.equal(fs.existsSync(path.join(d.runRoot, 'escaped-by-build')), false);
  assert.equal(fs.existsSync(path.join(d.runRoot, 'build', 'escaped-by-build')), false);

  const okTar = spawnSync('tar', ['-C', src, '-cf', '-', 'Dockerfile']).stdout;
  const badArgs = await postBuild(`buildargs=${encodeURIComponent('[1]')}`, okTar);
  assert.equal(badArgs.status, 400, badArgs.text);
  assert.match(badArgs.text, /buildargs parameter must be a JSON object/);
  const badFile = await postBuild('dockerfile=../../etc/passwd', okTar);
  assert.equal(badFile.status, 400, badFile.text);
  assert.match(badFile.text, /must name a file inside the build context/);
  assert.deepEqual(await leftovers(), []);
});

test('docker build -f - (a Dockerfile from stdin) with COPY .: the CLI\'s unpadded context is read, the hidden Dockerfile stays out, and COPY . hits the cache', async () => {
  const dir = context('stdin-df', { 'a.txt': 'A\n', 'sub/b.txt': 'B\n' });
  const dockerfile = 'FROM busybox\nCOPY . /ctx/\nRUN ls -a /ctx > /listing\n';
  const first = await run(DOCKER, ['build', '-f', '-', '-t', 'stdin-df', dir], { env: { ...d.dockerEnv(), DOCKER_BUILDKIT: '0' }, input: dockerfile, timeoutMs: 180_000 });
  assert.equal(first.status, 0, show(first));
  const listing = await ok(['run', '--rm', '--network', 'none', 'stdin-df', 'cat', '/listing']);
  // dockerd's removeDockerfile: the CLI's .dockerfile.<random> (ignored by the .dockerignore it adds) is not copied.
  assert.ok(!/\.dockerfile\./.test(listing), listing);
  assert.match(listing, /a\.txt/);
  const second = await run(DOCKER, ['build', '-f', '-', '-t', 'stdin-df', dir], { env: { ...d.dockerEnv(), DOCKER_BUILDKIT: '0' }, input: dockerfile, timeoutMs: 180_000 });
  assert.equal(second.status, 0, show(second));
  const hits = steps(second.stdout).map((s) => s.includes('Using cache'));
  assert.deepEqual(hits, [false, true, true], second.stdout);
  assert.equal((await d.docker(['rmi', 'stdin-df'])).status, 0);
  assert.deepEqual(await leftovers(), []);
});

test('the build cache survives a daemon restart (SIGKILL): an unchanged rebuild hits every step', async () => {
  const dir = context('restart-cache', { Dockerfile: 'FROM busybox\nCOPY a.txt /a.txt\nRUN cat /a.txt > /b.txt\nCMD ["cat", "/b.txt"]\n', 'a.txt': 'kept\n' });
  const first = await build(['-t', 'restart-cache', dir]);
  const firstId = /Successfully built ([0-9a-f]{12})/.exec(first)![1];
  await d.kill9();
  await d.startDaemon();
  const again = await build(['-t', 'restart-cache', dir]);
  for (const s of steps(again).slice(1)) assert.match(s, /^ ---> Using cache$/m, `step not cached after the restart:\n${s}`);
  assert.match(again, new RegExp(`Successfully built ${firstId}`));
  assert.equal(await ok(['run', '--rm', '--network', 'none', 'restart-cache']), 'kept\n');
  assert.equal((await d.docker(['rmi', 'restart-cache'])).status, 0);
  assert.deepEqual(await leftovers(), []);
});
