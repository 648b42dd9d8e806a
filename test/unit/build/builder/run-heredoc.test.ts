// The shell script a RUN with here-documents becomes (BuildKit's forms).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { heredocScript } from '../../../../src/build/builder/run-heredoc.js';

const doc = (name: string, content: string) => ({ name, content, expand: true, chomp: false });

test('RUN <<EOF: the body is the script', () => {
  assert.equal(heredocScript('<<EOF', [doc('EOF', 'echo a\necho b\n')]), 'echo a\necho b\n');
  assert.equal(heredocScript('<<-"EOT"', [doc('EOT', 'echo a\n')]), 'echo a\n');
});

test('a shebang runs the body under its interpreter, read from standard input', () => {
  assert.equal(heredocScript('<<EOF', [doc('EOF', '#!/usr/bin/env python3\nprint(1)\n')]),
    "/usr/bin/env python3 /dev/stdin <<'BERTH_SCRIPT_EOF'\n#!/usr/bin/env python3\nprint(1)\nBERTH_SCRIPT_EOF");
  // A body holding the usual delimiter gets another one.
  const script = heredocScript('<<EOF', [doc('EOF', '#!/bin/sh\necho\nBERTH_SCRIPT_EOF\n')]);
  const delim = /<<'([^']+)'/.exec(script)![1]!;
  assert.notEqual(delim, 'BERTH_SCRIPT_EOF');
  assert.ok(script.endsWith(`\n${delim}`));
});

test('other forms: the command line with each body closed by its delimiter, for the shell', () => {
  assert.equal(heredocScript('<<A cat > /a && <<B cat > /b', [doc('A', 'one\n'), doc('B', 'two')]), '<<A cat > /a && <<B cat > /b\none\nA\ntwo\nB');
  assert.equal(heredocScript('python3 <<EOF', [doc('EOF', 'print(1)\n')]), 'python3 <<EOF\nprint(1)\nEOF');
  assert.equal(heredocScript('cat <<EOF', [doc('EOF', '')]), 'cat <<EOF\nEOF');
});
