import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyJsonPatch } from '../../../../../src/cluster/api/patch/index.js';
import { ApiError } from '../../../../../src/cluster/api/types.js';

// RFC 6902, Appendix A: [document, patch, expected result] (undefined result: the patch must fail).
const rfcExamples: [string, unknown, unknown[], unknown][] = [
  ['A.1 adding an object member', { foo: 'bar' }, [{ op: 'add', path: '/baz', value: 'qux' }], { baz: 'qux', foo: 'bar' }],
  ['A.2 adding an array element', { foo: ['bar', 'baz'] }, [{ op: 'add', path: '/foo/1', value: 'qux' }], { foo: ['bar', 'qux', 'baz'] }],
  ['A.3 removing an object member', { baz: 'qux', foo: 'bar' }, [{ op: 'remove', path: '/baz' }], { foo: 'bar' }],
  ['A.4 removing an array element', { foo: ['bar', 'qux', 'baz'] }, [{ op: 'remove', path: '/foo/1' }], { foo: ['bar', 'baz'] }],
  ['A.5 replacing a value', { baz: 'qux', foo: 'bar' }, [{ op: 'replace', path: '/baz', value: 'boo' }], { baz: 'boo', foo: 'bar' }],
  [
    'A.6 moving a value',
    { foo: { bar: 'baz', waldo: 'fred' }, qux: { corge: 'grault' } },
    [{ op: 'move', from: '/foo/waldo', path: '/qux/thud' }],
    { foo: { bar: 'baz' }, qux: { corge: 'grault', thud: 'fred' } },
  ],
  ['A.7 moving an array element', { foo: ['all', 'grass', 'cows', 'eat'] }, [{ op: 'move', from: '/foo/1', path: '/foo/3' }], { foo: ['all', 'cows', 'eat', 'grass'] }],
  [
    'A.8 testing a value: success',
    { baz: 'qux', foo: ['a', 2, 'c'] },
    [
      { op: 'test', path: '/baz', value: 'qux' },
      { op: 'test', path: '/foo/1', value: 2 },
    ],
    { baz: 'qux', foo: ['a', 2, 'c'] },
  ],
  ['A.9 testing a value: error', { baz: 'qux' }, [{ op: 'test', path: '/baz', value: 'bar' }], undefined],
  ['A.10 adding a nested member object', { foo: 'bar' }, [{ op: 'add', path: '/child', value: { grandchild: {} } }], { foo: 'bar', child: { grandchild: {} } }],
  ['A.11 ignoring unrecognized elements', { foo: 'bar' }, [{ op: 'add', path: '/baz', value: 'qux', xyz: 123 }], { foo: 'bar', baz: 'qux' }],
  ['A.12 adding to a nonexistent target', { foo: 'bar' }, [{ op: 'add', path: '/baz/bat', value: 'qux' }], undefined],
  ['A.14 ~ escape ordering', { '/': 9, '~1': 10 }, [{ op: 'test', path: '/~01', value: 10 }], { '/': 9, '~1': 10 }],
  ['A.15 comparing strings and numbers', { '/': 9, '~1': 10 }, [{ op: 'test', path: '/~01', value: '10' }], undefined],
  ['A.16 adding an array value', { foo: ['bar'] }, [{ op: 'add', path: '/foo/-', value: ['abc', 'def'] }], { foo: ['bar', ['abc', 'def']] }],
];

for (const [name, doc, ops, expected] of rfcExamples) {
  test(`RFC 6902 ${name}`, () => {
    const before = structuredClone(doc);
    if (expected === undefined) {
      assert.throws(() => applyJsonPatch(doc, ops), (e: unknown) => e instanceof ApiError && e.code === 422);
    } else {
      assert.deepEqual(applyJsonPatch(doc, ops), expected);
    }
    assert.deepEqual(doc, before, 'the input is not modified');
  });
}

test('copy, escaped member names, negative and end indexes', () => {
  const doc = { spec: { 'a/b': 1, 'c~d': 2, list: [1, 2, 3] } };
  const out = applyJsonPatch(doc, [
    { op: 'copy', from: '/spec/a~1b', path: '/spec/copied' },
    { op: 'replace', path: '/spec/c~0d', value: 20 },
    { op: 'remove', path: '/spec/list/-1' },
    { op: 'add', path: '/spec/list/2', value: 9 },
    { op: 'add', path: '/spec/list/0', value: 0 },
  ]);
  assert.deepEqual(out, { spec: { 'a/b': 1, 'c~d': 20, list: [0, 1, 2, 9], copied: 1 } });
});

