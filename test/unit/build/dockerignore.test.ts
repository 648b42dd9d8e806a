import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  cleanPath, createMatcher, DockerignoreError, matcherFromPatterns, readIgnorePatterns,
} from '../../../src/build/context/dockerignore.js';

// [patterns, path, excluded]
const cases: [string[], string, boolean][] = [
  // plain names match themselves and everything below them, at the top only
  [['foo'], 'foo', true],
  [['foo'], 'foo/bar', true],
  [['foo'], 'foo/bar/baz.txt', true],
  [['foo'], 'foobar', false],
  [['foo'], 'a/foo', false],
  [['a/b'], 'a/b/c', true],
  [['a/b'], 'a', false],
  // * and ? do not cross /
  [['*.md'], 'README.md', true],
  [['*.md'], 'docs/guide.md', false],
  [['docs/*.md'], 'docs/guide.md', true],
  [['docs/*.md'], 'docs/sub/guide.md', false],
  [['*/*.md'], 'docs/guide.md', true],
  [['?.txt'], 'a.txt', true],
  [['?.txt'], 'ab.txt', false],
  [['a?b'], 'a/b', false],
  [['*'], 'anything', true],
  [['*'], 'dir/file', true],
  // ** spans directories
  [['**/*.md'], 'README.md', true],
  [['**/*.md'], 'a/b/c/x.md', true],
  [['**/*.md'], 'a/b/c/x.mdx', false],
  [['**/node_modules'], 'node_modules', true],
  [['**/node_modules'], 'web/node_modules/lib/index.js', true],
  [['**/node_modules'], 'web/my_node_modules', false],
  [['**'], 'x/y/z', true],
  [['docs/**'], 'docs/a/b', true],
  [['docs/**'], 'docs', false],
  [['a/**/b'], 'a/b', true],
  [['a/**/b'], 'a/x/y/b', true],
  [['a/**/b'], 'a/x/y/bc', false],
  [['a/**/*.go'], 'a/main.go', true],
  [['a**'], 'abc/def', true],
  [['**.go'], 'x/y.go', true],
  // classes and escapes
  [['[a-c].txt'], 'b.txt', true],
  [['[a-c].txt'], 'd.txt', false],
  [['[^a].txt'], 'b.txt', true],
  [['[^a].txt'], 'a.txt', false],
  [['[\\]x].txt'], '].txt', true],
  [['\\*.txt'], '*.txt', true],
  [['\\*.txt'], 'a.txt', false],
  [['file\\?'], 'file?', true],
  [['file\\?'], 'files', false],
  // regular-expression characters are literal
  [['a.b'], 'axb', false],
  [['a.b'], 'a.b', true],
  [['c++(1)|{x}$'], 'c++(1)|{x}$', true],
  [['^x'], '^x', true],
  // cleaning: leading /, ./, .., trailing /, doubled /
  [['/build'], 'build/out', true],
  [['./src/../dist/'], 'dist/app.js', true],
  [['a//b'], 'a/b', true],
  // exceptions: the last matching pattern wins
  [['*.log', '!important.log'], 'important.log', false],
  [['*.log', '!important.log'], 'debug.log', true],
  [['*.log', '!important.log', 'important.log'], 'important.log', true],
  [['*', '!README.md'], 'README.md', false],
  [['*', '!README.md'], 'LICENSE', true],
  [['dir', '!dir/keep'], 'dir', true],
  [['dir', '!dir/keep'], 'dir/keep', false],
  [['dir', '!dir/keep'], 'dir/keep/inside', false],
  [['dir', '!dir/keep'], 'dir/other', true],
  [['!x'], 'x', false],
  [['**/*.txt', '!docs/**'], 'docs/a.txt', false],
  [['**/*.txt', '!docs/**'], 'src/a.txt', true],
  // Docker's walker matches with the parent's per-pattern results: a later exception on an ancestor does not
  // re-include a directory a more specific pattern excluded
  [['dir/sub', '!dir'], 'dir/sub/file', true],
  [['dir/sub', '!dir'], 'dir/other', false],
];

