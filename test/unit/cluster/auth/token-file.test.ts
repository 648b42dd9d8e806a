import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TokenFile, formatTokenRecord, parseCsvLine, parseTokenFile } from '../../../../src/cluster/auth/token-file.js';

test('CSV fields: quotes keep commas, doubled quotes escape, leading spaces are dropped', () => {
  assert.deepEqual(parseCsvLine('a,b,c'), ['a', 'b', 'c']);
  assert.deepEqual(parseCsvLine('tok,alice,1001,"dev,ops"'), ['tok', 'alice', '1001', 'dev,ops']);
  assert.deepEqual(parseCsvLine('t, "say ""hi""" ,u'), ['t', 'say "hi"', 'u']);
  assert.deepEqual(parseCsvLine('t,,'), ['t', '', '']);
  assert.throws(() => parseCsvLine('t,"open'), /unterminated/);
});

test('token file: user, uid and groups; comments and blank lines skipped', () => {
  const { tokens, warnings } = parseTokenFile('# admin tokens\n\nsecret1,alice,1001,"system:masters,dev"\nsecret2,bob,1002\n');
  assert.deepEqual(tokens.get('secret1'), { name: 'alice', uid: '1001', groups: ['system:masters', 'dev'] });
  assert.deepEqual(tokens.get('secret2'), { name: 'bob', uid: '1002', groups: [] });
  assert.equal(tokens.size, 2);
  assert.deepEqual(warnings, []);
});

test('token file: extra columns are ignored, empty and duplicate tokens warn, short records fail', () => {
  const { tokens, warnings } = parseTokenFile('t1,a,1,g1,extra\n,b,2\nt1,c,3\n', 'tokens.csv');
  assert.equal(tokens.get('t1')?.name, 'c');
  assert.deepEqual(tokens.get('t1')?.groups, []);
  assert.equal(warnings.length, 2);
  assert.match(warnings[0]!, /tokens\.csv: line 2: empty token/);
  assert.throws(() => parseTokenFile('ok,a,1\nonlytwo,cols\n', 'tokens.csv'), /tokens\.csv: line 2: must have at least 3 columns \(token, user name, user uid\), found 2/);
});

test('formatTokenRecord round-trips through the parser', () => {
  const line = formatTokenRecord('abc', { name: 'jane doe', uid: 'u1', groups: ['a', 'b'] });
  assert.deepEqual(parseTokenFile(line).tokens.get('abc'), { name: 'jane doe', uid: 'u1', groups: ['a', 'b'] });
});

test('TokenFile re-reads the file when it changes and keeps the last good table on a broken edit', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-tokens-'));
  try {
    const file = path.join(dir, 'tokens.csv');
    const warnings: string[] = [];
    const tf = new TokenFile(file, (w) => warnings.push(w));
    assert.equal(tf.lookup('x'), undefined, 'missing file: no tokens');
    fs.writeFileSync(file, 'x,alice,1\n');
    assert.equal(tf.lookup('x')?.name, 'alice');
    fs.writeFileSync(file, 'x,alice,1\ny,bob,2,"g"\n');
    assert.deepEqual(tf.lookup('y'), { name: 'bob', uid: '2', groups: ['g'] });
    fs.writeFileSync(file, 'broken\n');
    assert.equal(tf.lookup('y')?.name, 'bob', 'broken file keeps the previous tokens');
    assert.match(warnings.at(-1)!, /keeping the previous tokens/);
    fs.rmSync(file);
    assert.equal(tf.lookup('y'), undefined, 'a removed file revokes every token');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
