// readLogs over temp files laid out as berth-monitor (and Docker's json-file driver) writes them.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readLogs, parseEntry, timeSeconds, type LogEntry } from '../../../../src/engine/logs/index.js';
import type { ReadLogsOptions } from '../../../../src/engine/logs/read-logs.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-logs-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const newLog = () => {
  const dir = path.join(tmp, `c${++n}`);
  fs.mkdirSync(dir);
  return path.join(dir, 'json.log');
};
const tick = () => new Promise((r) => setImmediate(r));

/** One entry as the monitor writes it; time defaults to second `i` of a fixed day. */
function entry(log: string, stream: 'stdout' | 'stderr' = 'stdout', time = '2026-11-22T03:04:05.000000000Z'): string {
  return `${JSON.stringify({ log, stream, time })}\n`;
}
const lineN = (i: number) => entry(`line ${i}\n`, 'stdout', `2026-11-22T03:00:00.${String(i).padStart(9, '0')}Z`);

async function read(file: string, opts: Partial<ReadLogsOptions> = {}): Promise<LogEntry[]> {
  const out: LogEntry[] = [];
  for await (const e of readLogs(file, { stdout: true, stderr: true, ...opts })) out.push(e);
  return out;
}
const texts = (es: LogEntry[]) => es.map((e) => e.line.toString());

test('entries keep their stream, bytes and time; stream, since and until filter them', async () => {
  const file = newLog();
  fs.writeFileSync(file, [
    entry('a\n', 'stdout', '2026-11-22T03:04:05.100000000Z'),
    entry('b\n', 'stderr', '2026-11-22T03:04:05.200000000Z'),
    entry('ünï \u003c\n', 'stdout', '2026-11-22T03:04:05.300000000Z'),
    entry('partial without newline', 'stderr', '2026-11-22T03:04:06.000000000Z'),
  ].join(''));
  const all = await read(file);
  assert.deepEqual(all.map((e) => [e.stream, e.line.toString(), e.time]), [
    ['stdout', 'a\n', '2026-11-22T03:04:05.100000000Z'],
    ['stderr', 'b\n', '2026-11-22T03:04:05.200000000Z'],
    ['stdout', 'ünï <\n', '2026-11-22T03:04:05.300000000Z'],
    ['stderr', 'partial without newline', '2026-11-22T03:04:06.000000000Z'],
  ]);
  assert.deepEqual(texts(await read(file, { stderr: false })), ['a\n', 'ünï <\n']);
  assert.deepEqual(texts(await read(file, { stdout: false })), ['b\n', 'partial without newline']);
  const base = timeSeconds('2026-11-22T03:04:05Z');
  assert.deepEqual(texts(await read(file, { since: base + 0.15 })), ['b\n', 'ünï <\n', 'partial without newline']);
  assert.deepEqual(texts(await read(file, { until: base + 0.25 })), ['a\n', 'b\n']);
  assert.deepEqual(texts(await read(file, { since: base + 0.15, until: base + 0.25 })), ['b\n']);
});

test('times keep sub-millisecond digits; malformed lines are skipped', () => {
  assert.ok(timeSeconds('2026-11-22T03:04:05.123400Z') < timeSeconds('2026-11-22T03:04:05.123600Z'));
  assert.equal(timeSeconds('2026-11-22T03:04:05+01:00'), timeSeconds('2026-11-22T02:04:05Z'));
  assert.ok(Number.isNaN(timeSeconds('yesterday')));
  assert.equal(parseEntry('{"log":"x"'), undefined);
  assert.equal(parseEntry('{"log":"x","stream":"stdin","time":"2026-11-22T03:04:05Z"}'), undefined);
  // Docker omits an empty "log".
  assert.equal(parseEntry('{"stream":"stdout","time":"2026-11-22T03:04:05Z"}')?.line.length, 0);
});

