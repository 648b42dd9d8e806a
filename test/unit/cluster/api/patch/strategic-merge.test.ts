import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyStrategicMergePatch, literalSchema, type LiteralType } from '../../../../../src/cluster/api/patch/index.js';
import { ApiError } from '../../../../../src/cluster/api/types.js';

// A test type in the spirit of apimachinery's MergeItem: every merge strategy on one struct, recursively.
function mergeItem(depth = 3): LiteralType {
  const nested: LiteralType = depth > 0 ? mergeItem(depth - 1) : 'untyped';
  const byName = { strategy: 'merge', key: 'name' };
  return {
    fields: {
      name: 'scalar',
      value: 'scalar',
      other: 'scalar',
      mergingList: { list: nested, patch: byName },
      nonMergingList: { list: nested },
      mergingIntList: { list: 'scalar', patch: { strategy: 'merge' } },
      nonMergingIntList: { list: 'scalar' },
      simpleMap: { map: 'scalar' },
      replacingItem: { map: 'untyped', patch: { strategy: 'replace' } },
      retainKeysMap: {
        fields: { name: 'scalar', value: 'scalar', other: 'scalar', simpleMap: { map: 'scalar' }, mergingList: { list: nested, patch: byName } },
        patch: { strategy: 'retainKeys' },
      },
      retainKeysMergingList: { list: nested, patch: { strategy: 'merge,retainKeys', key: 'name' } },
    },
  };
}
const schema = literalSchema(mergeItem());
const GVK = { group: 'test', version: 'v1', kind: 'MergeItem' };
const smp = (original: object, patch: unknown) => applyStrategicMergePatch(original, patch, GVK, schema);

