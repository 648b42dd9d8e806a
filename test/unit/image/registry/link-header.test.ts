import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextLink } from '../../../../src/image/registry/link-header.js';

const base = new URL('http://127.0.0.1:5000/v2/a/tags/list?n=2');

test('relative and absolute next links', () => {
  assert.equal(nextLink('</v2/a/tags/list?n=2&last=b>; rel="next"', base)?.href, 'http://127.0.0.1:5000/v2/a/tags/list?n=2&last=b');
  assert.equal(nextLink('<https://other:443/v2/a/tags/list?last=c>; rel=next', base)?.href, 'https://other/v2/a/tags/list?last=c');
});

test('several links, other rels, multiple headers, absence', () => {
  assert.equal(nextLink('</x?p=1>; rel="prev", </y?p=3>; rel="next"', base)?.pathname, '/y');
  assert.equal(nextLink(['</x>; rel="first"', '</z>; title="a, b"; rel="next"'], base)?.pathname, '/z');
  assert.equal(nextLink('</x>; rel="prev next"', base)?.pathname, '/x');
  assert.equal(nextLink('</x>; rel="prev"', base), undefined);
  assert.equal(nextLink(undefined, base), undefined);
  assert.equal(nextLink('garbage', base), undefined);
});
