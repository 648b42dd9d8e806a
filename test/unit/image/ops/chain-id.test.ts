import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chainIds } from '../../../../src/image/manifest/chain-id.js';

test('chainIDs follow the image spec: the first is the diffID, then sha256 of "parent diff"', () => {
  const a = `sha256:${'a'.repeat(64)}` as const;
  const b = `sha256:${'b'.repeat(64)}` as const;
  const c = `sha256:${'c'.repeat(64)}` as const;
  const ab = `sha256:${createHash('sha256').update(`${a} ${b}`).digest('hex')}`;
  const abc = `sha256:${createHash('sha256').update(`${ab} ${c}`).digest('hex')}`;
  assert.deepEqual(chainIds([a, b, c]), [a, ab, abc]);
  assert.deepEqual(chainIds([]), []);
});
