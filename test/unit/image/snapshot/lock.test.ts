import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ownerAlive, ownerToken, withLock } from '../../../../src/image/snapshot/lock.js';
import { isImageError } from '../../../../src/image/errors.js';

const LOCK_JS = fileURLToPath(new URL('../../../../src/image/snapshot/lock.js', import.meta.url));

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-lock-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

// Each process does read-yield-write increments; without mutual exclusion across processes updates get lost.
const WORKER = `
import fs from 'node:fs/promises';
const { withLock } = await import(process.argv[1]);
const [lock, counter, n] = process.argv.slice(2);
for (let i = 0; i < Number(n); i++) {
  await withLock(lock, async () => {
    const v = Number(await fs.readFile(counter, 'utf8'));
    await new Promise((r) => setTimeout(r, 1));
    await fs.writeFile(counter, String(v + 1));
  });
}
`;

test('the lock excludes other processes: no increment is lost', async (t) => {
  const dir = tempDir(t);
  const lock = path.join(dir, 'lock');
  const counter = path.join(dir, 'counter');
  fs.writeFileSync(counter, '0');
  const procs = Array.from({ length: 4 }, () => spawn(process.execPath, ['--input-type=module', '-e', WORKER, LOCK_JS, lock, counter, '25'], { stdio: 'inherit' }));
  const codes = await Promise.all(procs.map((p) => new Promise((r) => p.on('exit', r))));
  assert.deepEqual(codes, [0, 0, 0, 0]);
  assert.equal(fs.readFileSync(counter, 'utf8'), '100');
  assert.deepEqual(fs.readdirSync(dir).sort(), ['counter']);
});

test('callers in one process queue, and the lock is released when fn throws', async (t) => {
  const lock = path.join(tempDir(t), 'lock');
  const order: string[] = [];
  const a = withLock(lock, async () => { order.push('a+'); await new Promise((r) => setTimeout(r, 5)); order.push('a-'); throw new Error('boom'); });
  const b = withLock(lock, async () => { order.push('b+'); order.push('b-'); return 42; });
  await assert.rejects(a, /boom/);
  assert.equal(await b, 42);
  assert.deepEqual(order, ['a+', 'a-', 'b+', 'b-']);
  assert.equal(fs.existsSync(lock), false);
});

test('a lock left by a dead process (or a reused pid) is taken over', async (t) => {
  const dir = tempDir(t);
  const lock = path.join(dir, 'lock');
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  const deadPid = Number(child.stdout);
  fs.writeFileSync(lock, `${deadPid} 12345\n`);
  assert.equal(await withLock(lock, async () => fs.readFileSync(lock, 'utf8').trim()), ownerToken());
  // Our own pid with another start time: the pid was reused, the owner is gone.
  fs.writeFileSync(lock, `${process.pid} 1\n`);
  assert.equal(await withLock(lock, async () => 'taken'), 'taken');
  assert.deepEqual(fs.readdirSync(dir), []);
});

test('a live holder makes waiters time out with Unavailable naming the pid and file', async (t) => {
  const lock = path.join(tempDir(t), 'lock');
  const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  t.after(() => holder.kill('SIGKILL'));
  await new Promise((r) => holder.once('spawn', r));
  let token: string | undefined;
  while (!(token = ownerToken(holder.pid!))) await new Promise((r) => setTimeout(r, 5));
  assert.ok(ownerAlive(token));
  fs.writeFileSync(lock, `${token}\n`);
  await assert.rejects(withLock(lock, async () => 'never', { timeoutMs: 30 }),
    (e) => isImageError(e, 'Unavailable') && e.message.includes(`process ${holder.pid}`) && e.message.includes(lock));
  assert.equal(fs.readFileSync(lock, 'utf8').trim(), token);
});
