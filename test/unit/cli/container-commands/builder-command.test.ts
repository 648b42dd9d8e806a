// `berth builder prune`: the request docker's CLI sends (POST /build/prune, all, filters) and its output, from
// canned daemon answers; the prompt, and "no" sending nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { builderCommand } from '../../../../src/cli/container-commands/builder-command.js';
import type { CommandContext } from '../../../../src/cli/container-commands/context.js';
import type { EngineClient } from '../../../../src/engine/client/index.js';

function fakeContext(answer: unknown, stdinText = ''): { ctx: CommandContext; out: () => string; err: () => string; calls: unknown[][] } {
  let out = '';
  let err = '';
  const calls: unknown[][] = [];
  const stdin = new PassThrough();
  stdin.end(stdinText);
  const sink = (write: (s: string) => void) => ({ write: (s: string) => (write(s), true) }) as unknown as NodeJS.WriteStream;
  const client = { json: async (...args: unknown[]) => (calls.push(args), answer) } as unknown as EngineClient;
  const ctx: CommandContext = {
    io: { stdin: stdin as unknown as NodeJS.ReadStream, stdout: sink((s) => (out += s)), stderr: sink((s) => (err += s)) },
    env: {},
    cwd: '/',
    client: async () => client,
  };
  return { ctx, out: () => out, err: () => err, calls };
}

test('builder prune -a -f: POST /build/prune?all, then docker\'s list of deleted objects and the reclaimed space', async () => {
  const f = fakeContext({ CachesDeleted: ['k1', 'sha256:abc'], SpaceReclaimed: 1536 });
  assert.equal(await builderCommand(['prune', '-a', '-f'], f.ctx), 0);
  assert.deepEqual(f.calls, [['POST', '/build/prune', { query: { all: true, filters: undefined } }]]);
  assert.equal(f.out(), 'Deleted build cache objects:\nk1\nsha256:abc\n\nTotal reclaimed space: 1.536kB\n');
});

test('builder prune --filter: the filters parameter; nothing deleted prints the total only', async () => {
  const f = fakeContext({ CachesDeleted: null, SpaceReclaimed: 0 });
  assert.equal(await builderCommand(['prune', '-f', '--filter', 'until=24h'], f.ctx), 0);
  assert.deepEqual(f.calls, [['POST', '/build/prune', { query: { all: undefined, filters: '{"until":{"24h":true}}' } }]]);
  assert.equal(f.out(), 'Total reclaimed space: 0B\n');
});

test('builder prune asks first; "n" sends nothing; unknown subcommands fail with the usage', async () => {
  const no = fakeContext({}, 'n\n');
  assert.equal(await builderCommand(['prune'], no.ctx), 0);
  assert.equal(no.calls.length, 0);
  assert.match(no.out(), /^WARNING! This will remove all dangling build cache\.\nAre you sure you want to continue\? \[y\/N\] $/);
  const yes = fakeContext({ CachesDeleted: [], SpaceReclaimed: 0 }, 'y\n');
  assert.equal(await builderCommand(['prune', '--all'], yes.ctx), 0);
  assert.match(yes.out(), /^WARNING! This will remove all build cache\./);
  assert.equal(yes.calls.length, 1);
  const bad = fakeContext({});
  assert.equal(await builderCommand(['ls'], bad.ctx), 1);
  assert.match(bad.err(), /berth builder: unknown command "ls"[\s\S]*prune/);
});