// [description, original, patch, result]
const cases: [string, object, object, object][] = [
  ['add a field', { name: 1 }, { value: 1 }, { name: 1, value: 1 }],
  ['replace and delete fields', { name: 1, value: 1, other: 'a' }, { name: 2, value: null }, { name: 2, other: 'a' }],
  ['null for an absent field is ignored', { name: 1 }, { value: null }, { name: 1 }],
  ['delete a key of a nested map', { simpleMap: { key1: 1, key2: 1 } }, { simpleMap: { key2: null } }, { simpleMap: { key1: 1 } }],
  ['$patch: delete empties a map', { simpleMap: { key1: 1, key2: 1 } }, { simpleMap: { $patch: 'delete' } }, { simpleMap: {} }],
  ['$patch: replace replaces the whole object', { name: 1, value: 1 }, { other: 'a', $patch: 'replace' }, { other: 'a' }],
  ['a replace-strategy field is replaced, not merged', { replacingItem: { a: 1, b: 2 } }, { replacingItem: { c: 3 } }, { replacingItem: { c: 3 } }],
  ['lists without a strategy replace', { nonMergingList: [{ name: 1 }, { name: 2 }] }, { nonMergingList: [{ name: 3 }] }, { nonMergingList: [{ name: 3 }] }],
  ['primitive lists without a strategy replace', { nonMergingIntList: [1, 2] }, { nonMergingIntList: [2, 3] }, { nonMergingIntList: [2, 3] }],
  ['merge lists of maps by key', { mergingList: [{ name: 1, value: 'a' }, { name: 2, value: 'b' }] }, { mergingList: [{ name: 2, value: 'c', other: 'x' }] }, { mergingList: [{ name: 1, value: 'a' }, { name: 2, value: 'c', other: 'x' }] }],
  ['a new item without $setElementOrder goes first', { mergingList: [{ name: 1 }, { name: 2 }] }, { mergingList: [{ name: 3 }] }, { mergingList: [{ name: 3 }, { name: 1 }, { name: 2 }] }],
  ['delete an item field with null', { mergingList: [{ name: 1, value: 'a', other: 'b' }] }, { mergingList: [{ name: 1, value: null }] }, { mergingList: [{ name: 1, other: 'b' }] }],
  ['$patch: delete removes every item with the key', { mergingList: [{ name: 1 }, { name: 1 }, { name: 2, value: 'a' }, { name: 3 }, { name: 3 }] }, { mergingList: [{ name: 1, $patch: 'delete' }, { name: 3, $patch: 'delete' }] }, { mergingList: [{ name: 2, value: 'a' }] }],
  ['$patch: replace replaces a merging list', { mergingList: [{ name: 1 }, { name: 2 }] }, { mergingList: [{ name: 3 }, { $patch: 'replace' }] }, { mergingList: [{ name: 3 }] }],
  ['$patch: replace alone empties a merging list', { mergingList: [{ name: 1 }, { name: 2 }] }, { mergingList: [{ $patch: 'replace' }] }, { mergingList: [] }],
  ['merge empty lists', { mergingList: [] }, { mergingList: [] }, { mergingList: [] }],
  ['primitive merge lists are sets', { mergingIntList: [1, 2] }, { mergingIntList: [2, 3] }, { mergingIntList: [1, 2, 3] }],
  ['patch order wins in a merging list', { mergingList: [{ name: 1 }, { name: 2, value: 'b' }, { name: 3 }] }, { mergingList: [{ name: 3, value: 'c' }, { name: 1, value: 'a' }, { name: 2, other: 'x' }] }, { mergingList: [{ name: 3, value: 'c' }, { name: 1, value: 'a' }, { name: 2, value: 'b', other: 'x' }] }],
  ['server-only items keep their live position', { mergingList: [{ name: 1 }, { name: 2, value: 'b' }, { name: 3 }] }, { mergingList: [{ name: 3, value: 'c' }, { name: 1, value: 'a' }] }, { mergingList: [{ name: 2, value: 'b' }, { name: 3, value: 'c' }, { name: 1, value: 'a' }] }],
  ['patch order wins in a primitive list', { mergingIntList: [1, 2, 3] }, { mergingIntList: [3, 1, 2] }, { mergingIntList: [3, 1, 2] }],
  ['primitive server-only members interleave', { mergingIntList: [1, 2, 3] }, { mergingIntList: [3, 1] }, { mergingIntList: [2, 3, 1] }],
  ['$setElementOrder orders the list with its patch', { mergingList: [{ name: 1, other: 'a' }, { name: 2, value: 2, other: 'b' }] }, { '$setElementOrder/mergingList': [{ name: 4 }, { name: 1 }, { name: 2 }, { name: 3 }], mergingList: [{ name: 4, value: 4 }, { name: 3, value: 3 }] }, { mergingList: [{ name: 4, value: 4 }, { name: 1, other: 'a' }, { name: 2, value: 2, other: 'b' }, { name: 3, value: 3 }] }],
  ['$setElementOrder alone reorders', { mergingList: [{ name: 1 }, { name: 2 }, { name: 3 }] }, { '$setElementOrder/mergingList': [{ name: 3 }, { name: 1 }, { name: 2 }] }, { mergingList: [{ name: 3 }, { name: 1 }, { name: 2 }] }],
  ['$setElementOrder may name items that do not exist', { mergingList: [{ name: 1 }, { name: 3 }] }, { '$setElementOrder/mergingList': [{ name: 3 }, { name: 2 }, { name: 1 }], mergingList: [{ name: 3, value: 3 }, { name: 1, value: 1 }] }, { mergingList: [{ name: 3, value: 3 }, { name: 1, value: 1 }] }],
  ['$setElementOrder for a primitive list', { mergingIntList: [1, 3] }, { '$setElementOrder/mergingIntList': [3, 2, 1] }, { mergingIntList: [3, 1] }],
  ['$setElementOrder with a deletion keeps server-only items', { mergingList: [{ name: 'hello2' }] }, { '$setElementOrder/mergingList': [{ name: 'hello' }, { name: 'doesntexist' }], mergingList: [{ name: 'hello' }, { $patch: 'delete', name: 'doesntexist' }] }, { mergingList: [{ name: 'hello' }, { name: 'hello2' }] }],
  ['$setElementOrder for a list the original lacks', { name: 'hi' }, { '$setElementOrder/mergingList': [{ name: 'b' }, { name: 'a' }], mergingList: [{ name: 'b', value: null }, { name: 'a' }] }, { name: 'hi', mergingList: [{ name: 'b' }, { name: 'a' }] }],
  ['a new list drops its directive items', { name: 'hi' }, { mergingList: [{ name: 'hello' }, { $patch: 'delete', name: 'doesntexist' }] }, { name: 'hi', mergingList: [{ name: 'hello' }] }],
  ['$deleteFromPrimitiveList with $setElementOrder', { mergingIntList: [1, 2, 3, 4] }, { '$setElementOrder/mergingIntList': [1, 2, 4], '$deleteFromPrimitiveList/mergingIntList': [3], mergingIntList: [4] }, { mergingIntList: [1, 2, 4] }],
  ['$deleteFromPrimitiveList removes duplicates too', { mergingIntList: [1, 2, 3, 3, 4] }, { '$deleteFromPrimitiveList/mergingIntList': [3] }, { mergingIntList: [1, 2, 4] }],
  ['$deleteFromPrimitiveList of a missing member', { mergingIntList: [1, 2] }, { '$deleteFromPrimitiveList/mergingIntList': [3] }, { mergingIntList: [1, 2] }],
  ['$deleteFromPrimitiveList of a missing list adds nothing', { foo: ['bar'] }, { '$deleteFromPrimitiveList/mergingIntList': [3] }, { foo: ['bar'] }],
  ['$deleteFromPrimitiveList on a non-merging list', { nonMergingIntList: [1, 2, 3] }, { '$deleteFromPrimitiveList/nonMergingIntList': [2] }, { nonMergingIntList: [1, 3] }],
  ['$retainKeys drops the keys it does not list', { retainKeysMap: { name: 'foo', value: 'a', other: 'b' } }, { retainKeysMap: { $retainKeys: ['name', 'other'], other: 'c' } }, { retainKeysMap: { name: 'foo', other: 'c' } }],
  ['without $retainKeys a retainKeys map merges', { retainKeysMap: { name: 'foo', value: 'a' } }, { retainKeysMap: { value: 'b' } }, { retainKeysMap: { name: 'foo', value: 'b' } }],
  ['$retainKeys in list items', { retainKeysMergingList: [{ name: 'bar' }, { name: 'foo', value: 'a', other: 'x' }] }, { retainKeysMergingList: [{ name: 'foo', $retainKeys: ['name', 'value'], value: 'b' }] }, { retainKeysMergingList: [{ name: 'bar' }, { name: 'foo', value: 'b' }] }],
  ['a new subtree drops nulls and directives', {}, { simpleMap: { a: 1, b: null }, mergingList: [{ name: 1, value: null, '$setElementOrder/mergingList': [] }] }, { simpleMap: { a: 1 }, mergingList: [{ name: 1 }] }],
  ['a new map carrying $patch is not added', { name: 1 }, { simpleMap: { $patch: 'delete' } }, { name: 1 }],
  ['a value of another type replaces', { simpleMap: { a: 1 } }, { simpleMap: ['x'] }, { simpleMap: ['x'] }],
  ['undeclared fields merge as maps and replace as lists', { extra: { a: 1, l: [1] } }, { extra: { b: 2, l: [2] } }, { extra: { a: 1, l: [2], b: 2 } }],
];

