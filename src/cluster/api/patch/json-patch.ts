// RFC 6902 JSON Patch (`application/json-patch+json`), with the behaviour kube-apiserver gets from its
// json-patch library: a body that is not a list of operations is a 400, more than 10,000 operations a 413,
// and any operation that does not apply (a failed `test`, a missing path, a bad index) a 422 whose message is
// the server's generic one. Negative array indexes count from the end, as that library allows.
import { badRequest, patchNotApplicable, tooManyOperations } from './errors.js';
import { deepEqual, getOwn, hasOwn, isObject, setOwn, type JsonObject } from './json.js';

/** The most operations one JSON patch may carry (kube-apiserver's `maxJSONPatchOperations`). */
export const MAX_JSON_PATCH_OPERATIONS = 10000;

/** One RFC 6902 operation. */
export interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test' | string;
  path: string;
  from?: string;
  value?: unknown;
}

type Container = JsonObject | unknown[];

/** Applies RFC 6902 operations to a copy of `doc` and returns the result (the input is not modified). */
export function applyJsonPatch(doc: unknown, ops: unknown): any {
  const list = decodeOperations(ops);
  let result: unknown = structuredClone(doc);
  for (const op of list) result = applyOperation(result, op);
  return result;
}

function decodeOperations(ops: unknown): JsonObject[] {
  // Go decodes `null` into an empty patch.
  if (ops === null || ops === undefined) return [];
  if (!Array.isArray(ops)) throw badRequest(`json: cannot unmarshal ${jsonKind(ops)} into Go value of type jsonpatch.Patch`);
  for (const op of ops) {
    if (!isObject(op) && op !== null) {
      throw badRequest(`json: cannot unmarshal ${jsonKind(op)} into Go value of type jsonpatch.Operation`);
    }
  }
  if (ops.length > MAX_JSON_PATCH_OPERATIONS) throw tooManyOperations(MAX_JSON_PATCH_OPERATIONS, ops.length);
  return ops.map((op) => (op ?? {}) as JsonObject);
}

function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  return typeof v;
}

function stringField(op: JsonObject, name: 'path' | 'from'): string {
  const v = op[name];
  if (typeof v !== 'string') throw patchNotApplicable(`operation missing ${name} field`);
  return v;
}

function applyOperation(doc: unknown, op: JsonObject): unknown {
  const kind = typeof op.op === 'string' ? op.op : 'unknown';
  const value = op.value === undefined ? null : op.value;
  switch (kind) {
    case 'add': {
      const path = stringField(op, 'path');
      const [parent, key] = locate(doc, path, `add operation does not apply: doc is missing path: "${path}"`);
      add(parent, key, structuredClone(value));
      return doc;
    }
    case 'remove': {
      const path = stringField(op, 'path');
      const [parent, key] = locate(doc, path, `remove operation does not apply: doc is missing path: "${path}"`);
      remove(parent, key, `error in remove for path: '${path}'`);
      return doc;
    }
    case 'replace': {
      const path = stringField(op, 'path');
      const missing = `replace operation does not apply: doc is missing key: ${path}`;
      const [parent, key] = locate(doc, path, `replace operation does not apply: doc is missing path: ${path}`);
      if (!has(parent, key)) throw patchNotApplicable(missing);
      set(parent, key, structuredClone(value));
      return doc;
    }
    case 'move': {
      const from = stringField(op, 'from');
      const path = stringField(op, 'path');
      const [src, srcKey] = locate(doc, from, `move operation does not apply: doc is missing from path: ${from}`);
      if (!has(src, srcKey)) throw patchNotApplicable(`move operation does not apply: doc is missing from path: ${from}`);
      const moved = get(src, srcKey);
      remove(src, srcKey, `error in move for path: '${from}'`);
      const [dst, dstKey] = locate(doc, path, `move operation does not apply: doc is missing destination path: ${path}`);
      add(dst, dstKey, moved);
      return doc;
    }
    case 'copy': {
      const from = stringField(op, 'from');
      const path = stringField(op, 'path');
      const [src, srcKey] = locate(doc, from, `copy operation does not apply: doc is missing from path: ${from}`);
      if (!has(src, srcKey)) throw patchNotApplicable(`copy operation does not apply: doc is missing from path: ${from}`);
      const copied = structuredClone(get(src, srcKey));
      const [dst, dstKey] = locate(doc, path, `copy operation does not apply: doc is missing destination path: ${path}`);
      add(dst, dstKey, copied);
      return doc;
    }
    case 'test': {
      const path = stringField(op, 'path');
      const [parent, key] = locate(doc, path, `test operation does not apply: is missing path: ${path}`);
      // A missing member reads as null, so `{"op":"test","value":null}` passes for absent fields.
      const actual = Array.isArray(parent) ? (has(parent, key) ? get(parent, key) : fail(path)) : (get(parent, key) ?? null);
      if (!deepEqual(actual, value)) fail(path);
      return doc;
    }
    default:
      throw patchNotApplicable(`Unexpected kind: ${kind}`);
  }
}

