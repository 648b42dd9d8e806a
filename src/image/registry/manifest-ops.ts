// Manifest requests: GET with the pull Accept header (verifying the bytes against a digest reference),
// HEAD, PUT and DELETE — on one repository.
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isDigest, parseDigest, splitDigest, type Digest } from '../digest.js';
import { ImageError } from '../errors.js';
import { MANIFEST_ACCEPT, MediaType, isIndexType, isManifestType } from '../media-types.js';
import type { Descriptor } from '../manifest/types.js';
import { TAG_RE } from '../reference/grammar.js';
import { drain, headerValue, readBody } from './http-transport.js';
import type { RegistrySession } from './session.js';
import type { FetchedManifest } from './types.js';

/** Manifests above this size are refused (as containerd and Docker do). */
export const MAX_MANIFEST_BYTES = 4 << 20;

export interface RepoContext {
  session: RegistrySession;
  repository: string;
  scopes: string[];
  actions: string;
}

/** `registry/repo:tag` or `registry/repo@digest`, for messages. */
export function manifestSubject(ctx: RepoContext, reference: string): string {
  return `${ctx.session.registry}/${ctx.repository}${isDigest(reference) ? '@' : ':'}${reference}`;
}

/** GET a manifest or index by tag or digest. */
export async function getManifest(ctx: RepoContext, reference: string): Promise<FetchedManifest> {
  checkReference(reference);
  const subject = manifestSubject(ctx, reference);
  const res = await ctx.session.send({
    method: 'GET',
    target: `/v2/${ctx.repository}/manifests/${reference}`,
    headers: { Accept: MANIFEST_ACCEPT.join(', ') },
    scopes: ctx.scopes,
    subject,
    actions: 'pull',
    idempotent: true,
    accept: [200],
  });
  const declared = Number(headerValue(res, 'content-length'));
  if (declared > MAX_MANIFEST_BYTES) {
    res.destroy();
    throw new ImageError(`${subject}: manifest is ${declared} bytes, more than the ${MAX_MANIFEST_BYTES}-byte limit — refusing it`, 'InvalidArgument');
  }
  const bytes = await readBody(res, MAX_MANIFEST_BYTES, `${subject}: manifest`);
  const algorithm = isDigest(reference) ? splitDigest(reference).algorithm : 'sha256';
  const digest = `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}` as Digest;
  if (isDigest(reference) && digest !== reference) {
    throw new ImageError(`${subject}: the registry sent a manifest whose digest is ${digest} — refusing it`, 'DataLoss');
  }
  const claimed = headerValue(res, 'docker-content-digest');
  if (claimed && isDigest(claimed) && claimed.startsWith(`${algorithm}:`) && claimed !== digest) {
    throw new ImageError(`${subject}: the registry says the manifest is ${claimed} but its bytes hash to ${digest} — refusing it`, 'DataLoss');
  }
  return { descriptor: { mediaType: detectMediaType(res, bytes, subject), digest, size: bytes.length }, bytes };
}

/** HEAD a manifest: its descriptor, or null when the registry does not have it. */
export async function headManifest(ctx: RepoContext, reference: string): Promise<Descriptor | null> {
  checkReference(reference);
  const res = await ctx.session.send({
    method: 'HEAD',
    target: `/v2/${ctx.repository}/manifests/${reference}`,
    headers: { Accept: MANIFEST_ACCEPT.join(', ') },
    scopes: ctx.scopes,
    subject: manifestSubject(ctx, reference),
    actions: 'pull',
    idempotent: true,
    accept: [200, 404],
  });
  drain(res);
  if (res.statusCode === 404) return null;
  const claimed = headerValue(res, 'docker-content-digest');
  const size = Number(headerValue(res, 'content-length'));
  const mediaType = contentType(res);
  const digest = claimed && isDigest(claimed) ? claimed : isDigest(reference) ? reference : undefined;
  if (!digest || !mediaType || !Number.isFinite(size)) {
    // Not enough in the headers (some registries omit the digest): fetch the manifest instead.
    return (await getManifest(ctx, reference)).descriptor;
  }
  return { mediaType, digest, size };
}

/** PUT a manifest under a tag or its digest; returns its digest. */
export async function putManifest(ctx: RepoContext, reference: string, mediaType: string, bytes: Buffer): Promise<Digest> {
  checkReference(reference);
  const subject = manifestSubject(ctx, reference);
  const algorithm = isDigest(reference) ? splitDigest(reference).algorithm : 'sha256';
  const digest = `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}` as Digest;
  if (isDigest(reference) && reference !== digest) {
    throw new ImageError(`${subject}: the manifest's bytes hash to ${digest}, not the digest it is pushed under`, 'InvalidArgument');
  }
  const res = await ctx.session.send({
    method: 'PUT',
    target: `/v2/${ctx.repository}/manifests/${reference}`,
    headers: { 'Content-Type': mediaType },
    body: bytes,
    scopes: ctx.scopes,
    subject,
    actions: 'push',
    idempotent: true, // the same bytes under the same name: sending twice is harmless
    accept: [200, 201, 202],
  });
  drain(res);
  const claimed = headerValue(res, 'docker-content-digest');
  if (claimed && isDigest(claimed) && claimed.startsWith(`${algorithm}:`) && claimed !== digest) {
    throw new ImageError(`${subject}: the registry stored the manifest as ${claimed}, but its bytes hash to ${digest}`, 'DataLoss');
  }
  return digest;
}

/** DELETE a manifest by digest. */
export async function deleteManifest(ctx: RepoContext, digest: Digest): Promise<void> {
  parseDigest(digest, 'manifest digest');
  const subject = manifestSubject(ctx, digest);
  const res = await ctx.session.send({
    method: 'DELETE',
    target: `/v2/${ctx.repository}/manifests/${digest}`,
    scopes: ctx.scopes,
    subject,
    actions: 'delete',
    idempotent: true,
    accept: [200, 202, 204, 405],
  });
  drain(res);
  if (res.statusCode === 405) {
    throw new ImageError(`${ctx.session.registry}: registry does not allow deletes (start it with REGISTRY_STORAGE_DELETE_ENABLED=true)`, 'FailedPrecondition');
  }
}

/** A tag or digest, else InvalidArgument. */
export function checkReference(reference: string): void {
  if (isDigest(reference)) return;
  if (reference.includes(':')) parseDigest(reference, 'manifest reference');
  if (!TAG_RE.test(reference)) throw new ImageError(`"${reference}" is neither a tag nor a digest`, 'InvalidArgument');
}

function contentType(res: IncomingMessage): string | undefined {
  const ct = headerValue(res, 'content-type')?.split(';')[0]?.trim();
  return ct || undefined;
}

/** Content-Type when it names a manifest type; else the document's own mediaType; else its shape. */
function detectMediaType(res: IncomingMessage, bytes: Buffer, subject: string): string {
  const ct = contentType(res);
  if (ct && (isIndexType(ct) || isManifestType(ct))) return ct;
  let doc: { mediaType?: unknown; manifests?: unknown; config?: unknown; schemaVersion?: unknown };
  try {
    doc = JSON.parse(bytes.toString());
  } catch {
    throw new ImageError(`${subject}: the registry sent a manifest that is not JSON (Content-Type ${ct ?? 'none'})`, 'DataLoss');
  }
  if (typeof doc.mediaType === 'string' && doc.mediaType) return doc.mediaType;
  if (Array.isArray(doc.manifests)) return MediaType.OciIndex;
  if (doc.config && typeof doc.config === 'object') return MediaType.OciManifest;
  return ct ?? 'application/octet-stream';
}