test('tail counts entries over all rotated files, oldest first; a torn last line is not counted', async () => {
  const file = newLog();
  fs.writeFileSync(`${file}.2`, [1, 2, 3].map(lineN).join(''));
  fs.writeFileSync(`${file}.1`, [4, 5, 6].map(lineN).join(''));
  fs.writeFileSync(file, [7, 8, 9].map(lineN).join('') + lineN(10).slice(0, 20));
  const nums = async (tail: number | 'all') => texts(await read(file, { tail })).map((t) => Number(t.split(' ')[1]));
  assert.deepEqual(await nums('all'), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(await nums(5), [5, 6, 7, 8, 9]);
  assert.deepEqual(await nums(3), [7, 8, 9]);
  assert.deepEqual(await nums(4), [6, 7, 8, 9]);
  assert.deepEqual(await nums(6), [4, 5, 6, 7, 8, 9]);
  assert.deepEqual(await nums(1), [9]);
  assert.deepEqual(await nums(0), []);
  assert.deepEqual(await nums(100), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  // tail counts before the stream filter, as Docker does.
  fs.appendFileSync(file, lineN(10).slice(20) + entry('err\n', 'stderr'));
  assert.deepEqual(texts(await read(file, { tail: 2, stderr: false })), ['line 10\n']);
});

test('tail over a file larger than the read chunk', async () => {
  const file = newLog();
  const total = 5000;
  fs.writeFileSync(file, Array.from({ length: total }, (_, i) => lineN(i)).join(''));
  assert.ok(fs.statSync(file).size > 4 * 64 * 1024);
  const got = texts(await read(file, { tail: 3001 }));
  assert.equal(got.length, 3001);
  assert.equal(got[0], `line ${total - 3001}\n`);
  assert.equal(got.at(-1), `line ${total - 1}\n`);
});

test('following: a partial last line is emitted once, whole, when its end arrives', async () => {
  const file = newLog();
  const full = entry('complete me\n');
  fs.writeFileSync(file, entry('first\n') + full.slice(0, 10));
  const stop = new AbortController();
  const it = readLogs(file, { stdout: true, stderr: true, follow: true, signal: stop.signal })[Symbol.asyncIterator]();
  assert.equal((await it.next()).value?.line.toString(), 'first\n');
  const pending = it.next(); // the reader has read the torn line and is waiting for more
  await new Promise((r) => setTimeout(r, 50));
  fs.appendFileSync(file, full.slice(10) + entry('after\n'));
  assert.equal((await pending).value?.line.toString(), 'complete me\n');
  assert.equal((await it.next()).value?.line.toString(), 'after\n');
  stop.abort();
  assert.equal((await it.next()).done, true);
});

/** Rotates like berth-monitor: PATH.(max-2) → PATH.(max-1) … PATH → PATH.1, then a new PATH. */
function rotate(file: string, maxFiles: number) {
  for (let i = maxFiles - 1; i > 1; i--) {
    if (fs.existsSync(`${file}.${i - 1}`)) fs.renameSync(`${file}.${i - 1}`, `${file}.${i}`);
  }
  fs.renameSync(file, `${file}.1`);
  fs.writeFileSync(file, '');
}

test('following across rotations: no line lost or repeated, and abort ends after what is written', async () => {
  const file = newLog();
  fs.writeFileSync(file, '');
  const stop = new AbortController();
  const seen: number[] = [];
  const reader = (async () => {
    for await (const e of readLogs(file, { stdout: true, stderr: true, follow: true, signal: stop.signal })) {
      seen.push(Number(e.line.toString().split(' ')[1]));
    }
  })();
  const total = 400;
  for (let i = 0; i < total; i++) {
    fs.appendFileSync(file, lineN(i));
    if (i % 7 === 6) rotate(file, 1000);
    // Interleave with the reader at varying points: mid-file, just after a rotation, several rotations apart.
    if (i % 5 === 0) await tick();
    if (i % 50 === 0) await new Promise((r) => setTimeout(r, 5));
  }
  stop.abort();
  await reader;
  assert.deepEqual(seen, Array.from({ length: total }, (_, i) => i));
});

test('following a log truncated in place (max-file 1) starts over at its beginning', async () => {
  const file = newLog();
  fs.writeFileSync(file, lineN(1) + lineN(2));
  const stop = new AbortController();
  const it = readLogs(file, { stdout: true, stderr: true, follow: true, signal: stop.signal })[Symbol.asyncIterator]();
  assert.equal((await it.next()).value?.line.toString(), 'line 1\n');
  assert.equal((await it.next()).value?.line.toString(), 'line 2\n');
  const pending = it.next();
  await new Promise((r) => setTimeout(r, 50));
  fs.truncateSync(file, 0);
  fs.appendFileSync(file, lineN(3));
  assert.equal((await pending).value?.line.toString(), 'line 3\n');
  stop.abort();
  assert.equal((await it.next()).done, true);
});

test('following a log that does not exist yet; until ends the follow by itself', async () => {
  const file = newLog();
  const until = Date.now() / 1000 + 0.5;
  const got = read(file, { follow: true, until });
  await new Promise((r) => setTimeout(r, 50));
  const now = new Date().toISOString().replace('Z', '000000Z');
  fs.writeFileSync(file, entry('early\n', 'stdout', now));
  // No entry past `until` arrives: the reader ends once the clock passes it.
  assert.deepEqual(texts(await got), ['early\n']);
});
