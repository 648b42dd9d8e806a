import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDockerfile } from '../../../src/build/dockerfile/parse.js';
import type { Instruction } from '../../../src/build/dockerfile/types.js';

/** Parses `FROM busybox` + the given lines and returns the instructions after FROM, without location fields. */
function body(...lines: string[]): Record<string, unknown>[] {
  const file = parseDockerfile(['FROM busybox', ...lines].join('\n'));
  return file.stages.flatMap((s) => s.instructions).map(strip);
}

function strip(i: Instruction): Record<string, unknown> {
  const { startLine: _s, endLine: _e, original: _o, ...rest } = i;
  if (rest.kind === 'ONBUILD') return { ...rest, trigger: strip(rest.trigger) };
  return rest;
}

function one(line: string): Record<string, unknown> {
  const [i] = body(line);
  return i!;
}

test('FROM: image, AS name (lower-cased), --platform', () => {
  const file = parseDockerfile('FROM --platform=linux/amd64 golang:1.22 AS Build\nFROM scratch\nfrom build as final\n');
  assert.deepEqual(file.stages.map((s) => [s.index, s.name, s.from.image, s.from.stageName, s.from.platform]), [
    [0, 'build', 'golang:1.22', 'build', 'linux/amd64'],
    [1, undefined, 'scratch', undefined, undefined],
    [2, 'final', 'build', 'final', undefined],
  ]);
});

test('RUN: shell form, exec form, invalid JSON falls back to the shell form', () => {
  assert.deepEqual(body(
    'RUN apt-get update && apt-get install -y curl',
    'RUN ["/bin/echo", "hello world"]',
    'RUN [ "echo", "unterminated"',
    "RUN ['single', 'quotes']",
    'RUN [1, 2]x',
    'RUN []',
  ).map((i) => i.command), [
    { form: 'shell', args: ['apt-get update && apt-get install -y curl'] },
    { form: 'exec', args: ['/bin/echo', 'hello world'] },
    { form: 'shell', args: ['[ "echo", "unterminated"'] },
    { form: 'shell', args: ["['single', 'quotes']"] },
    { form: 'shell', args: ['[1, 2]x'] },
    { form: 'exec', args: [] },
  ]);
});

test('RUN --mount values become objects; --network', () => {
  const run = one('RUN --mount=type=cache,target=/root/.cache,sharing=locked,id=go --mount=type=bind,from=build,source=/out,target=/in,rw '
    + '--mount=type=tmpfs,target=/tmp,size=64m --mount=type=secret,id=tok,required --mount=target=/src --network=none make');
  assert.deepEqual(run.mounts, [
    { type: 'cache', target: '/root/.cache', sharing: 'locked', id: 'go', readOnly: false },
    { type: 'bind', from: 'build', source: '/out', target: '/in', readOnly: false },
    { type: 'tmpfs', target: '/tmp', size: 64 * 1024 * 1024, readOnly: false },
    { type: 'secret', id: 'tok', required: true, readOnly: true },
    { type: 'bind', target: '/src', readOnly: true },
  ]);
  assert.equal(run.network, 'none');
  assert.deepEqual(run.command, { form: 'shell', args: ['make'] });
  assert.equal(one('RUN true').network, 'default');
  assert.deepEqual(one('RUN --mount="type=cache,target=/a b" --mount=type=cache,\'target=/c\',mode=0755,uid=1000,gid=1000 true').mounts, [
    { type: 'cache', target: '/a b', readOnly: false },
    { type: 'cache', target: '/c', mode: 0o755, uid: 1000, gid: 1000, readOnly: false },
  ]);
});

test('RUN --mount with a variable is checked when expanded, not at parse time', () => {
  const run = one('RUN --mount=type=cache,target=$DIR,uid=$UID true');
  assert.deepEqual(run.mountSpecs, ['type=cache,target=$DIR,uid=$UID']);
  assert.deepEqual(run.mounts, [{ type: 'cache', readOnly: false }]);
});

