import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDockerfile } from '../../../src/build/dockerfile/parse.js';
import { expandInstruction } from '../../../src/build/dockerfile/expand-instruction.js';
import { DockerfileError } from '../../../src/build/dockerfile/errors.js';
import { exposedPorts, portKeys } from '../../../src/build/dockerfile/ports.js';
import { parseGoDuration } from '../../../src/build/dockerfile/duration.js';
import type { Instruction } from '../../../src/build/dockerfile/types.js';

const env = new Map([
  ['APP', 'web'],
  ['DIR', '/srv/app'],
  ['PORTS', '80 443/tcp'],
  ['OWNER', '1000:1000'],
  ['SIG', 'SIGTERM'],
  ['UID', '1000'],
]);

function expanded(line: string, escapeLine = ''): Instruction {
  const file = parseDockerfile(`${escapeLine}FROM busybox\n${line}\n`);
  return expandInstruction(file.stages[0]!.instructions[0]!, env, file.directives.escape);
}

test('ENV and LABEL: keys and values expanded, quotes removed, spaces kept', () => {
  const e = expanded('ENV HOME_DIR=$DIR "NAME"="${APP} server" LIT=\'$APP\' ESC=\\$APP EMPTY=');
  assert.deepEqual(e.kind === 'ENV' && e.pairs, [
    { key: 'HOME_DIR', value: '/srv/app' },
    { key: 'NAME', value: 'web server' },
    { key: 'LIT', value: '$APP' },
    { key: 'ESC', value: '$APP' },
    { key: 'EMPTY', value: '' },
  ]);
  const old = expanded('ENV GREETING hello   "$APP"  world');
  assert.deepEqual(old.kind === 'ENV' && old.pairs, [{ key: 'GREETING', value: 'hello   web  world' }]);
  const label = expanded('LABEL "com.example.app"="$APP" version=${VERSION:-dev}');
  assert.deepEqual(label.kind === 'LABEL' && label.pairs, [{ key: 'com.example.app', value: 'web' }, { key: 'version', value: 'dev' }]);
});

test('COPY/ADD: sources, destination, --chown, --chmod; --from is left as written', () => {
  const c = expanded('COPY --from=build --chown=$OWNER --chmod=${MODE:-0644} $APP.conf "${DIR}/file" $DIR/');
  assert.ok(c.kind === 'COPY');
  assert.deepEqual([c.sources, c.dest, c.chown, c.chmod, c.from], [['web.conf', '/srv/app/file'], '/srv/app/', '1000:1000', '0644', 'build']);
  // the shell form splits on spaces before expansion, so quotes cannot hold a space (Docker: use the JSON form)
  assert.throws(() => expanded('COPY "my file" /dst/'), /matching double-quote/);
  const json = expanded('ADD ["$APP.tar", "$DIR/"]');
  assert.deepEqual(json.kind === 'ADD' && [json.sources, json.dest], [['web.tar'], '/srv/app/']);
});

test('COPY heredoc bodies expand unless the delimiter was quoted; quotes in the body stay', () => {
  const file = parseDockerfile('FROM busybox\nCOPY <<A <<"B" /etc/\napp="$APP" \'$DIR\'\nA\nraw $APP\nB\n');
  const copy = expandInstruction(file.stages[0]!.instructions[0]!, env, '\\');
  assert.deepEqual(copy.kind === 'COPY' && copy.inline.map((s) => s.content), [`app="web" '/srv/app'\n`, 'raw $APP\n']);
});

test('EXPOSE splits expanded values into several ports', () => {
  const e = expanded('EXPOSE $PORTS 8080');
  assert.deepEqual(e.kind === 'EXPOSE' && e.ports, ['80', '443/tcp', '8080']);
});

