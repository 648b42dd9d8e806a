import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandWord, expandWords, ExpansionError } from '../../../src/build/dockerfile/expand.js';

const env = new Map([
  ['HOME', '/root'],
  ['APP', 'web'],
  ['EMPTY', ''],
  ['TWO', 'a  b'],
  ['PADDED', '  x y  '],
  ['FILE', 'archive.tar.gz'],
  ['PATHS', '/usr/local/bin:/usr/bin:/bin'],
  ['GREETING', 'привет'],
  ['_u1', 'under'],
]);

// [input, expected] — expected `Error` means Docker refuses the word.
const wordCases: [string, string | typeof Error][] = [
  // plain text, quotes and escapes
  ['plain', 'plain'],
  ['it"s"', 'its'],
  ["a'b'c", 'abc'],
  ["don't", Error],
  ["don\\'t", "don't"],
  ['x\\\\y', 'x\\y'],
  ['tab\\tchar', 'tabtchar'],
  ['"tab\\tchar"', 'tab\\tchar'],
  ['"quote\\"inside"', 'quote"inside'],
  ['"back\\\\slash"', 'back\\slash'],
  ["'single \\ keeps'", 'single \\ keeps'],
  ["'no $HOME here'", 'no $HOME here'],
  ['"mixed \'$APP\'"', "mixed 'web'"],
  ['trailing\\', 'trailing'],
  ['"open', Error],
  ["'open", Error],
  ['"escaped end\\"', Error],
  ['  spaces kept  ', '  spaces kept  '],
  ['<<not a heredoc', '<<not a heredoc'],
  // $VAR and ${VAR}
  ['$HOME', '/root'],
  ['$HOME/bin', '/root/bin'],
  ['${HOME}bin', '/rootbin'],
  ['$HOMEbin', ''],
  ['$_u1-x', 'under-x'],
  ['$UNSET', ''],
  ['a${UNSET}b', 'ab'],
  ['\\$HOME', '$HOME'],
  ['"\\$HOME"', '$HOME'],
  ['\\\\$HOME', '\\/root'],
  ['$', '$'],
  ['cost: $5.00', 'cost: .00'],
  ['$.', '$.'],
  ['100$', '100$'],
  ['$GREETING!', 'привет!'],
  ['${}', Error],
  ['${', Error],
  ['${HOME', Error],
  ['${:}', Error],
  ['${{HOME}', Error],
  ['${.}', Error],
  ['${HOME}}', '/root}'],
  // positional and special parameters are never set
  ['$1x', 'x'],
  ['${10}', ''],
  ['$@$*$#$?$-$$$!$0', ''],
  ['${#:-none}', 'none'],
  // defaults and alternatives
  ['${UNSET:-def}', 'def'],
  ['${UNSET-def}', 'def'],
  ['${EMPTY:-def}', 'def'],
  ['${EMPTY-def}', ''],
  ['${APP:-def}', 'web'],
  ['${UNSET:+alt}', ''],
  ['${UNSET+alt}', ''],
  ['${EMPTY:+alt}', ''],
  ['${EMPTY+alt}', 'alt'],
  ['${APP:+alt}', 'alt'],
  ['${APP:+$HOME/x}', '/root/x'],
  ['${UNSET:-${APP:-no}}', 'web'],
  ['${UNSET:-${ALSO_UNSET:-deep}}', 'deep'],
  ['${UNSET:-a b}', 'a b'],
  ['${UNSET:-\\$HOME}', '$HOME'],
  ['${UNSET:-"quoted }"}', 'quoted }'],
  ['${UNSET:-{braces}', '{braces'],
  ['${UNSET:-x ${APP}', Error],
  ['${UNSET:=x}', Error],
  ['${APP:x}', Error],
  // required
  ['${APP?}', 'web'],
  ['${EMPTY?}', ''],
  ['${UNSET?}', Error],
  ['${EMPTY:?}', Error],
  ['${UNSET:?must be set}', Error],
  // prefix/suffix removal
  ['${FILE#*.}', 'tar.gz'],
  ['${FILE##*.}', 'gz'],
  ['${FILE%.*}', 'archive.tar'],
  ['${FILE%%.*}', 'archive'],
  ['${FILE#archive}', '.tar.gz'],
  ['${FILE%nomatch}', 'archive.tar.gz'],
  ['${FILE#?}', 'rchive.tar.gz'],
  ['${PATHS##*:}', '/bin'],
  ['${PATHS%%:*}', '/usr/local/bin'],
  ['${UNSET#x}', ''],
  ['${FILE:#x}', Error],
  // substitution
  ['${FILE/tar/zip}', 'archive.zip.gz'],
  ['${PATHS//:/ }', '/usr/local/bin /usr/bin /bin'],
  ['${FILE/*./X}', 'Xgz'],
  ['${FILE/nomatch/X}', 'archive.tar.gz'],
  ['${FILE/a', Error],
];

