import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDockerfile } from '../../../src/build/dockerfile/parse.js';
import { planBuild, resolveTarget } from '../../../src/build/dockerfile/stages.js';
import { BuildArgs } from '../../../src/build/dockerfile/build-args.js';
import { expandInstruction } from '../../../src/build/dockerfile/expand-instruction.js';
import { DockerfileError } from '../../../src/build/dockerfile/errors.js';
import type { ArgInstruction, Dockerfile } from '../../../src/build/dockerfile/types.js';

const multi = parseDockerfile(`
ARG GO=1.22
ARG BASE=alpine
FROM golang:\${GO} AS build
RUN go build -o /out/app .

FROM node:20 AS assets
RUN npm run build

FROM build AS test
RUN go test ./...

FROM \${BASE}:3.19 AS final
COPY --from=build /out/app /usr/local/bin/app
COPY --from=1 /dist /srv/www

FROM final AS debug
RUN apk add strace
`);

test('the default target is the last stage; every stage it needs is built, in order', () => {
  const plan = planBuild(multi);
  assert.equal(plan.target, 4);
  assert.deepEqual(plan.stages.map((s) => [s.index, s.name, s.base, s.dependsOn]), [
    [0, 'build', { kind: 'image', ref: 'golang:1.22' }, []],
    [1, 'assets', { kind: 'image', ref: 'node:20' }, []],
    [3, 'final', { kind: 'image', ref: 'alpine:3.19' }, [0, 1]],
    [4, 'debug', { kind: 'stage', index: 3 }, [3]],
  ]);
  assert.deepEqual(plan.skipped, [2]);
});

test('--target picks a stage by name (case-insensitive) and skips what it does not need', () => {
  const plan = planBuild(multi, { target: 'TEST' });
  assert.equal(plan.target, 2);
  assert.deepEqual(plan.stages.map((s) => s.index), [0, 2]);
  assert.deepEqual(plan.skipped, [1]);
  assert.deepEqual(plan.stages[1]!.base, { kind: 'stage', index: 0 });
  assert.throws(() => planBuild(multi, { target: 'nope' }),
    (err: unknown) => err instanceof DockerfileError && /failed to reach build target nope in Dockerfile \(stages: build, assets, test, final, debug\)/.test(err.message));
  assert.equal(resolveTarget(multi.stages), 4);
});

test('--build-arg overrides meta ARG defaults in FROM lines', () => {
  const plan = planBuild(multi, { buildArgs: { GO: '1.21', BASE: 'debian' }, target: 'final' });
  assert.deepEqual(plan.stages.map((s) => s.base), [
    { kind: 'image', ref: 'golang:1.21' }, { kind: 'image', ref: 'node:20' }, { kind: 'image', ref: 'debian:3.19' },
  ]);
});

test('FROM scratch, FROM an earlier stage by any case, a later stage name is an image', () => {
  const file = parseDockerfile('FROM scratch AS a\nFROM A AS b\nFROM c\nFROM busybox AS c\n');
  assert.deepEqual(planBuild(file, { target: 'b' }).stages.map((s) => s.base), [{ kind: 'scratch' }, { kind: 'stage', index: 0 }]);
  assert.deepEqual(planBuild(file).stages.map((s) => [s.index, s.base]), [[3, { kind: 'image', ref: 'busybox' }]]);
  assert.deepEqual(planBuild(file).skipped, [0, 1, 2]);
});

test('COPY --from: stage names, earlier indexes, images; RUN --mount from= also needs the stage', () => {
  const file = parseDockerfile([
    'FROM busybox AS one',
    'FROM busybox AS two',
    'FROM busybox',
    'COPY --from=0 /a /a',
    'COPY --from=nginx:latest /etc/nginx /etc/nginx',
    'RUN --mount=type=bind,from=two,target=/t true',
  ].join('\n'));
  const plan = planBuild(file);
  assert.deepEqual(plan.stages.map((s) => s.index), [0, 1, 2]);
  assert.deepEqual(plan.stages[2]!.dependsOn, [0, 1]);
  assert.deepEqual(plan.stages[2]!.images, ['nginx:latest']);
  for (const [ref, why] of [['2', /refers to current build stage/], ['5', /index out of bounds/], ['-1', /index out of bounds/]] as const) {
    const bad = parseDockerfile(`FROM busybox\nFROM busybox\nFROM busybox\nRUN true\nCOPY --from=${ref} /a /a\n`);
    assert.throws(() => planBuild(bad), (err: unknown) => err instanceof DockerfileError && err.line === 5
      && why.test(err.message) && err.message.includes(`invalid from flag value ${ref}`), ref);
  }
});