test('WORKDIR, USER, STOPSIGNAL, VOLUME, ARG are expanded', () => {
  const items = [
    expanded('WORKDIR $DIR/sub'), expanded('USER ${UID}:${GID:-0}'), expanded('STOPSIGNAL $SIG'), expanded('VOLUME $DIR/data /x'),
    expanded('ARG NAME=$APP-${UID} OTHER'),
  ];
  assert.deepEqual(items.map((i) => {
    switch (i.kind) {
      case 'WORKDIR': return i.path;
      case 'USER': return i.user;
      case 'STOPSIGNAL': return i.signal;
      case 'VOLUME': return i.volumes;
      case 'ARG': return i.args;
      default: return undefined;
    }
  }), ['/srv/app/sub', '1000:0', 'SIGTERM', ['/srv/app/data', '/x'], [{ key: 'NAME', value: 'web-1000' }, { key: 'OTHER' }]]);
});

test('RUN, CMD, ENTRYPOINT, HEALTHCHECK, MAINTAINER, ONBUILD and SHELL are left to the shell', () => {
  for (const line of ['RUN echo $APP', 'CMD echo $APP', 'ENTRYPOINT ["$APP"]', 'HEALTHCHECK CMD test $APP', 'MAINTAINER $APP',
    'ONBUILD RUN echo $APP', 'SHELL ["$APP"]']) {
    const file = parseDockerfile(`FROM busybox\n${line}\n`);
    const i = file.stages[0]!.instructions[0]!;
    assert.deepEqual(expandInstruction(i, env, '\\'), i, line);
  }
});

test('RUN --mount values are expanded and then validated', () => {
  const run = expanded('RUN --mount=type=cache,target=$DIR/cache,uid=$UID,id=${APP}-cache make');
  assert.deepEqual(run.kind === 'RUN' && run.mounts, [{ type: 'cache', target: '/srv/app/cache', uid: 1000, id: 'web-cache', readOnly: false }]);
  const file = parseDockerfile('FROM busybox\nRUN --mount=type=cache,target=/c,uid=$NAME true\n');
  assert.throws(() => expandInstruction(file.stages[0]!.instructions[0]!, new Map([['NAME', 'root']]), '\\'),
    (err: unknown) => err instanceof DockerfileError && err.line === 2 && /invalid value root for uid/.test(err.message));
});

test('the escape directive applies to expansion', () => {
  const w = expanded('WORKDIR C:\\$APP\\`$DIR', '# escape=`\n');
  assert.equal(w.kind === 'WORKDIR' && w.path, 'C:\\web\\$DIR');
});

test('an expansion error is a DockerfileError at the instruction\'s line', () => {
  const file = parseDockerfile('FROM busybox\nRUN true\nWORKDIR ${DIR:?is required}\n');
  assert.throws(() => expandInstruction(file.stages[0]!.instructions[1]!, new Map(), '\\'),
    (err: unknown) => err instanceof DockerfileError && err.line === 3 && /DIR: is required/.test(err.message));
});

test('port specs → ExposedPorts keys', () => {
  assert.deepEqual(exposedPorts(['80', '443/TCP', '53/udp', '8000-8002', '9000-9001/sctp', '127.0.0.1:8080:80', '80/tcp']),
    ['443/tcp', '53/udp', '80/tcp', '8000/tcp', '8001/tcp', '8002/tcp', '9000/sctp', '9001/sctp']);
  assert.deepEqual(portKeys('0'), ['0/tcp']);
  for (const bad of ['', 'http', '80/icmp', '70000', '90-80', '/tcp', '8000-8010:80-81']) {
    assert.throws(() => portKeys(bad), Error, bad);
  }
});

test('Go durations → nanoseconds', () => {
  const cases: [string, number | undefined][] = [
    ['0', 0], ['30s', 30e9], ['1m30s', 90e9], ['1.5h', 5400e9], ['500ms', 500e6], ['10us', 10e3], ['10µs', 10e3], ['10μs', 10e3],
    ['7ns', 7], ['.5s', 0.5e9], ['1.s', 1e9], ['-2s', -2e9], ['+3m', 180e9], ['1h2m3s4ms', 3723004e6],
    ['', undefined], ['1', undefined], ['s', undefined], ['.s', undefined], ['1d', undefined], ['1.2.3s', undefined], ['9999999999h', undefined],
  ];
  for (const [text, ns] of cases) {
    if (ns === undefined) assert.throws(() => parseGoDuration(text), /time: /, text);
    else assert.equal(parseGoDuration(text), ns, text);
  }
});