test('a copied value is independent of its source', () => {
  const out = applyJsonPatch({ a: { x: 1 } }, [
    { op: 'copy', from: '/a', path: '/b' },
    { op: 'replace', path: '/b/x', value: 2 },
  ]);
  assert.deepEqual(out, { a: { x: 1 }, b: { x: 2 } });
});

test('a failed test is a 422 with kube-apiserver\'s generic wording (the reason stays in `cause`)', () => {
  const deploy = { spec: { replicas: 3 } };
  try {
    applyJsonPatch(deploy, [{ op: 'test', path: '/spec/replicas', value: 4 }, { op: 'replace', path: '/spec/replicas', value: 5 }]);
    assert.fail('expected an error');
  } catch (e) {
    assert.ok(e instanceof ApiError);
    assert.equal(e.code, 422);
    assert.equal(e.reason, 'Invalid');
    assert.equal(e.message, 'the server rejected our request due to an error in our request');
    assert.equal((e as Error & { cause?: unknown }).cause, 'testing value /spec/replicas failed: test failed');
  }
  // A test of an absent member against null passes, as in Kubernetes' json-patch library.
  assert.deepEqual(applyJsonPatch(deploy, [{ op: 'test', path: '/spec/paused', value: null }]), deploy);
});

test('operations that do not apply are 422s', () => {
  const doc = { a: [1], b: {} };
  const failing: unknown[][] = [
    [{ op: 'replace', path: '/missing', value: 1 }],
    [{ op: 'remove', path: '/missing' }],
    [{ op: 'remove', path: '/a/5' }],
    [{ op: 'add', path: '/a/3', value: 1 }],
    [{ op: 'add', path: '/a/x', value: 1 }],
    [{ op: 'move', from: '/nope', path: '/b/c' }],
    [{ op: 'add', path: '', value: 1 }],
    [{ op: 'add', path: 'a', value: 1 }],
    [{ op: 'frobnicate', path: '/a' }],
    [{ path: '/a' }],
    [{ op: 'add', value: 1 }],
  ];
  for (const ops of failing) {
    assert.throws(() => applyJsonPatch(doc, ops), (e: unknown) => e instanceof ApiError && e.code === 422, JSON.stringify(ops));
  }
});

test('malformed bodies are 400s, oversized ones 413, null is an empty patch', () => {
  const bad = (body: unknown, message: string) =>
    assert.throws(() => applyJsonPatch({}, body), (e: unknown) => e instanceof ApiError && e.code === 400 && e.message === message);
  bad({ op: 'add' }, 'json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  bad('x', 'json: cannot unmarshal string into Go value of type jsonpatch.Patch');
  bad([1], 'json: cannot unmarshal number into Go value of type jsonpatch.Operation');
  const many = Array.from({ length: 10001 }, () => ({ op: 'test', path: '/a', value: 1 }));
  assert.throws(
    () => applyJsonPatch({ a: 1 }, many),
    (e: unknown) => e instanceof ApiError && e.code === 413 && /maximum operations in a JSON patch is 10000, got 10001/.test(e.message),
  );
  assert.deepEqual(applyJsonPatch({ a: 1 }, null), { a: 1 });
});

test('rollout undo\'s patch: replace the template and the annotations', () => {
  const deploy = { metadata: { annotations: { 'deployment.kubernetes.io/revision': '2' } }, spec: { template: { spec: { containers: [{ name: 'n', image: 'v2' }] } } } };
  const out = applyJsonPatch(deploy, [
    { op: 'replace', path: '/spec/template', value: { spec: { containers: [{ name: 'n', image: 'v1' }] } } },
    { op: 'replace', path: '/metadata/annotations', value: { 'deployment.kubernetes.io/revision': '1' } },
  ]);
  assert.deepEqual(out, { metadata: { annotations: { 'deployment.kubernetes.io/revision': '1' } }, spec: { template: { spec: { containers: [{ name: 'n', image: 'v1' }] } } } });
});

test('`__proto__` paths address data members, never prototypes', () => {
  const out = applyJsonPatch({ data: {} }, [{ op: 'add', path: '/data/__proto__', value: { polluted: 'yes' } }, { op: 'add', path: '/data/__proto__/x', value: 1 }]);
  assert.equal(({} as any).polluted, undefined);
  assert.equal(JSON.stringify(out), '{"data":{"__proto__":{"polluted":"yes","x":1}}}');
  assert.throws(() => applyJsonPatch({ data: {} }, [{ op: 'replace', path: '/data/__proto__', value: 1 }]), (e: unknown) => e instanceof ApiError && e.code === 422);
});