function fail(path: string): never {
  throw patchNotApplicable(`testing value ${path} failed: test failed`);
}

/** Decodes one reference token (`~1` is `/`, then `~0` is `~`, in that order per RFC 6901). */
export function decodePointerToken(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** Encodes a member name as a JSON pointer token. */
export function encodePointerToken(name: string): string {
  return name.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** The container holding the pointer's target and the target's key in it (the root cannot be addressed). */
function locate(doc: unknown, pointer: string, missing: string): [Container, string] {
  if (!pointer.startsWith('/')) throw patchNotApplicable(missing);
  const tokens = pointer.slice(1).split('/').map(decodePointerToken);
  let cur: unknown = doc;
  for (const token of tokens.slice(0, -1)) {
    if (!isObject(cur) && !Array.isArray(cur)) throw patchNotApplicable(missing);
    if (!has(cur, token)) throw patchNotApplicable(missing);
    cur = get(cur, token);
  }
  if (!isObject(cur) && !Array.isArray(cur)) throw patchNotApplicable(missing);
  return [cur, tokens[tokens.length - 1]!];
}

/** An array index as the library parses it (decimal, negative counts from the end); undefined if invalid. */
function arrayIndex(list: unknown[], key: string, allowEnd: boolean): number | undefined {
  if (!/^[+-]?\d+$/.test(key)) return undefined;
  let i = Number(key);
  if (i < 0) {
    if (i < -list.length) return undefined;
    i += list.length;
  }
  return i < list.length || (allowEnd && i === list.length) ? i : undefined;
}

function has(c: Container, key: string): boolean {
  if (Array.isArray(c)) return arrayIndex(c, key, false) !== undefined;
  return hasOwn(c, key);
}

function get(c: Container, key: string): unknown {
  if (Array.isArray(c)) return c[arrayIndex(c, key, false)!];
  return getOwn(c, key);
}

function set(c: Container, key: string, value: unknown): void {
  if (Array.isArray(c)) c[arrayIndex(c, key, false)!] = value;
  else setOwn(c, key, value);
}

function add(c: Container, key: string, value: unknown): void {
  if (!Array.isArray(c)) {
    setOwn(c, key, value);
    return;
  }
  if (key === '-') {
    c.push(value);
    return;
  }
  const i = arrayIndex(c, key, true);
  if (i === undefined) throw patchNotApplicable(`Unable to access invalid index: ${key}: invalid index referenced`);
  c.splice(i, 0, value);
}

function remove(c: Container, key: string, context: string): void {
  if (Array.isArray(c)) {
    const i = arrayIndex(c, key, false);
    if (i === undefined) throw patchNotApplicable(`${context}: Unable to access invalid index: ${key}: invalid index referenced`);
    c.splice(i, 1);
    return;
  }
  if (!hasOwn(c, key)) {
    throw patchNotApplicable(`${context}: Unable to remove nonexistent key: ${key}: missing value`);
  }
  delete c[key];
}
