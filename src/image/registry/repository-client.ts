// RepositoryClient for one repository on one registry: the manifest, blob and tag operations bound to a
// session and the token scopes the caller asked for.
import type { Readable } from 'node:stream';
import type { Digest } from '../digest.js';
import type { Descriptor } from '../manifest/types.js';
import { repositoryScope } from './auth.js';
import { getBlob, hasBlob } from './blob-read.js';
import { pushBlob, type UploadOptions } from './blob-upload.js';
import { deleteManifest, getManifest, headManifest, putManifest, type RepoContext } from './manifest-ops.js';
import type { RetryPolicy } from './retry.js';
import type { RegistrySession } from './session.js';
import { listTags } from './tags.js';
import type { BlobReadOptions, BlobStream, FetchedManifest, RepositoryClient } from './types.js';

export class RegistryRepositoryClient implements RepositoryClient {
  private readonly ctx: RepoContext;

  constructor(
    session: RegistrySession,
    readonly repository: string,
    actions: ('pull' | 'push' | 'delete')[],
    private readonly policy: RetryPolicy,
  ) {
    // Docker asks for pull with push; `*`-style wildcard scopes are not needed.
    const wanted = actions.length ? actions : ['pull'];
    this.ctx = { session, repository, scopes: [repositoryScope(repository, wanted)], actions: wanted.join(',') };
  }

  get registry(): string {
    return this.ctx.session.registry;
  }

  /** GET a manifest by tag or digest; a digest reference is verified against the bytes. */
  getManifest(reference: string): Promise<FetchedManifest> {
    return getManifest(this.ctx, reference);
  }

  /** HEAD a manifest; null when absent. */
  headManifest(reference: string): Promise<Descriptor | null> {
    return headManifest(this.ctx, reference);
  }

  /** PUT a manifest; returns its digest. */
  putManifest(reference: string, mediaType: string, bytes: Buffer): Promise<Digest> {
    return putManifest(this.ctx, reference, mediaType, bytes);
  }

  /** DELETE a manifest by digest (the registry must allow deletes). */
  deleteManifest(digest: Digest): Promise<void> {
    return deleteManifest(this.ctx, digest);
  }

  /** The blob's size, or null when the repository lacks it. */
  hasBlob(digest: Digest): Promise<number | null> {
    return hasBlob(this.ctx, digest);
  }

  /** A stream of the blob (not verified here), resumed from `offset` when the registry allows. */
  getBlob(digest: Digest, options?: BlobReadOptions): Promise<BlobStream> {
    return getBlob(this.ctx, digest, options);
  }

  /** Uploads a blob unless present; mounts from `mountFrom` when the registry can. */
  pushBlob(desc: { digest: Digest; size: number }, open: () => Readable, options?: UploadOptions): Promise<'exists' | 'mounted' | 'uploaded'> {
    return pushBlob(this.ctx, this.policy, desc, open, options);
  }

  /** Tags, following pagination; see tags.ts for `n` and `last`. */
  listTags(options?: { n?: number; last?: string }): Promise<string[]> {
    return listTags(this.ctx, options);
  }
}