test('CMD and ENTRYPOINT: exec and shell forms; an empty CMD', () => {
  assert.deepEqual(body('CMD ["nginx", "-g", "daemon off;"]', 'CMD echo $HOME', 'ENTRYPOINT ["java", "-jar", "/app.jar"]',
    'ENTRYPOINT exec top -b', 'CMD').map((i) => [i.kind, i.command]), [
    ['CMD', { form: 'exec', args: ['nginx', '-g', 'daemon off;'] }],
    ['CMD', { form: 'shell', args: ['echo $HOME'] }],
    ['ENTRYPOINT', { form: 'exec', args: ['java', '-jar', '/app.jar'] }],
    ['ENTRYPOINT', { form: 'shell', args: ['exec top -b'] }],
    ['CMD', { form: 'shell', args: [] }],
  ]);
});

test('ENV: the old `ENV k v` form and k=v pairs, quotes kept for expansion', () => {
  assert.deepEqual(body(
    'ENV PATH /usr/local/bin:$PATH',
    'ENV ONE two three  four',
    'ENV A=1 B="two words" C=\'$lit\' D=a\\ b E=',
    'ENV F="x" \\',
    '    G=y',
  ).map((i) => i.pairs), [
    [{ key: 'PATH', value: '/usr/local/bin:$PATH' }],
    [{ key: 'ONE', value: 'two three  four' }],
    [{ key: 'A', value: '1' }, { key: 'B', value: '"two words"' }, { key: 'C', value: "'$lit'" }, { key: 'D', value: 'a\\ b' },
      { key: 'E', value: '' }],
    [{ key: 'F', value: '"x"' }, { key: 'G', value: 'y' }],
  ]);
});

test('LABEL: pairs with quotes and spaces', () => {
  assert.deepEqual(one('LABEL version="1.0" "com.example.vendor"="ACME Inc" description="a \\"quoted\\" word" x=y').pairs, [
    { key: 'version', value: '"1.0"' },
    { key: '"com.example.vendor"', value: '"ACME Inc"' },
    { key: 'description', value: '"a \\"quoted\\" word"' },
    { key: 'x', value: 'y' },
  ]);
});

test('ARG: names, defaults, several per line; ARG before FROM is a meta arg', () => {
  const file = parseDockerfile('ARG BASE=busybox VERSION\nFROM $BASE\nARG A B=2 C="x y" D=\n');
  assert.deepEqual(file.metaArgs.map((a) => a.args), [[{ key: 'BASE', value: 'busybox' }, { key: 'VERSION' }]]);
  assert.deepEqual(file.stages[0]!.instructions.map((i) => i.kind === 'ARG' && i.args), [
    [{ key: 'A' }, { key: 'B', value: '2' }, { key: 'C', value: '"x y"' }, { key: 'D', value: '' }],
  ]);
});

test('MAINTAINER, USER, WORKDIR, STOPSIGNAL take the rest of the line as one argument', () => {
  assert.deepEqual(body('MAINTAINER Jane Doe <jane@example.com>', 'USER app:app', 'WORKDIR /srv/my app', 'STOPSIGNAL SIGQUIT'), [
    { kind: 'MAINTAINER', maintainer: 'Jane Doe <jane@example.com>' },
    { kind: 'USER', user: 'app:app' },
    { kind: 'WORKDIR', path: '/srv/my app' },
    { kind: 'STOPSIGNAL', signal: 'SIGQUIT' },
  ]);
});

test('EXPOSE: words as written (sorted, as Docker does before expansion)', () => {
  assert.deepEqual(one('EXPOSE 8080 80/udp 8000-8010 $PORT').ports, ['$PORT', '80/udp', '8000-8010', '8080']);
});

test('VOLUME: JSON array or words', () => {
  assert.deepEqual(body('VOLUME /data/docker/logs', 'VOLUME ["/a b", "/c"]', 'VOLUME /x /y').map((i) => i.volumes), [
    ['/data/docker/logs'], ['/a b', '/c'], ['/x', '/y'],
  ]);
});