test('expandWord follows Docker\'s word lexer', () => {
  for (const [input, expected] of wordCases) {
    if (expected === Error) {
      assert.throws(() => expandWord(input, env), ExpansionError, `expected an error for ${JSON.stringify(input)}`);
    } else {
      assert.equal(expandWord(input, env), expected, `expandWord(${JSON.stringify(input)})`);
    }
  }
});

test('the error names the word and the problem', () => {
  assert.throws(() => expandWord('x${UNSET:?is required}', env), /failed to process "x\$\{UNSET:\?is required\}": UNSET: is required/);
  assert.throws(() => expandWord('${}', env), /bad substitution/);
  assert.throws(() => expandWord('"abc', env), /matching double-quote/);
});

// [input, words]: splitting happens after expansion, on unquoted whitespace, including inside expanded values
const wordsCases: [string, string[]][] = [
  ['a b  c', ['a', 'b', 'c']],
  ['a" b "c', ['a b c']],
  ["'a  b' c", ['a  b', 'c']],
  ['a\\ b', ['a b']],
  ['a\\" b', ['a"', 'b']],
  ['x${TWO}y', ['xa', 'by']],
  ['x"${TWO}"y', ['xa  by']],
  ['${PADDED}', ['x', 'y']],
  ['"${PADDED}"', ['  x y  ']],
  ['pre${PADDED}post', ['pre', 'x', 'y', 'post']],
  ['a "" b', ['a', 'b']],
  ['$UNSET', []],
  ['"$EMPTY"', []],
  ['8080 ${UNSET:-9090/udp}', ['8080', '9090/udp']],
  ['${APP:+one two}', ['one', 'two']],
];

test('expandWords splits like Docker', () => {
  for (const [input, expected] of wordsCases) {
    assert.deepEqual(expandWords(input, env), expected, `expandWords(${JSON.stringify(input)})`);
  }
});

test('the escape directive changes the escape character: ` escapes, \\ is literal', () => {
  assert.equal(expandWord('C:\\path\\$APP', env, '`'), 'C:\\path\\web');
  assert.equal(expandWord('`$APP', env, '`'), '$APP');
  assert.equal(expandWord('"a`"b"', env, '`'), 'a"b');
  assert.deepEqual(expandWords('a` b c', env, '`'), ['a b', 'c']);
});

test('env may be a plain record; inherited object keys are not variables', () => {
  assert.equal(expandWord('$A-$constructor-$toString', { A: '1' }), '1--');
});

test('skipUnset keeps references to unset variables (used for heredoc delimiters)', () => {
  assert.equal(expandWord('$APP $NOPE ${NOPE} ${NOPE:-x}', env, '\\', { skipUnset: true }), 'web $NOPE ${NOPE} ${NOPE:-x}');
});

test('skipQuotes leaves quotes as text (heredoc bodies)', () => {
  assert.equal(expandWord(`echo "$APP" '$HOME'`, env, '\\', { skipQuotes: true }), `echo "web" '/root'`);
});
