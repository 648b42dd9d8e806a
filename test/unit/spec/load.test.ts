import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBundle, jsonErrorLocation } from '../../../src/runtime/spec/load.js';
import { SpecError } from '../../../src/runtime/spec/errors.js';
import { defaultSpec } from '../../../src/runtime/spec/default-spec.js';

function bundle(config: string | undefined, makeRootfs = true): string {
  const dir = mkdtempSync(join(tmpdir(), 'berth-load-'));
  if (config !== undefined) writeFileSync(join(dir, 'config.json'), config);
  if (makeRootfs) mkdirSync(join(dir, 'rootfs'));
  return dir;
}

test('loadBundle reads the spec and resolves rootfs against the bundle', (t) => {
  const dir = bundle(JSON.stringify(defaultSpec()));
  t.after(() => rmSync(dir, { recursive: true }));
  const { spec, rootfs } = loadBundle(dir);
  assert.equal(spec.ociVersion, '1.2.0');
  assert.equal(rootfs, join(dir, 'rootfs'));
});

test('loadBundle keeps an absolute root.path', (t) => {
  const dir = bundle(JSON.stringify({ ...defaultSpec(), root: { path: tmpdir() } }), false);
  t.after(() => rmSync(dir, { recursive: true }));
  assert.equal(loadBundle(dir).rootfs, tmpdir());
});

test('loadBundle names file, line and column of a JSON syntax error', (t) => {
  const dir = bundle('{\n  "ociVersion": "1.2.0",\n  "root": {"path": "rootfs",}\n}\n');
  t.after(() => rmSync(dir, { recursive: true }));
  assert.throws(() => loadBundle(dir), (err: unknown) => {
    assert.ok(err instanceof SpecError);
    assert.match(err.message, new RegExp(`${join(dir, 'config.json')}:3:\\d+: invalid JSON`));
    return true;
  });
});

test('loadBundle names a truncated file', (t) => {
  const dir = bundle('{"ociVersion": "1.2.0"');
  t.after(() => rmSync(dir, { recursive: true }));
  assert.throws(() => loadBundle(dir), /config\.json:1:\d+: invalid JSON/);
});

test('loadBundle reports a missing config.json', (t) => {
  const dir = bundle(undefined);
  t.after(() => rmSync(dir, { recursive: true }));
  assert.throws(() => loadBundle(dir), /config\.json: not found/);
});

test('loadBundle reports a missing rootfs directory with its path', (t) => {
  const dir = bundle(JSON.stringify(defaultSpec()), false);
  t.after(() => rmSync(dir, { recursive: true }));
  assert.throws(() => loadBundle(dir), (err: unknown) => {
    assert.ok(err instanceof SpecError);
    assert.equal(err.field, 'root.path');
    assert.ok(err.message.includes(join(dir, 'rootfs')), err.message);
    return true;
  });
});

test('loadBundle refuses a config without root.path and a non-object config', (t) => {
  const a = bundle('{"ociVersion": "1.2.0"}');
  const b = bundle('[1, 2]');
  t.after(() => { rmSync(a, { recursive: true }); rmSync(b, { recursive: true }); });
  assert.throws(() => loadBundle(a), (err: unknown) => err instanceof SpecError && err.field === 'root.path');
  assert.throws(() => loadBundle(b), /must contain a JSON object/);
});

test('jsonErrorLocation understands both V8 message forms', () => {
  assert.deepEqual(jsonErrorLocation('Unexpected token } in JSON at position 5', 'ab\ncdef'), { line: 2, column: 3 });
  assert.deepEqual(jsonErrorLocation('Unexpected token (line 4 column 2)', ''), { line: 4, column: 2 });
  assert.equal(jsonErrorLocation('something else', 'x'), undefined);
});
