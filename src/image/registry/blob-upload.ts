// Blob uploads: skip what the registry has, mount across repositories when possible, else upload
// monolithically (POST, then PUT ?digest= with the body) or in chunks (PATCH with Content-Range, then PUT).
// A failed upload is restarted from the beginning (a new session) a few times.
import type { IncomingMessage } from 'node:http';
import { Transform, type Readable } from 'node:stream';
import { parseDigest, type Digest } from '../digest.js';
import { ImageError } from '../errors.js';
import { repositoryScope } from './auth.js';
import { isTransient } from './error-response.js';
import { drain, headerValue, responseUrl } from './http-transport.js';
import { blobSubject, hasBlob } from './blob-read.js';
import type { RepoContext } from './manifest-ops.js';
import { backoffDelay, type RetryPolicy } from './retry.js';
import type { PushProgress } from './types.js';

export interface UploadOptions {
  mountFrom?: string;
  chunkSize?: number;
  onProgress?: PushProgress;
}

/** Uploads one blob; says whether it was already there, mounted, or uploaded. */
export async function pushBlob(
  ctx: RepoContext,
  policy: RetryPolicy,
  desc: { digest: Digest; size: number },
  open: () => Readable,
  options: UploadOptions = {},
): Promise<'exists' | 'mounted' | 'uploaded'> {
  parseDigest(desc.digest, 'blob digest');
  if (options.chunkSize !== undefined && !(Number.isInteger(options.chunkSize) && options.chunkSize > 0)) {
    throw new ImageError(`${blobSubject(ctx, desc.digest)}: chunk size must be a positive integer, not ${options.chunkSize}`, 'InvalidArgument');
  }
  if ((await hasBlob(ctx, desc.digest)) !== null) {
    options.onProgress?.(desc.size);
    return 'exists';
  }
  for (let attempt = 0; ; attempt++) {
    try {
      return await uploadOnce(ctx, desc, open, options);
    } catch (e) {
      if (!isTransient(e) || attempt >= policy.retries) throw e;
      await new Promise((r) => setTimeout(r, backoffDelay(attempt, policy)));
    }
  }
}

async function uploadOnce(ctx: RepoContext, desc: { digest: Digest; size: number }, open: () => Readable, options: UploadOptions): Promise<'mounted' | 'uploaded'> {
  const subject = blobSubject(ctx, desc.digest);
  const base = { subject, actions: 'push', scopes: ctx.scopes };
  let start: IncomingMessage;
  const from = options.mountFrom && options.mountFrom !== ctx.repository ? options.mountFrom : undefined;
  if (from) {
    const q = new URLSearchParams({ mount: desc.digest, from });
    start = await ctx.session.send({
      ...base,
      method: 'POST',
      target: `/v2/${ctx.repository}/blobs/uploads/?${q}`,
      scopes: [...ctx.scopes, repositoryScope(from, ['pull'])],
      idempotent: true,
      accept: [201, 202],
    });
    if (start.statusCode === 201) {
      drain(start);
      options.onProgress?.(desc.size);
      return 'mounted';
    }
  } else {
    start = await ctx.session.send({ ...base, method: 'POST', target: `/v2/${ctx.repository}/blobs/uploads/`, idempotent: true, accept: [202] });
  }
  drain(start);
  let location = uploadLocation(start, subject);

  if (options.chunkSize) {
    let offset = 0;
    for await (const chunk of chunks(open(), options.chunkSize, desc, subject)) {
      const res = await ctx.session.send({
        ...base,
        method: 'PATCH',
        target: location,
        headers: {
          'Content-Type': 'application/octet-stream',
          'Content-Range': `${offset}-${offset + chunk.length - 1}`,
          'Content-Length': String(chunk.length),
        },
        body: chunk,
        idempotent: false,
        accept: [202],
      });
      drain(res);
      location = uploadLocation(res, subject);
      offset += chunk.length;
      options.onProgress?.(offset);
    }
    await finish(ctx, location, desc, base, undefined);
  } else {
    await finish(ctx, location, desc, base, () => counted(open(), desc, subject, options.onProgress));
  }
  return 'uploaded';
}

/** The closing PUT ?digest=, with the body (monolithic) or empty (after chunks); checks the digest. */
async function finish(
  ctx: RepoContext,
  location: URL,
  desc: { digest: Digest; size: number },
  base: { subject: string; actions: string; scopes: string[] },
  body: (() => Readable) | undefined,
): Promise<void> {
  const target = new URL(location);
  target.searchParams.set('digest', desc.digest);
  const res = await ctx.session.send({
    ...base,
    method: 'PUT',
    target,
    headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(body ? desc.size : 0) },
    ...(body ? { body } : {}),
    idempotent: false,
    accept: [201, 204],
  });
  drain(res);
  const stored = headerValue(res, 'docker-content-digest');
  if (stored && stored !== desc.digest) {
    throw new ImageError(`${base.subject}: the registry stored the upload as ${stored}`, 'DataLoss');
  }
}

function uploadLocation(res: IncomingMessage, subject: string): URL {
  const loc = headerValue(res, 'location');
  if (!loc) throw new ImageError(`${subject}: the registry started an upload without a Location header`, 'Internal');
  return new URL(loc, responseUrl(res));
}

/** The blob's bytes passed through, counted for progress and checked against the expected size. */
function counted(src: Readable, desc: { size: number }, subject: string, onProgress?: PushProgress): Readable {
  let sent = 0;
  const t = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      sent += chunk.length;
      if (sent > desc.size) return cb(sizeMismatch(subject, `more than ${desc.size}`, desc.size));
      onProgress?.(sent);
      cb(null, chunk);
    },
    flush(cb) {
      cb(sent === desc.size ? null : sizeMismatch(subject, String(sent), desc.size));
    },
  });
  src.on('error', (e) => t.destroy(e));
  return src.pipe(t);
}

/** Yields the stream in buffers of `size` bytes (the last may be shorter), checking the total. */
async function* chunks(src: Readable, size: number, desc: { size: number }, subject: string): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let pendingLen = 0;
  let total = 0;
  try {
    for await (const c of src) {
      let buf = c as Buffer;
      total += buf.length;
      if (total > desc.size) throw sizeMismatch(subject, `more than ${desc.size}`, desc.size);
      while (pendingLen + buf.length >= size) {
        const take = size - pendingLen;
        pending.push(buf.subarray(0, take));
        yield Buffer.concat(pending);
        pending = [];
        pendingLen = 0;
        buf = buf.subarray(take);
      }
      if (buf.length) {
        pending.push(buf);
        pendingLen += buf.length;
      }
    }
  } finally {
    src.destroy();
  }
  if (total !== desc.size) throw sizeMismatch(subject, String(total), desc.size);
  if (pendingLen) yield Buffer.concat(pending);
}

function sizeMismatch(subject: string, got: string, want: number): ImageError {
  return new ImageError(`${subject}: the local blob has ${got} bytes, but ${want} were declared — refusing to upload it`, 'DataLoss');
}
