import { test } from 'node:test';
import assert from 'node:assert/strict';
import { humanAge, humanSize } from '../../../../src/image/progress/units.js';
import { progressBar, renderProgress } from '../../../../src/image/progress/render.js';
import { renderTemplate } from '../../../../src/image/cli/template.js';
import { formatTable } from '../../../../src/image/cli/table.js';
import { filterImages, imageRows, renderImages } from '../../../../src/image/cli/images-command.js';
import type { ImageSummary } from '../../../../src/image/ops/image-view.js';

test('sizes and ages read as the docker CLI prints them', () => {
  assert.equal(humanSize(0), '0B');
  assert.equal(humanSize(999), '999B');
  assert.equal(humanSize(4_261_000), '4.26MB');
  assert.equal(humanSize(812_345), '812kB');
  assert.equal(humanSize(1_200_000_000), '1.2GB');
  const now = Date.parse('2026-11-22T00:00:00Z');
  assert.equal(humanAge(now / 1000 - 30, now), '30 seconds ago');
  assert.equal(humanAge(now / 1000 - 3600, now), 'About an hour ago');
  assert.equal(humanAge(now / 1000 - 3 * 86400, now), '3 days ago');
  assert.equal(humanAge(now / 1000 - 20 * 86400, now), '2 weeks ago');
  assert.equal(humanAge(0, now), 'N/A');
});

test('progress bars: 50 columns, arrow head, sizes', () => {
  assert.equal(progressBar(50, 100), `[${'='.repeat(24)}>${' '.repeat(25)}]  50B/100B`);
  assert.equal(progressBar(100, 100), `[${'='.repeat(50)}]  100B/100B`);
  assert.equal(progressBar(1234), '1.23kB');
});

function sink(tty: boolean): { out: string[]; write: (s: string) => boolean; isTTY: boolean } {
  const out: string[] = [];
  return { out, write: (s: string) => (out.push(s), true), isTTY: tty };
}

test('without a terminal, progress prints one line per status change and no bar ticks', () => {
  const s = sink(false);
  const p = renderProgress(s as unknown as NodeJS.WritableStream, false);
  p({ id: 'abc', status: 'Pulling fs layer' });
  p({ id: 'abc', status: 'Downloading', progressDetail: { current: 1, total: 10 } });
  p({ id: 'abc', status: 'Downloading', progressDetail: { current: 5, total: 10 } });
  p({ id: 'abc', status: 'Pull complete' });
  p({ status: 'Digest: sha256:x' });
  assert.equal(s.out.join(''), 'abc: Pulling fs layer\nabc: Downloading\nabc: Pull complete\nDigest: sha256:x\n');
});

test('on a terminal, a layer line is redrawn in place', () => {
  const s = sink(true);
  const p = renderProgress(s as unknown as NodeJS.WritableStream, true);
  p({ id: 'a', status: 'Pulling fs layer' });
  p({ id: 'b', status: 'Pulling fs layer' });
  p({ id: 'a', status: 'Downloading', progressDetail: { current: 5, total: 10 } });
  assert.equal(s.out[2], `\x1b[2A\r\x1b[2Ka: Downloading ${progressBar(5, 10)}\x1b[2B\r`);
});

test('templates: fields, nested fields, json', () => {
  const doc = { Id: 'sha256:1', Config: { Cmd: ['sh', '-c'], Env: null }, RootFS: { Layers: ['a', 'b'] } };
  assert.equal(renderTemplate('{{.Id}}', doc), 'sha256:1');
  assert.equal(renderTemplate('{{json .Config.Cmd}}', doc), '["sh","-c"]');
  assert.equal(renderTemplate('{{.RootFS.Layers}}\\t{{.Missing}}', doc), '[a b]\t<no value>');
  assert.throws(() => renderTemplate('{{range .X}}', doc), /unsupported expression/);
});

test('tables pad columns like docker', () => {
  assert.equal(formatTable(['A', 'LONGER'], [['xxxx', 'y']]), 'A      LONGER\nxxxx   y\n');
});

const img = (over: Partial<ImageSummary>): ImageSummary => ({
  Id: `sha256:${'1'.repeat(64)}`, ParentId: '', RepoTags: [], RepoDigests: [], Created: 1_700_000_000, Size: 4_261_000,
  SharedSize: -1, VirtualSize: 4_261_000, Labels: {}, Containers: -1, ...over,
});

test('image rows: one per tag, <none> for dangling and digest-only names, filters', () => {
  const images = [
    img({ RepoTags: ['busybox:latest', 'busybox:1.36'], RepoDigests: [`busybox@sha256:${'d'.repeat(64)}`] }),
    img({ Id: `sha256:${'2'.repeat(64)}` }),
    img({ Id: `sha256:${'3'.repeat(64)}`, RepoDigests: [`localhost:5000/x@sha256:${'e'.repeat(64)}`] }),
  ];
  const rows = imageRows(images);
  assert.deepEqual(rows.map((r) => `${r.Repository}:${r.Tag}:${r.ID}`), [
    'busybox:latest:111111111111', 'busybox:1.36:111111111111', '<none>:<none>:222222222222', 'localhost:5000/x:<none>:333333333333',
  ]);
  assert.equal(rows[0]!.Digest, `sha256:${'d'.repeat(64)}`);
  assert.equal(filterImages(images, ['dangling=true']).length, 2);
  assert.equal(filterImages(images, ['reference=busy*']).length, 1);
  assert.throws(() => filterImages(images, ['bogus=1']), /invalid filter 'bogus'/);
  assert.equal(renderImages(images, { quiet: true }), '111111111111\n222222222222\n333333333333\n');
  const json = renderImages(images.slice(0, 1), { format: 'json' }).trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(Object.keys(json[0]).sort(), ['Containers', 'CreatedAt', 'CreatedSince', 'Digest', 'ID', 'Repository', 'SharedSize', 'Size', 'Tag', 'UniqueSize', 'VirtualSize']);
});