for (const [name, original, patch, expected] of cases) {
  test(`strategic merge patch: ${name}`, () => {
    const before = structuredClone(original);
    assert.deepEqual(smp(original, patch), expected);
    assert.deepEqual(original, before, 'the input is not modified');
  });
}

function fails(original: object, patch: unknown, code: number, message: string | RegExp) {
  assert.throws(
    () => smp(original, patch),
    (e: unknown) => e instanceof ApiError && e.code === code && (typeof message === 'string' ? e.message === message : message.test(e.message)),
    JSON.stringify(patch),
  );
}

test('strategic merge patch errors carry Kubernetes\' codes and messages', () => {
  fails({ mergingList: [{ name: 1, value: 'a' }] }, { mergingList: [{ value: 'b' }] }, 500, 'map: map[value:b] does not contain declared merge key: name');
  fails({ mergingList: [] }, { mergingList: [{ value: 1000000, other: 0.5 }] }, 500, 'map: map[other:0.5 value:1e+06] does not contain declared merge key: name');
  fails({ mergingList: [{ name: 1 }] }, { mergingList: [{ name: 1, $patch: 'merge' }] }, 500, 'merging lists cannot yet be specified in the patch');
  fails({ mergingList: [{ name: 1 }] }, { mergingList: [{ name: 1, $patch: 'frob' }] }, 500, 'unknown patch type: frob in map: map[$patch:frob name:1]');
  fails({ simpleMap: {} }, { simpleMap: { $patch: 'frob' } }, 500, /^unknown patch type: frob in map/);
  // Kubernetes accepts only replace and delete on maps: `$patch: merge` is an unknown patch type there.
  fails({ simpleMap: {} }, { simpleMap: { $patch: 'merge', a: 1 } }, 500, 'unknown patch type: merge in map: map[$patch:merge a:1]');
  fails({ mergingIntList: [] }, { mergingIntList: [[1]] }, 422, 'lists of lists are not supported');
  fails({ mergingList: [{ name: 1 }] }, { mergingList: [[1]] }, 500, /^list element types are not identical/);
  fails({ mergingIntList: [1] }, { mergingIntList: ['a'] }, 500, /^list element types are not identical/);
  fails({ retainKeysMap: { name: 'a' } }, { retainKeysMap: { $retainKeys: 'name' } }, 400, 'invalid patch format of retainKeys');
  fails({ retainKeysMap: { name: 'a' } }, { retainKeysMap: { $retainKeys: ['name'], value: 'b' } }, 400, 'invalid patch format of retainKeys');
  fails({ mergingList: [] }, { '$setElementOrdermergingList': [] }, 400, 'invalid patch format of setElementOrder list');
  fails({ mergingIntList: [] }, { '$deleteFromPrimitiveListmergingIntList': [] }, 400, 'invalid patch format of primitive list');
  fails({ mergingList: [{ name: 1 }, { name: 3 }, { name: 2 }] }, { '$setElementOrder/mergingList': [{ name: 1 }, { name: 2 }, { name: 3 }], mergingList: [{ name: 3, value: 3 }, { name: 1, value: 1 }] }, 500, /doesn't match \$setElementOrder list/);
  fails({ mergingIntList: [1, 3, 2] }, { '$setElementOrder/mergingIntList': [1, 2, 3], mergingIntList: [3, 1] }, 500, /doesn't match/);
  fails({}, [{ a: 1 }], 400, 'json: cannot unmarshal array into Go value of type map[string]interface {}');
  fails({}, 'x', 400, 'json: cannot unmarshal string into Go value of type map[string]interface {}');
});

test('a null patch changes nothing', () => {
  assert.deepEqual(smp({ name: 1 }, null), { name: 1 });
});

test('`__proto__` keys in a strategic merge patch stay data', () => {
  const out = smp({ simpleMap: { a: 1 } }, JSON.parse('{"simpleMap":{"__proto__":{"polluted":"yes"}},"__proto__":{"polluted":"yes"}}'));
  assert.equal(({} as any).polluted, undefined);
  assert.equal(JSON.stringify(out), '{"simpleMap":{"a":1,"__proto__":{"polluted":"yes"}},"__proto__":{"polluted":"yes"}}');
});
