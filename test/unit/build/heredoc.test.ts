import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDockerfile, parseOnbuildTrigger } from '../../../src/build/dockerfile/parse.js';
import { heredocStart, heredocsInLine } from '../../../src/build/dockerfile/heredoc.js';
import { DockerfileError } from '../../../src/build/dockerfile/errors.js';
import type { Instruction } from '../../../src/build/dockerfile/types.js';

function instructions(text: string): Instruction[] {
  return parseDockerfile(text).stages.flatMap((s) => s.instructions);
}

test('heredoc openers: name, quoting, <<- and file descriptors', () => {
  const cases: [string, ReturnType<typeof heredocStart>][] = [
    ['<<EOF', { name: 'EOF', expand: true, chomp: false }],
    ['<<-EOT', { name: 'EOT', expand: true, chomp: true }],
    ['<<"EOF"', { name: 'EOF', expand: false, chomp: false }],
    ["<<'EOF'", { name: 'EOF', expand: false, chomp: false }],
    ['<<E"O"F', { name: 'EOF', expand: false, chomp: false }],
    ['<< EOF', { name: 'EOF', expand: true, chomp: false }],
    ['3<<FILE', { name: 'FILE', expand: true, chomp: false, fd: 3 }],
    ['<<', undefined],
    ['<<<EOF', undefined],
    ['x<<EOF', undefined],
    ['<<EOF other', undefined],
  ];
  for (const [word, expected] of cases) assert.deepEqual(heredocStart(word), expected, word);
});

test('heredocs in a line: several, `<< EOF` with a space, none inside quotes', () => {
  assert.deepEqual(heredocsInLine('RUN <<A cat - /dev/fd/3 3<<"B"').map((h) => h.name), ['A', 'B']);
  assert.deepEqual(heredocsInLine('RUN cat << EOF').map((h) => h.name), ['EOF']);
  assert.deepEqual(heredocsInLine('RUN echo "<<EOF"'), []);
  assert.deepEqual(heredocsInLine("RUN echo 'unterminated <<EOF"), []);
});

test('RUN <<EOF: the body follows the line; the instruction spans it', () => {
  const [run, cmd] = instructions('FROM busybox\nRUN <<EOF\n  echo "$HOME"\n# not a comment here\n\nEOF\nCMD ["true"]\n');
  assert.equal(run!.kind, 'RUN');
  if (run!.kind !== 'RUN') return;
  assert.deepEqual(run.command, { form: 'shell', args: ['<<EOF'] });
  assert.deepEqual(run.heredocs, [{ name: 'EOF', content: '  echo "$HOME"\n# not a comment here\n\n', expand: true, chomp: false }]);
  assert.deepEqual([run.startLine, run.endLine], [2, 6]);
  assert.equal(cmd!.startLine, 7);
});

test('<<- strips leading tabs from the body and the delimiter line; quoted delimiters do not expand', () => {
  const [run] = instructions('FROM busybox\nRUN <<-"EOT" sh\n\t\techo a\n\t  echo b\n\tEOT\n');
  if (run!.kind !== 'RUN') assert.fail('not RUN');
  assert.deepEqual(run.heredocs, [{ name: 'EOT', content: 'echo a\n  echo b\n', expand: false, chomp: true }]);
});

test('several heredocs on one line are read in order', () => {
  const [run] = instructions('FROM busybox\nRUN <<FILE1 cat > /a && <<FILE2 cat > /b\none\nFILE1\ntwo\nFILE2\n');
  if (run!.kind !== 'RUN') assert.fail('not RUN');
  assert.deepEqual(run.heredocs.map((h) => [h.name, h.content]), [['FILE1', 'one\n'], ['FILE2', 'two\n']]);
  assert.equal(run.endLine, 6);
});

test('COPY <<EOF /dst: inline sources next to ordinary ones', () => {
  const [copy] = instructions('FROM busybox\nCOPY <<one.txt <<-"two.txt" real.txt /dst/\nhello $USER\none.txt\n\tbye\n\ttwo.txt\n');
  if (copy!.kind !== 'COPY') assert.fail('not COPY');
  assert.deepEqual(copy.sources, ['real.txt']);
  assert.deepEqual(copy.inline, [
    { name: 'one.txt', content: 'hello $USER\n', expand: true },
    { name: 'two.txt', content: 'bye\n', expand: false },
  ]);
  assert.equal(copy.dest, '/dst/');
});

test('ONBUILD RUN <<EOF keeps the body in the trigger text', () => {
  const [onbuild] = instructions('FROM busybox\nONBUILD RUN <<EOF\necho hi\nEOF\n');
  if (onbuild!.kind !== 'ONBUILD') assert.fail('not ONBUILD');
  assert.equal(onbuild.expression, 'RUN <<EOF\necho hi\nEOF');
  assert.equal(onbuild.trigger.kind === 'RUN' && onbuild.trigger.heredocs[0]!.content, 'echo hi\n');
});

test('no heredocs in exec form or in instructions other than RUN/COPY/ADD', () => {
  const list = instructions('FROM busybox\nRUN ["sh", "-c", "cat <<EOF"]\nLABEL x="<<EOF"\nCMD cat <<EOF\n');
  assert.deepEqual(list.map((i) => i.kind), ['RUN', 'LABEL', 'CMD']);
});

test('an unterminated heredoc is an error at the instruction\'s line', () => {
  assert.throws(() => parseDockerfile('FROM busybox\nRUN <<EOF\necho hi\nEOF2\n'), (err: unknown) => {
    assert.ok(err instanceof DockerfileError);
    assert.equal(err.line, 2);
    assert.equal(err.endLine, 4);
    assert.match(err.message, /^dockerfile parse error on line 2: unterminated heredoc/);
    return true;
  });
});

test('a heredoc cannot be the COPY destination', () => {
  assert.throws(() => parseDockerfile('FROM busybox\nCOPY a <<EOF\nx\nEOF\n'), /COPY cannot accept a heredoc as a destination/);
});

test('an ONBUILD trigger read back from an image config parses to the same instruction', () => {
  const [onbuild] = instructions('FROM busybox\nONBUILD COPY <<-EOF /etc/motd\n\thello\n\tEOF\n');
  if (onbuild!.kind !== 'ONBUILD') assert.fail('not ONBUILD');
  const again = parseOnbuildTrigger(onbuild.expression);
  assert.equal(again.kind, 'COPY');
  assert.deepEqual(again.kind === 'COPY' && again.inline, [{ name: 'EOF', content: 'hello\n', expand: true }]);
  assert.deepEqual(parseOnbuildTrigger('RUN echo hi').kind, 'RUN');
  assert.throws(() => parseOnbuildTrigger('FROM x'), /FROM isn't allowed as an ONBUILD trigger/);
  assert.throws(() => parseOnbuildTrigger('RUN a\nRUN b'), /must be one instruction, got 2/);
  assert.throws(() => parseOnbuildTrigger('BOGUS x'), /unknown instruction: BOGUS/);
});