test('COPY and ADD: sources and destination, JSON form for spaces, flags', () => {
  assert.deepEqual(body(
    'COPY --from=build --chown=app:app --chmod=0755 --link /out/app /usr/local/bin/',
    'COPY ["my file.txt", "other file", "/dst dir/"]',
    'ADD --keep-git-dir=true https://example.com/repo.git /src',
    'ADD app.jar application.jar',
  ), [
    { kind: 'COPY', sources: ['/out/app'], inline: [], dest: '/usr/local/bin/', link: true, json: false, chown: 'app:app',
      chmod: '0755', from: 'build' },
    { kind: 'COPY', sources: ['my file.txt', 'other file'], inline: [], dest: '/dst dir/', link: false, json: true },
    { kind: 'ADD', sources: ['https://example.com/repo.git'], inline: [], dest: '/src', link: false, json: false, keepGitDir: true },
    { kind: 'ADD', sources: ['app.jar'], inline: [], dest: 'application.jar', link: false, json: false },
  ]);
  assert.equal(one('COPY --link=false a b').link, false);
});

test('ONBUILD wraps a parsed instruction and keeps its text for the image config', () => {
  const [run, copy] = body('ONBUILD RUN --mount=type=cache,target=/c make', 'onbuild copy . /app');
  assert.equal(run!.expression, 'RUN --mount=type=cache,target=/c make');
  assert.deepEqual((run!.trigger as Record<string, unknown>).mounts, [{ type: 'cache', target: '/c', readOnly: false }]);
  assert.equal(copy!.expression, 'copy . /app');
  assert.deepEqual((copy!.trigger as Record<string, unknown>).sources, ['.']);
});

test('HEALTHCHECK: NONE; CMD in shell and exec form; durations in nanoseconds', () => {
  assert.deepEqual(body(
    'HEALTHCHECK NONE',
    'HEALTHCHECK --interval=30s --timeout=1m30s --start-period=1.5s --start-interval=500ms --retries=3 CMD curl -f http://localhost/ || exit 1',
    'HEALTHCHECK cmd ["/bin/check", "--quick"]',
    'HEALTHCHECK --interval=0s --retries=0 CMD true',
  ).map((i) => i.health), [
    { test: ['NONE'] },
    { test: ['CMD-SHELL', 'curl -f http://localhost/ || exit 1'], interval: 30e9, timeout: 90e9, startPeriod: 1.5e9,
      startInterval: 500e6, retries: 3 },
    { test: ['CMD', '/bin/check', '--quick'] },
    { test: ['CMD-SHELL', 'true'] },
  ]);
});

test('SHELL takes a JSON array', () => {
  assert.deepEqual(one('SHELL ["/bin/bash", "-o", "pipefail", "-c"]').shell, ['/bin/bash', '-o', 'pipefail', '-c']);
});

test('flags are read with quotes and stop at `--` or the first non-flag word', () => {
  const copy = one('COPY --chown="app user" -- --weird-name /dst');
  assert.deepEqual([copy.chown, copy.sources, copy.dest], ['app user', ['--weird-name'], '/dst']);
});

test('the shapes of the two seed Dockerfiles', () => {
  const java = parseDockerfile([
    'FROM base',
    'MAINTAINER ops@example.com',
    'VOLUME /data/docker/logs',
    'ADD app.jar application.jar',
    'ENTRYPOINT ["java", "-Djava.security.egd=file:/dev/./urandom", "-jar", "/application.jar"]',
  ].join('\n'));
  assert.deepEqual(java.stages[0]!.instructions.map((i) => i.kind), ['MAINTAINER', 'VOLUME', 'ADD', 'ENTRYPOINT']);
  const go = parseDockerfile('FROM golang\nWORKDIR /go/src/app\nCOPY . .\nRUN go build -o /app .\nCMD ["/app"]\n');
  assert.deepEqual(go.stages[0]!.instructions.map((i) => i.kind), ['WORKDIR', 'COPY', 'RUN', 'CMD']);
});
