// downloadBlob with a consumer (unpack while downloading), against a scripted repository: the consumer
// gets every byte exactly once across a dropped connection and a server that ignores Range; its result
// counts only after the digest was verified; its failure stops the download and keeps the partial data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ImageContext } from '../../../../src/image/context.js';
import { openContentStore } from '../../../../src/image/content/local-store.js';
import type { Digest } from '../../../../src/image/digest.js';
import { ImageError, isImageError } from '../../../../src/image/errors.js';
import type { ProgressEvent } from '../../../../src/image/progress/events.js';
import type { BlobStream, RepositoryClient } from '../../../../src/image/registry/types.js';
import { downloadBlob } from '../../../../src/image/ops/download-blob.js';

const blob = randomBytes(3 << 20);
const digest = `sha256:${createHash('sha256').update(blob).digest('hex')}` as Digest;
const desc = { mediaType: 'application/octet-stream', digest, size: blob.length };

type Behaviour = (offset: number, call: number) => { from: number; chunks: Buffer[]; failAfter?: number };

/** A repository whose getBlob serves `blob` as the behaviour says (possibly failing part-way). */
function scriptedRepo(behave: Behaviour, data = blob): RepositoryClient & { calls: number[] } {
  const calls: number[] = [];
  const repo = {
    calls,
    registry: 'test.invalid',
    repository: 'x/y',
    async getBlob(_d: Digest, options: { offset?: number } = {}): Promise<BlobStream> {
      const offset = options.offset ?? 0;
      calls.push(offset);
      const { from, chunks, failAfter } = behave(offset, calls.length);
      async function* body() {
        let sent = 0;
        for (const c of chunks) {
          if (failAfter !== undefined && sent >= failAfter) throw new ImageError('connection reset by peer', 'Unavailable');
          sent += c.length;
          yield c;
        }
      }
      void data;
      return { offset: from, stream: Readable.from(body()) };
    },
  };
  return repo as unknown as RepositoryClient & { calls: number[] };
}

const pieces = (b: Buffer, size = 64 * 1024): Buffer[] => {
  const out: Buffer[] = [];
  for (let i = 0; i < b.length; i += size) out.push(b.subarray(i, i + size));
  return out;
};

async function collect(input: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of input) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

function withCtx(fn: (ctx: ImageContext, root: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-dl-'));
    try {
      await fn({ content: openContentStore(root) } as ImageContext, root);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  };
}

test('the consumer gets the blob once, in order, across a dropped connection; the store has it', withCtx(async (ctx) => {
  const repo = scriptedRepo((offset, call) => call === 1
    ? { from: 0, chunks: pieces(blob), failAfter: 1_500_000 }
    : { from: offset, chunks: pieces(blob.subarray(offset)) });
  const events: ProgressEvent[] = [];
  const got = await downloadBlob(ctx, repo, desc, (e) => events.push(e), { consume: collect });
  assert.ok(got.consumed!.equals(blob));
  assert.equal(repo.calls.length, 2);
  assert.ok(repo.calls[1]! > 0 && repo.calls[1]! <= 1_500_000 + 65_536, `resumed with Range from what reached the store (${repo.calls[1]})`);
  assert.ok((await ctx.content.readAll(digest, 8 << 20)).equals(blob));
  assert.ok(events.some((e) => e.status.startsWith('Retrying after')));
  assert.equal(events.at(-1)!.status, 'Download complete');
}));

test('a server that ignores Range: the store starts over, the consumer skips what it already had', withCtx(async (ctx) => {
  const repo = scriptedRepo((_offset, call) => call === 1
    ? { from: 0, chunks: pieces(blob), failAfter: 2_000_000 }
    : { from: 0, chunks: pieces(blob, 50_000) });
  const got = await downloadBlob(ctx, repo, desc, () => {}, { consume: collect });
  assert.ok(got.consumed!.equals(blob));
  assert.ok(await ctx.content.has(digest));
}));

test('wrong bytes: DataLoss, the consumer is stopped and its result never used', withCtx(async (ctx) => {
  const evil = Buffer.from(blob);
  evil[evil.length - 1] ^= 1;
  const repo = scriptedRepo(() => ({ from: 0, chunks: pieces(evil) }));
  let consumerSaw: unknown;
  await assert.rejects(
    downloadBlob(ctx, repo, desc, () => {}, { consume: async (input) => collect(input).catch((e: unknown) => { consumerSaw = e; throw e; }) }),
    (e) => isImageError(e, 'DataLoss') && e.message.includes(digest),
  );
  assert.ok(isImageError(consumerSaw, 'DataLoss'), 'the consumer learns the blob was wrong');
  assert.equal(await ctx.content.has(digest), false);
  assert.deepEqual(await ctx.content.ingests(), [], 'wrong bytes are not kept for a resume');
}));

test('a failing consumer stops the download with its own error; what arrived stays for a resume', withCtx(async (ctx) => {
  const repo = scriptedRepo(() => ({ from: 0, chunks: pieces(blob) }));
  const refused = new ImageError('layer entry "evil": refused', 'InvalidArgument');
  await assert.rejects(
    downloadBlob(ctx, repo, desc, () => {}, {
      consume: async (input) => {
        for await (const _ of input) throw refused;
        return 0;
      },
    }),
    (e) => e === refused,
  );
  assert.equal(await ctx.content.has(digest), false);
  const [partial] = await ctx.content.ingests();
  assert.equal(partial?.digest, digest);
  // The next attempt resumes (no consumer then: the layer is unpacked from the store afterwards).
  const again = scriptedRepo((offset) => ({ from: offset, chunks: pieces(blob.subarray(offset)) }));
  const got = await downloadBlob(ctx, again, desc, () => {}, { consume: collect });
  assert.equal(got.consumed, undefined, 'a resumed download is not streamed to a consumer');
  assert.deepEqual(again.calls, [partial!.offset]);
  assert.ok(await ctx.content.has(digest));
}));

test('an aborted download stops with the abort reason and is not retried', withCtx(async (ctx) => {
  const stop = new AbortController();
  const reason = new Error('another layer failed');
  const repo = scriptedRepo(() => ({ from: 0, chunks: pieces(blob) }));
  await assert.rejects(
    downloadBlob(ctx, repo, desc, () => {}, {
      signal: stop.signal,
      consume: async (input) => {
        let n = 0;
        for await (const c of input) {
          n += (c as Buffer).length;
          if (n > 500_000) stop.abort(reason);
        }
        return n;
      },
    }),
    (e) => e === reason,
  );
  assert.equal(repo.calls.length, 1);
}));
