import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyMergePatch } from '../../../../../src/cluster/api/patch/index.js';

// RFC 7386, Appendix A: [original, patch, result].
const rfcExamples: [unknown, unknown, unknown][] = [
  [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
  [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
  [{ a: 'b' }, { a: null }, {}],
  [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
  [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
  [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
  [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
  [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
  [['a', 'b'], ['c', 'd'], ['c', 'd']],
  [{ a: 'b' }, ['c'], ['c']],
  [{ a: 'foo' }, null, null],
  [{ a: 'foo' }, 'bar', 'bar'],
  [{ e: null }, { a: 1 }, { e: null, a: 1 }],
  [[1, 2], { a: 'b', c: null }, { a: 'b' }],
  [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
];

for (const [i, [original, patch, expected]] of rfcExamples.entries()) {
  test(`RFC 7386 example ${i + 1}: ${JSON.stringify(original)} + ${JSON.stringify(patch)}`, () => {
    const before = structuredClone(original);
    assert.deepEqual(applyMergePatch(original, patch), expected);
    assert.deepEqual(original, before, 'the input is not modified');
  });
}

test('kubectl scale and label patches', () => {
  const deploy = { metadata: { name: 'd', labels: { app: 'nginx' } }, spec: { replicas: 3, template: {} } };
  assert.deepEqual(applyMergePatch(deploy, { spec: { replicas: 5 } }), { metadata: { name: 'd', labels: { app: 'nginx' } }, spec: { replicas: 5, template: {} } });
  assert.deepEqual(applyMergePatch(deploy, { metadata: { labels: { app: null, tier: 'web' } } }), {
    metadata: { name: 'd', labels: { tier: 'web' } },
    spec: { replicas: 3, template: {} },
  });
});

test('lists replace whole; nulls inside replacing objects are dropped, as in Kubernetes', () => {
  const pod = { spec: { containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }] } };
  assert.deepEqual(applyMergePatch(pod, { spec: { containers: [{ name: 'b', image: 'z', command: null }] } }), {
    spec: { containers: [{ name: 'b', image: 'z' }] },
  });
});

test('a `__proto__` member is data, never a prototype (ConfigMap keys may be `__proto__`)', () => {
  const out = applyMergePatch({ data: {} }, JSON.parse('{"data":{"__proto__":{"polluted":"yes"}}}'));
  assert.equal(({} as any).polluted, undefined);
  assert.deepEqual(Object.keys(out.data), ['__proto__']);
  assert.equal(JSON.stringify(out), '{"data":{"__proto__":{"polluted":"yes"}}}');
  const twice = applyMergePatch(out, JSON.parse('{"data":{"__proto__":{"more":1}}}'));
  assert.equal(JSON.stringify(twice), '{"data":{"__proto__":{"polluted":"yes","more":1}}}');
  assert.equal(({} as any).more, undefined);
});
