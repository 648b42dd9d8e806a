// Config-only instructions on an image config: dockerd's effects and its history comments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyMetadata, nopCreatedBy, nopStringCreatedBy, type StageScope } from '../../../../src/build/builder/metadata.js';
import { BuildArgs, expandInstruction, parseDockerfile, type Instruction } from '../../../../src/build/dockerfile/index.js';
import type { ImageConfig } from '../../../../src/image/index.js';

function apply(lines: string, base: ImageConfig['config'] = {}): { config: ImageConfig; comments: string[] } {
  const file = parseDockerfile(`FROM x\n${lines}\n`);
  const config: ImageConfig = { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, config: structuredClone(base) };
  const scope: StageScope = { args: new BuildArgs({}).stageScope(), cmdSet: false };
  const comments = file.stages[0]!.instructions.map((i: Instruction) => {
    const e = expandInstruction(i, scope.args.expansionEnv(config.config?.Env ?? []), '\\');
    return applyMetadata(config, e, scope);
  });
  return { config, comments };
}

test('ENV replaces a key in place and appends new ones; LABEL merges', () => {
  const { config, comments } = apply('ENV B=2 C=$B\nLABEL a=1 "b c"="d e"', { Env: ['A=0', 'B=1'], Labels: { a: '0' } });
  assert.deepEqual(config.config!.Env, ['A=0', 'B=2', 'C=1']);
  assert.deepEqual(config.config!.Labels, { a: '1', 'b c': 'd e' });
  assert.deepEqual(comments, ['ENV B=2 C=1', 'LABEL a=1 b c=d e']);
});

test('ENTRYPOINT drops an inherited CMD but keeps one set earlier in the stage', () => {
  assert.equal(apply('ENTRYPOINT ["a"]', { Cmd: ['sh'] }).config.config!.Cmd, null);
  const kept = apply('CMD ["x"]\nENTRYPOINT b c', { Cmd: ['sh'] });
  assert.deepEqual(kept.config.config!.Cmd, ['x']);
  assert.deepEqual(kept.config.config!.Entrypoint, ['/bin/sh', '-c', 'b c']);
  assert.deepEqual(kept.comments, ['CMD ["x"]', 'ENTRYPOINT ["/bin/sh" "-c" "b c"]']);
});

test('a second HEALTHCHECK keeps the earlier non-zero fields it leaves unset', () => {
  const { config, comments } = apply('HEALTHCHECK --interval=1m --timeout=3s --retries=2 CMD a\nHEALTHCHECK --timeout=4s CMD ["b"]');
  assert.deepEqual(config.config!.Healthcheck, { Test: ['CMD', 'b'], Interval: 60e9, Timeout: 4e9, Retries: 2 });
  assert.equal(comments[1], `HEALTHCHECK &{["CMD" "b"] "1m0s" "4s" "0s" '\\x02'}`);
});

test('SHELL changes the prefix of later shell forms and of the history line', () => {
  const { config } = apply('SHELL ["/bin/bash", "-c"]\nCMD echo hi');
  assert.deepEqual(config.config!.Cmd, ['/bin/bash', '-c', 'echo hi']);
  assert.equal(nopCreatedBy(config.config!, 'CMD x'), '/bin/bash -c #(nop)  CMD x');
  assert.equal(nopStringCreatedBy({}, 'WORKDIR /a'), '/bin/sh -c #(nop) WORKDIR /a');
});

test('MAINTAINER sets the author; VOLUME, EXPOSE, USER, STOPSIGNAL, ONBUILD, ARG', () => {
  const { config, comments } = apply('MAINTAINER me\nVOLUME ["/a", "/b"]\nEXPOSE 8080/udp\nUSER 1:2\nSTOPSIGNAL 9\nONBUILD COPY . /x\nARG A B=1');
  assert.equal(config.author, 'me');
  assert.deepEqual(config.config!.Volumes, { '/a': {}, '/b': {} });
  assert.deepEqual(config.config!.ExposedPorts, { '8080/udp': {} });
  assert.equal(config.config!.User, '1:2');
  assert.equal(config.config!.StopSignal, '9');
  assert.deepEqual(config.config!.OnBuild, ['COPY . /x']);
  assert.deepEqual(comments, ['MAINTAINER me', 'VOLUME [/a /b]', 'EXPOSE 8080/udp', 'USER 1:2', 'STOPSIGNAL 9', 'ONBUILD COPY . /x', 'ARG A B=1']);
});
