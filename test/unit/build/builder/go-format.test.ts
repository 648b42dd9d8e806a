// Go's fmt output that dockerd writes into history: %q of slices and ints, %v of slices, Duration.String().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goDuration, goList, goQuote, goQuoteList, goQuoteRune } from '../../../../src/build/builder/go-format.js';

test('strconv.Quote escapes quotes, backslashes and control characters', () => {
  assert.equal(goQuote('a "b" \\ c'), '"a \\"b\\" \\\\ c"');
  assert.equal(goQuote('tab\tnl\n\x01é'), '"tab\\tnl\\n\\x01é"');
  assert.equal(goQuoteList(['/bin/sh', '-c', 'echo "hi"']), '["/bin/sh" "-c" "echo \\"hi\\""]');
  assert.equal(goQuoteList(null), '[]');
});

test('%q of an int is a quoted rune; %v of a slice is bracketed words', () => {
  assert.equal(goQuoteRune(0), "'\\x00'");
  assert.equal(goQuoteRune(3), "'\\x03'");
  assert.equal(goQuoteRune(65), "'A'");
  assert.equal(goList(['/data', '/logs']), '[/data /logs]');
});

test('time.Duration.String()', () => {
  assert.equal(goDuration(0), '0s');
  assert.equal(goDuration(5e9), '5s');
  assert.equal(goDuration(1.5e9), '1.5s');
  assert.equal(goDuration(300e9), '5m0s');
  assert.equal(goDuration(3600e9), '1h0m0s');
  assert.equal(goDuration(3723.5e9), '1h2m3.5s');
  assert.equal(goDuration(1.5e6), '1.5ms');
  assert.equal(goDuration(2000), '2µs');
  assert.equal(goDuration(7), '7ns');
});