test('patterns match like Docker\'s .dockerignore', () => {
  for (const [patterns, path, excluded] of cases) {
    const m = createMatcher(patterns.join('\n'));
    assert.equal(m.matches(path), excluded, `${JSON.stringify(patterns)} on ${path}`);
  }
});

test('the context root is never excluded; paths are cleaned before matching', () => {
  const m = createMatcher('*\n');
  assert.equal(m.matches('.'), false);
  assert.equal(m.matches(''), false);
  assert.equal(m.matches('/x'), true);
  assert.equal(matcherFromPatterns(['a/b']).matches('./a//b/'), true);
});

test('reading the file: comments, blank lines, whitespace, CRLF, a BOM, ! with spaces', () => {
  const text = '\ufeff# comment\n\n  node_modules  \r\n #not-a-comment\n! /keep/this/ \n/abs\n./rel/..\n';
  assert.deepEqual(readIgnorePatterns(text), [
    { pattern: 'node_modules', line: 3 },
    { pattern: '#not-a-comment', line: 4 },
    { pattern: '!keep/this', line: 5 },
    { pattern: 'abs', line: 6 },
    { pattern: '.', line: 7 },
  ]);
  const m = createMatcher(text);
  assert.deepEqual(m.patterns.map((p) => [p.pattern, p.exclusion, p.line]), [
    ['node_modules', false, 3], ['#not-a-comment', false, 4], ['keep/this', true, 5], ['abs', false, 6], ['.', false, 7],
  ]);
  assert.equal(m.matches('node_modules/x/y.js'), true);
  assert.equal(m.matches('#not-a-comment'), true);
});

test('mayMatchBelow: an excluded directory is walked into only when an exception names a path under it', () => {
  assert.equal(matcherFromPatterns(['dir', '!dir/keep']).mayMatchBelow('dir'), true);
  assert.equal(matcherFromPatterns(['dir', '!dir/sub/keep']).mayMatchBelow('dir/sub'), true);
  assert.equal(matcherFromPatterns(['dir', '!dir']).mayMatchBelow('dir'), true);
  assert.equal(matcherFromPatterns(['dir', '!dir/keep']).mayMatchBelow('other'), false);
  assert.equal(matcherFromPatterns(['dir', '!dirt/keep']).mayMatchBelow('dir'), false);
  assert.equal(matcherFromPatterns(['dir', '!**/keep']).mayMatchBelow('dir'), false);
  assert.equal(matcherFromPatterns(['dir']).mayMatchBelow('dir'), false);
});

test('malformed patterns are refused with their line', () => {
  const bad: [string, RegExp][] = [
    ['ok\n[abc\n', /\.dockerignore line 2: syntax error in pattern "\[abc"/],
    ['x\\\n', /line 1: syntax error in pattern "x\\"/],
    ['[]a]\n', /syntax error in pattern/],
    ['[a-]\n', /syntax error in pattern/],
    ['[z-a]\n', /syntax error in pattern/],
    ['a\n!\n', /line 2: illegal exclusion pattern: "!"/],
  ];
  for (const [text, pattern] of bad) {
    assert.throws(() => createMatcher(text), (err: unknown) => err instanceof DockerignoreError && pattern.test(err.message), text);
  }
});

test('cleanPath is Go\'s path.Clean', () => {
  const cases: [string, string][] = [
    ['', '.'], ['.', '.'], ['a/', 'a'], ['a//b', 'a/b'], ['./a', 'a'], ['a/./b', 'a/b'], ['a/../b', 'b'], ['../a', '../a'],
    ['a/../..', '..'], ['/..', '/'], ['/a/../../b', '/b'], ['/', '/'], ['//a//', '/a'],
  ];
  for (const [input, expected] of cases) assert.equal(cleanPath(input), expected, input);
});
