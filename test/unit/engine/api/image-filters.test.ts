// GET /images/json filters: dangling, reference globs (with and without tag), labels, until; unknown keys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { filterImageList, globToRegExp } from '../../../../src/engine/api/image-filters.js';
import type { ImageContext, ImageSummary } from '../../../../src/image/index.js';
import { isEngineError } from '../../../../src/engine/errors.js';

const img = (Id: string, RepoTags: string[], Created: number, Labels: Record<string, string> = {}): ImageSummary => ({
  Id, ParentId: '', RepoTags, RepoDigests: [], Created, Size: 1, SharedSize: -1, VirtualSize: 1, Labels, Containers: -1,
});
const images = [
  img('sha256:a', ['busybox:latest', 'busybox:1.36'], 100, { tier: 'base' }),
  img('sha256:b', ['localhost:5000/team/app:v1'], 200, { tier: 'app', owner: 'me' }),
  img('sha256:c', [], 300),
];
const ctx = {} as ImageContext;
const run = (o: Record<string, string[]>) => filterImageList(ctx, images, new Map(Object.entries(o)));

test('globs stay within a path segment', () => {
  assert.ok(globToRegExp('busy*').test('busybox'));
  assert.ok(!globToRegExp('*').test('team/app'));
  assert.ok(globToRegExp('*/*').test('team/app'));
  assert.ok(globToRegExp('a?c').test('abc'));
  assert.ok(!globToRegExp('a.c').test('abc'), 'dots are literal');
});

test('dangling=true keeps untagged images, false the tagged ones', async () => {
  assert.deepEqual((await run({ dangling: ['true'] })).map((i) => i.Id), ['sha256:c']);
  assert.deepEqual((await run({ dangling: ['false'] })).map((i) => i.Id), ['sha256:a', 'sha256:b']);
});

test('reference matches repo or repo:tag and narrows RepoTags to the matches', async () => {
  const r = await run({ reference: ['busybox:1.*'] });
  assert.deepEqual(r.map((i) => [i.Id, i.RepoTags]), [['sha256:a', ['busybox:1.36']]]);
  assert.deepEqual((await run({ reference: ['busybox'] }))[0]!.RepoTags, ['busybox:latest', 'busybox:1.36']);
  assert.deepEqual((await run({ reference: ['localhost:5000/*/app'] })).map((i) => i.Id), ['sha256:b']);
  assert.deepEqual(await run({ reference: ['nothing*'] }), []);
});

test('label and until filters', async () => {
  assert.deepEqual((await run({ label: ['tier'] })).map((i) => i.Id), ['sha256:a', 'sha256:b']);
  assert.deepEqual((await run({ label: ['tier=app', 'owner'] })).map((i) => i.Id), ['sha256:b']);
  assert.deepEqual((await run({ until: ['250'] })).map((i) => i.Id), ['sha256:a', 'sha256:b']);
});

test('unknown keys are 400', async () => {
  await assert.rejects(run({ colour: ['red'] }), (e: unknown) => isEngineError(e, 'InvalidArgument') && /invalid filter 'colour'/.test((e as Error).message));
});
