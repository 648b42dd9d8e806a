// The FileWriters: the worker-thread pool and the inline writer create the same files (content, mode,
// times, symlinks, replacing what is there), report failures per job, bound what is queued, and the pool
// serves a lower layer's channel before a higher one's backlog.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { FileWriterPool } from '../../../../src/image/unpack/file-writer-pool.js';
import { inlineFileWriter, type FileWriter } from '../../../../src/image/unpack/file-writer.js';
import { ME } from '../../../fixtures/layer-tars.js';

function withDir(fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-files-'));
    try {
      await fn(dir);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };
}

const BIG = randomBytes(3 * 1024 * 1024 + 17);
const meta = (mode: number, mtime = 1_500_000_000) => ({ mode, uid: ME.uid, gid: ME.gid, mtime });

/** Runs the same writes through a writer; returns what is on disk. */
async function scenario(dir: string, w: FileWriter): Promise<Record<string, string>> {
  fs.mkdirSync(path.join(dir, 'd'));
  fs.writeFileSync(path.join(dir, 'd/old-file'), 'old');
  fs.mkdirSync(path.join(dir, 'd/old-dir/sub'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'd/old-dir/sub/x'), 'x');
  const big = BIG;
  const jobs: Promise<void>[] = [];
  jobs.push(w.writeFile(path.join(dir, 'd/empty'), meta(0o600), []));
  // A body in several pieces, views into a larger buffer (as tar bodies are views into decompressed chunks).
  const shared = Buffer.from('xxhello, world!yy');
  jobs.push(w.writeFile(path.join(dir, 'd/pieces'), meta(0o640), [shared.subarray(2, 8), shared.subarray(8, 15)]));
  jobs.push(w.writeFile(path.join(dir, 'd/old-file'), meta(0o755), [Buffer.from('new')]));
  jobs.push(w.writeFile(path.join(dir, 'd/old-dir'), meta(0o644), [Buffer.from('was a directory')]));
  jobs.push(w.writeFile(path.join(dir, 'd/sticky'), meta(0o1755), [Buffer.from('s')]));
  const stream = w.openFile(path.join(dir, 'd/big'), meta(0o644, 1_234_567_890));
  for (let off = 0; off < big.length; off += 100_000) stream.write(big.subarray(off, off + 100_000));
  jobs.push(stream.end());
  jobs.push(w.symlink(path.join(dir, 'd/link'), '../elsewhere', { uid: ME.uid, gid: ME.gid, mtime: 1_400_000_000 }));
  jobs.push(w.symlink(path.join(dir, 'd/old-file-2'), 'target', { uid: ME.uid, gid: ME.gid, mtime: 1_400_000_000 }));
  await Promise.all(jobs);
  const out: Record<string, string> = {};
  for (const name of fs.readdirSync(path.join(dir, 'd')).sort()) {
    const abs = path.join(dir, 'd', name);
    const st = fs.lstatSync(abs);
    const what = st.isSymbolicLink() ? `-> ${fs.readlinkSync(abs)}` : st.isFile() ? `${st.size} ${fs.readFileSync(abs).subarray(0, 16).toString('hex')}` : 'dir';
    out[name] = `${(st.mode & 0o7777).toString(8)} ${Math.floor(st.mtimeMs / 1000)} ${what}`;
  }
  assert.ok(fs.readFileSync(path.join(dir, 'd/big')).equals(big), 'a streamed file arrives whole and in order');
  return out;
}

test('pool and inline writer produce the same files, replacing a file and an untracked directory', withDir(async (dir) => {
  const pool = new FileWriterPool({ threads: 2 });
  try {
    fs.mkdirSync(path.join(dir, 'a'));
    fs.mkdirSync(path.join(dir, 'b'));
    const viaPool = await scenario(path.join(dir, 'a'), pool.channel());
    const inline = await scenario(path.join(dir, 'b'), inlineFileWriter());
    assert.deepEqual(viaPool, inline);
    assert.equal(viaPool['pieces'], `640 1500000000 13 ${Buffer.from('hello, world!').toString('hex')}`);
    assert.equal(viaPool['old-file'], `755 1500000000 3 ${Buffer.from('new').toString('hex')}`);
    assert.match(viaPool['old-dir']!, /^644 1500000000 15 /);
    assert.match(viaPool['sticky']!, /^1755 /);
    assert.equal(viaPool['empty'], '600 1500000000 0 ');
    assert.match(viaPool['big']!, /^644 1234567890 3145745 /);
    assert.match(viaPool['link']!, /1400000000 -> \.\.\/elsewhere$/);
  } finally {
    await pool.close();
  }
}));

