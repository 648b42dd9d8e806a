// Detach keys against a real `berth daemon`: with a TTY, the sequence typed on an attached client's stdin ends the
// session and leaves the container running with its stdin open (a later attach still talks to the same shell);
// the keys never reach the container; `detachKeys` chooses the sequence and a bad one is refused; the real docker
// CLI under a pseudo-terminal (script(1)) detaches from `docker run -it` with ctrl-p ctrl-q.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { spawn } from 'node:child_process';
import { EngineDaemon, DOCKER, BERTH } from '../fixtures/engine-daemon.js';

if (process.getuid?.() !== 0) throw new Error('engine interop tests need root');

let d: EngineDaemon;
before(async () => {
  d = await EngineDaemon.start();
});
after(async () => {
  if (d) assert.deepEqual(await d.stop(), []);
});

async function ok(args: string[]): Promise<string> {
  const r = await d.docker(args);
  assert.equal(r.status, 0, `docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** A hijacked attach (stdin, stdout) to a running container; `closed` resolves when the daemon ends it. */
function attach(id: string, detachKeys?: string): Promise<{ sock: Duplex; output: () => string; closed: Promise<void> }> {
  const q = `stream=1&stdin=1&stdout=1&stderr=1${detachKeys ? `&detachKeys=${encodeURIComponent(detachKeys)}` : ''}`;
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: d.socket, method: 'POST', path: `/v1.47/containers/${id}/attach?${q}`, headers: { Connection: 'Upgrade', Upgrade: 'tcp' } });
    req.on('upgrade', (_res, sock) => {
      let out = '';
      sock.on('data', (c: Buffer) => (out += c.toString()));
      const closed = new Promise<void>((r) => sock.once('close', () => r()));
      resolve({ sock, output: () => out, closed });
    });
    req.on('response', (res) => reject(new Error(`attach answered ${res.statusCode} instead of upgrading`)));
    req.on('error', reject);
    req.end();
  });
}

async function until(what: string, cond: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail(`timed out waiting for ${what}`);
}

const running = async (name: string) => (await ok(['inspect', '-f', '{{.State.Running}}', name])).trim() === 'true';

test('a TTY attach detaches on its sequence; the container and its shell keep running; the keys never reach it', { timeout: 60_000 }, async () => {
  await ok(['run', '-d', '-it', '--name', 'det-tty', 'busybox', 'sh']);
  try {
    const a = await attach('det-tty', 'a,b');
    a.sock.write('echo first-$((6*7))\r');
    await until('the shell answers', () => a.output().includes('first-42'));
    // `a` then something else is not the sequence: both go through.
    a.sock.write('echo xaz\r');
    await until('the broken sequence reaches the shell', () => a.output().includes('\r\nxaz\r\n'));
    a.sock.write('ab');
    await a.closed;
    assert.equal(await running('det-tty'), true, 'the container stopped on detach');
    // The same shell is still there with its stdin open: a new session talks to it.
    const b = await attach('det-tty');
    b.sock.write('echo again-$((6*7))\r');
    await until('the shell answers again', () => b.output().includes('again-42'));
    b.sock.write('\x10\x11'); // the default sequence: ctrl-p ctrl-q
    await b.closed;
    assert.equal(await running('det-tty'), true);
    const logs = await ok(['logs', 'det-tty']);
    assert.match(logs, /\r\nxaz\r\n/, 'a broken sequence is forwarded');
    assert.doesNotMatch(logs, /\x10|\x11|ab/, 'the detach keys never reached the container');
  } finally {
    await ok(['rm', '-f', 'det-tty']);
  }
});

test('without a TTY there are no detach keys; a bad sequence is refused with 400', async () => {
  await ok(['run', '-d', '-i', '--name', 'det-notty', 'busybox', 'cat']);
  try {
    const a = await attach('det-notty');
    a.sock.write('\x10\x11');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(a.sock.destroyed, false, 'a non-TTY attach must not detach');
    a.sock.destroy();
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request({ socketPath: d.socket, method: 'POST', path: '/v1.47/containers/det-notty/attach?stream=1&stdin=1&detachKeys=ctrl-%21' }, (res) => { res.resume(); resolve(res.statusCode!); });
      req.on('error', reject);
      req.end();
    });
    assert.equal(status, 400);
  } finally {
    await ok(['rm', '-f', 'det-notty']);
  }
});

for (const [cli, keys, typed] of [['docker', '', '\x10\x11'], ['berth', '--detach-keys ctrl-x,x ', '\x18x']] as const) {
test(`the ${cli} CLI under a pseudo-terminal: its detach keys detach \`${cli} run -it\` and the container keeps running`, { timeout: 60_000 }, async () => {
  const command = cli === 'docker' ? `${DOCKER} run -it --name det-cli busybox sh` : `${process.execPath} ${BERTH} run -it ${keys}--name det-cli busybox sh`;
  const env = cli === 'docker' ? d.dockerEnv() : { ...d.berthEnv(), BERTH_SOCKET: d.socket, BERTH_NO_AUTOSTART: '1' };
  const child = spawn('script', ['-qfec', command, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  try {
    await until('the container runs', async () => (await d.docker(['inspect', '-f', '{{.State.Running}}', 'det-cli'])).stdout.trim() === 'true');
    child.stdin.write('echo cli-$((6*7))\r');
    await until('the shell answers through the CLI', () => out.includes('cli-42'));
    child.stdin.write(typed);
    const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('still attached after 10 s'), 10_000))]);
    assert.equal(code, 0, `the CLI did not detach:\n${out}`);
    assert.equal(await running('det-cli'), true);
  } finally {
    child.kill('SIGKILL');
    await d.docker(['rm', '-f', 'det-cli']);
  }
});
}