test('an empty base name after expansion is refused at the FROM line', () => {
  const file = parseDockerfile('ARG IMAGE\nFROM ${IMAGE}\n');
  assert.throws(() => planBuild(file), (err: unknown) => err instanceof DockerfileError && err.line === 2 && /base name \(\$\{IMAGE\}\) should not be blank/.test(err.message));
  assert.deepEqual(planBuild(file, { buildArgs: { IMAGE: 'busybox' } }).stages[0]!.base, { kind: 'image', ref: 'busybox' });
});

test('--platform is expanded with the meta ARGs', () => {
  const file = parseDockerfile('ARG ARCH=arm64\nFROM --platform=linux/$ARCH busybox\n');
  assert.equal(planBuild(file).stages[0]!.platform, 'linux/arm64');
});

function args(file: Dockerfile): ArgInstruction[] {
  return file.stages[0]!.instructions.filter((i): i is ArgInstruction => i.kind === 'ARG');
}

test('ARG scoping: meta ARGs are not visible in a stage until declared again; then they take the meta value', () => {
  const file = parseDockerfile('ARG V=1 W=meta\nFROM busybox\nARG V\nARG X=x-$V\n');
  const plan = planBuild(file);
  const scope = plan.args.stageScope();
  assert.deepEqual([...scope.values()], []);
  for (const arg of args(file)) scope.declare(expandInstruction(arg, scope.expansionEnv([]), '\\').args);
  assert.deepEqual(Object.fromEntries(scope.values()), { V: '1', X: 'x-1' });
  assert.equal(scope.expand('$V-$W-$X', [], '\\'), '1--x-1');
});

test('--build-arg overrides defaults in and out of stages; an ARG without default and value stays unset', () => {
  const build = new BuildArgs({ V: 'cli', Z: 'z' });
  build.addMetaArgs(parseDockerfile('ARG V=1\nARG U=$V-u\nFROM busybox\n').metaArgs, '\\');
  assert.deepEqual(Object.fromEntries(build.metaEnv()), { V: 'cli', U: 'cli-u' });
  const scope = build.stageScope();
  scope.declare([{ key: 'V', value: 'stage' }, { key: 'Z' }, { key: 'NONE' }]);
  assert.deepEqual(Object.fromEntries(scope.values()), { V: 'cli', Z: 'z' });
  assert.equal(scope.expand('${NONE:-unset}', [], '\\'), 'unset');
});

test('ENV wins over an ARG of the same name; RUN gets the other args', () => {
  const scope = new BuildArgs({ MODE: 'cli' }).stageScope();
  scope.declare([{ key: 'MODE' }, { key: 'LEVEL', value: '3' }]);
  const configEnv = ['PATH=/usr/bin:/bin', 'MODE=from-env'];
  assert.deepEqual(Object.fromEntries(scope.expansionEnv(configEnv)), { PATH: '/usr/bin:/bin', MODE: 'from-env', LEVEL: '3' });
  assert.deepEqual(scope.runEnv(configEnv), ['LEVEL=3']);
});

test('proxy args need no ARG and stay out of history unless declared', () => {
  const build = new BuildArgs({ HTTP_PROXY: 'http://proxy:3128', no_proxy: 'localhost', OTHER: 'x' });
  const scope = build.stageScope();
  assert.deepEqual(Object.fromEntries(scope.values()), { HTTP_PROXY: 'http://proxy:3128', no_proxy: 'localhost' });
  assert.deepEqual(scope.runEnv([]).sort(), ['HTTP_PROXY=http://proxy:3128', 'no_proxy=localhost']);
  assert.deepEqual(scope.historyArgs([]), []);
  scope.declare([{ key: 'no_proxy' }, { key: 'B', value: '2' }, { key: 'A', value: '1' }]);
  assert.deepEqual(scope.historyArgs([]), ['A=1', 'B=2', 'no_proxy=localhost']);
  assert.equal(build.unusedWarning(), '[Warning] One or more build-args [OTHER] were not consumed');
});

test('unused build args: declared in a built stage or as meta ARG counts; skipped stages do not', () => {
  const file = parseDockerfile('ARG META\nFROM busybox AS unused\nARG ONLY_UNUSED\nFROM busybox\nARG USED\n');
  const plan = planBuild(file, { buildArgs: { META: '1', USED: '2', ONLY_UNUSED: '3', TYPO: '4', FTP_PROXY: 'p' } });
  assert.deepEqual(plan.args.unusedBuildArgs(), ['ONLY_UNUSED', 'TYPO']);
  assert.equal(plan.args.unusedWarning(), '[Warning] One or more build-args [ONLY_UNUSED TYPO] were not consumed');
  assert.equal(planBuild(file, { buildArgs: { USED: 'x' } }).args.unusedWarning(), undefined);
});

test('a --build-arg without a value (unset in the client) counts as given but has no value', () => {
  const scope = new BuildArgs({ TOKEN: null }).stageScope();
  scope.declare([{ key: 'TOKEN', value: 'default' }]);
  assert.deepEqual(Object.fromEntries(scope.values()), { TOKEN: 'default' });
});