test('a failing job rejects with the errno; the other jobs of the batch still land', withDir(async (dir) => {
  const pool = new FileWriterPool({ threads: 1 });
  try {
    const ch = pool.channel();
    const bad = ch.writeFile(path.join(dir, 'missing-dir/f'), meta(0o644), [Buffer.from('x')]);
    const good = ch.writeFile(path.join(dir, 'ok'), meta(0o644), [Buffer.from('fine')]);
    const badStream = ch.openFile(path.join(dir, 'missing-dir/big'), meta(0o644));
    badStream.write(Buffer.alloc(10));
    await assert.rejects(bad, (e: NodeJS.ErrnoException) => e.code === 'ENOENT' && e.syscall === 'open' && /missing-dir\/f/.test(e.message));
    await assert.rejects(badStream.end(), (e: NodeJS.ErrnoException) => e.code === 'ENOENT');
    await good;
    assert.equal(fs.readFileSync(path.join(dir, 'ok'), 'utf8'), 'fine');
    // A symlink never follows what is there: an existing link is replaced, its target untouched.
    fs.writeFileSync(path.join(dir, 'target'), 'keep');
    fs.symlinkSync('target', path.join(dir, 'lnk'));
    await ch.writeFile(path.join(dir, 'lnk'), meta(0o644), [Buffer.from('replaced')]);
    assert.equal(fs.readFileSync(path.join(dir, 'target'), 'utf8'), 'keep');
    assert.equal(fs.readFileSync(path.join(dir, 'lnk'), 'utf8'), 'replaced');
    assert.ok(!fs.lstatSync(path.join(dir, 'lnk')).isSymbolicLink());
  } finally {
    await pool.close();
  }
}));

test('ready() holds a channel back once its queued bytes pass the limit, and lets it go on', withDir(async (dir) => {
  const pool = new FileWriterPool({ threads: 1, maxQueued: 256 * 1024 });
  try {
    const ch = pool.channel();
    const jobs: Promise<void>[] = [];
    let waited = 0;
    for (let i = 0; i < 40; i++) {
      const room = ch.ready();
      if (room) {
        waited++;
        await room;
      }
      jobs.push(ch.writeFile(path.join(dir, `f${i}`), meta(0o644), [Buffer.alloc(100 * 1024, i)]));
    }
    await Promise.all(jobs);
    assert.ok(waited > 0, 'the channel had to wait');
    assert.equal(fs.readdirSync(dir).length, 40);
    assert.equal(fs.readFileSync(path.join(dir, 'f39'))[0], 39);
  } finally {
    await pool.close();
  }
}));

test('a lower layer (channel priority) overtakes a higher one\'s backlog', withDir(async (dir) => {
  const pool = new FileWriterPool({ threads: 1 });
  try {
    fs.mkdirSync(path.join(dir, 'hi'));
    fs.mkdirSync(path.join(dir, 'lo'));
    const order: string[] = [];
    const high = pool.channel(3);
    const low = pool.channel(0);
    const jobs: Promise<void>[] = [];
    for (let i = 0; i < 600; i++) jobs.push(high.writeFile(path.join(dir, `hi/f${i}`), meta(0o644), [Buffer.from('h')]).then(() => void order.push('high')));
    for (let i = 0; i < 10; i++) jobs.push(low.writeFile(path.join(dir, `lo/f${i}`), meta(0o644), [Buffer.from('l')]).then(() => void order.push('low')));
    await Promise.all(jobs);
    const lastLow = order.lastIndexOf('low');
    assert.ok(lastLow < 300, `the low channel's files were written early (last at ${lastLow} of ${order.length})`);
  } finally {
    await pool.close();
  }
}));
