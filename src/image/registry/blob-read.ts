// Blob reads: HEAD for existence and size, GET following redirects, resuming from a byte with Range.
import { parseDigest, type Digest } from '../digest.js';
import { ImageError } from '../errors.js';
import { drain, guardedBody, headerValue } from './http-transport.js';
import type { RepoContext } from './manifest-ops.js';
import type { BlobReadOptions, BlobStream } from './types.js';

/** `registry/repo@digest`, for messages. */
export function blobSubject(ctx: RepoContext, digest: string): string {
  return `${ctx.session.registry}/${ctx.repository}@${digest}`;
}

/** The blob's size when the registry has it in this repository, else null. */
export async function hasBlob(ctx: RepoContext, digest: Digest): Promise<number | null> {
  parseDigest(digest, 'blob digest');
  const res = await ctx.session.send({
    method: 'HEAD',
    target: `/v2/${ctx.repository}/blobs/${digest}`,
    scopes: ctx.scopes,
    subject: blobSubject(ctx, digest),
    actions: 'pull',
    idempotent: true,
    followRedirects: true,
    accept: [200, 404],
  });
  drain(res);
  if (res.statusCode === 404) return null;
  const size = Number(headerValue(res, 'content-length'));
  return Number.isFinite(size) ? size : 0;
}

/** A stream of the blob from `offset` (Range); a server that ignores Range yields offset 0. */
export async function getBlob(ctx: RepoContext, digest: Digest, options: BlobReadOptions = {}): Promise<BlobStream> {
  parseDigest(digest, 'blob digest');
  const subject = blobSubject(ctx, digest);
  const offset = options.offset ?? 0;
  if (!Number.isInteger(offset) || offset < 0) throw new ImageError(`${subject}: invalid resume offset ${offset}`, 'InvalidArgument');
  const res = await ctx.session.send({
    method: 'GET',
    target: `/v2/${ctx.repository}/blobs/${digest}`,
    headers: offset > 0 ? { Range: `bytes=${offset}-` } : {},
    scopes: ctx.scopes,
    subject,
    actions: 'pull',
    idempotent: true,
    followRedirects: true,
    accept: [200, 206, 416],
  });
  if (res.statusCode === 416) {
    drain(res);
    throw new ImageError(`${subject}: the registry cannot resume at byte ${offset} (range not satisfiable) — the offset is past the blob's end`, 'InvalidArgument');
  }
  if (res.statusCode === 206) {
    const m = /^bytes\s+(\d+)-(\d+)\/(\d+|\*)$/.exec(headerValue(res, 'content-range') ?? '');
    if (!m || Number(m[1]) !== offset) {
      res.destroy();
      throw new ImageError(`${subject}: asked to resume at byte ${offset} but the registry sent range "${headerValue(res, 'content-range') ?? ''}"`, 'DataLoss');
    }
    const stream = guardedBody(res, subject);
    return m[3] === '*' ? { offset, stream } : { offset, size: Number(m[3]), stream };
  }
  const stream = guardedBody(res, subject);
  const length = headerValue(res, 'content-length');
  return length !== undefined && Number.isFinite(Number(length)) ? { offset: 0, size: Number(length), stream } : { offset: 0, stream };
}
