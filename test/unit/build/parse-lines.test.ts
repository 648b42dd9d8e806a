import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDockerfile } from '../../../src/build/dockerfile/parse.js';
import { DockerfileError } from '../../../src/build/dockerfile/errors.js';
import type { Dockerfile, Instruction } from '../../../src/build/dockerfile/types.js';

function all(file: Dockerfile): Instruction[] {
  return [...file.metaArgs, ...file.stages.flatMap((s) => [s.from, ...s.instructions])].sort((a, b) => a.startLine - b.startLine);
}

function parseError(text: string): DockerfileError {
  try {
    parseDockerfile(text);
  } catch (err) {
    assert.ok(err instanceof DockerfileError, `expected a DockerfileError, got ${String(err)}`);
    return err;
  }
  assert.fail(`expected ${JSON.stringify(text)} to be refused`);
}

test('parser directives at the top: syntax, escape, check; keys are case-insensitive', () => {
  const file = parseDockerfile('# syntax=docker/dockerfile:1.4\n#  ESCAPE = `\n# check=skip=all\nFROM busybox\nRUN echo a `\n  b\n');
  assert.deepEqual(file.directives, { escape: '`', syntax: 'docker/dockerfile:1.4', check: 'skip=all' });
  const run = file.stages[0]!.instructions[0]!;
  assert.equal(run.kind, 'RUN');
  assert.deepEqual(run.kind === 'RUN' && run.command.args, ['echo a   b']);
  assert.deepEqual([run.startLine, run.endLine], [5, 6]);
});

test('a directive after a comment, a blank line or an instruction is only a comment', () => {
  for (const text of [
    '# a comment\n# escape=`\nFROM busybox\n',
    '\n# escape=`\nFROM busybox\n',
    'FROM busybox\n# escape=`\n',
    '# unknown=directive\n# escape=`\nFROM busybox\n',
  ]) {
    assert.equal(parseDockerfile(text).directives.escape, '\\', JSON.stringify(text));
  }
});

test('a directive may be indented, and follows a byte-order mark', () => {
  assert.equal(parseDockerfile('\ufeff  # escape=`\nFROM busybox\n').directives.escape, '`');
});

test('directive errors: repeated, bad escape value', () => {
  const dup = parseError('# escape=\\\n# escape=`\nFROM busybox\n');
  assert.equal(dup.line, 2);
  assert.match(dup.message, /only one escape parser directive can be used/);
  const bad = parseError('# escape=x\nFROM busybox\n');
  assert.equal(bad.line, 1);
  assert.match(bad.message, /invalid escape token 'x' does not match ` or \\/);
});

test('comments: whole lines only (also inside continuations); # elsewhere is text', () => {
  const file = parseDockerfile([
    '# leading comment',
    'FROM busybox',
    '   # indented comment',
    'RUN echo one \\',
    '# comment inside the continuation',
    '    && echo two # not a comment',
  ].join('\n'));
  const run = file.stages[0]!.instructions[0]!;
  assert.equal(run.kind === 'RUN' && run.command.args[0], 'echo one     && echo two # not a comment');
  assert.deepEqual([run.startLine, run.endLine], [4, 6]);
  assert.equal(file.stages[0]!.from.startLine, 2);
});

test('continuations: joined as written; escaped escape, and escape not at the end, do not continue', () => {
  const file = parseDockerfile([
    'FROM busybox',
    'RUN a\\',
    'b \\   ',
    'c',
    'RUN echo \\\\',
    'RUN echo \\ x',
    'ENV A=1 \\',
    '',
    '  B=2',
    '\\',
    'RUN lone',
  ].join('\n'));
  const [runAb, runEsc, runMid, env, lone] = file.stages[0]!.instructions;
  assert.equal(runAb!.kind === 'RUN' && runAb.command.args[0], 'ab c');
  assert.deepEqual([runAb!.startLine, runAb!.endLine], [2, 4]);
  assert.equal(runEsc!.kind === 'RUN' && runEsc.command.args[0], 'echo \\\\');
  assert.equal(runMid!.kind === 'RUN' && runMid.command.args[0], 'echo \\ x');
  assert.deepEqual(env!.kind === 'ENV' && env.pairs, [{ key: 'A', value: '1' }, { key: 'B', value: '2' }]);
  assert.deepEqual([env!.startLine, env!.endLine], [7, 9]);
  // an escape alone on a line starts an instruction continued on the next line
  assert.equal(lone!.kind === 'RUN' && lone.command.args[0], 'lone');
  assert.deepEqual([lone!.startLine, lone!.endLine], [10, 11]);
  assert.deepEqual(file.warnings, [{ line: 9, message: 'Empty continuation line found in: ENV A=1   B=2' }]);
});

test('a continuation at the end of the file ends the instruction', () => {
  const file = parseDockerfile('FROM busybox\nRUN echo hi \\');
  const run = file.stages[0]!.instructions[0]!;
  assert.equal(run.kind === 'RUN' && run.command.args[0], 'echo hi');
});

test('with the ` escape, \\ is an ordinary character (Windows paths)', () => {
  const file = parseDockerfile('# escape=`\nFROM busybox\nCOPY a\\b.txt C:\\dir\\\nRUN x `\n y');
  const [copy, run] = file.stages[0]!.instructions;
  assert.deepEqual(copy!.kind === 'COPY' && [copy.sources, copy.dest], [['a\\b.txt'], 'C:\\dir\\']);
  assert.equal(run!.kind === 'RUN' && run.command.args[0], 'x  y');
});

test('CRLF line endings and keywords in any case', () => {
  const file = parseDockerfile('from busybox AS Base\r\nrUn echo a \\\r\n b\r\nCmd ["sh"]\r\n');
  const stage = file.stages[0]!;
  assert.equal(stage.name, 'base');
  assert.deepEqual(stage.instructions.map((i) => i.kind), ['RUN', 'CMD']);
  const run = stage.instructions[0]!;
  assert.equal(run.kind === 'RUN' && run.command.args[0], 'echo a  b');
});

test('original is the trimmed logical line; every instruction has 1-based start and end lines', () => {
  const text = 'ARG V=1\n\nFROM busybox:$V  \n  LABEL a=b \\\n   c=d\nEXPOSE 80\n';
  const got = all(parseDockerfile(text)).map((i) => [i.kind, i.startLine, i.endLine, i.original]);
  assert.deepEqual(got, [
    ['ARG', 1, 1, 'ARG V=1'],
    ['FROM', 3, 3, 'FROM busybox:$V'],
    ['LABEL', 4, 5, 'LABEL a=b    c=d'],
    ['EXPOSE', 6, 6, 'EXPOSE 80'],
  ]);
});

test('a file without instructions is refused', () => {
  for (const text of ['', '\n\n', '# only\n# comments\n', '   \n\t\n']) {
    assert.match(parseError(text).message, /file with no instructions/, JSON.stringify(text));
  }
});
