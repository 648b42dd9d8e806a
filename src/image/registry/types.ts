// The registry client's surface (OCI distribution spec; Docker Registry v2).
import type { Readable } from 'node:stream';
import type { Digest } from '../digest.js';
import type { Descriptor } from '../manifest/types.js';

export interface RegistryHostConfig {
  /** Plain HTTP allowed (localhost/127.0.0.1 and --insecure-registry hosts). */
  insecure: boolean;
  /** Extra CA certificates (PEM) from the per-registry CA directory, added to the system CAs. */
  ca: string[];
  /** Client certificate and key (PEM) from the same directory, when present. */
  cert?: string;
  key?: string;
  /**
   * Accept any certificate on HTTPS (Docker's `--insecure-registry` semantics). Only for hosts listed
   * explicitly as insecure; implicit loopback hosts still verify HTTPS and merely may fall back to HTTP.
   */
  skipVerify?: boolean;
}

export interface Credentials {
  username?: string;
  password?: string;
  /** An identity token (OAuth2 refresh token) as `docker login` stores it. */
  identityToken?: string;
  /** A registry token used as a bearer directly. */
  registryToken?: string;
}

export interface FetchedManifest {
  descriptor: Descriptor; // mediaType, digest (computed from the bytes, checked against the request), size
  bytes: Buffer;
}

export interface BlobReadOptions {
  /** Resume from this byte (Range request); the server's 206 is required, 200 restarts from 0. */
  offset?: number;
}

export interface BlobStream {
  /** Byte where the stream starts (0 when the server ignored Range). */
  offset: number;
  /** Total size when known. */
  size?: number;
  stream: Readable;
}

export interface PushProgress {
  /** Called with the total bytes of the blob sent so far (cumulative). */
  (bytes: number): void;
}

export interface RepositoryClient {
  readonly registry: string; // host[:port] as in the reference (docker.io → registry-1.docker.io inside)
  readonly repository: string;
  /** GET a manifest by tag or digest with the pull Accept header; verifies a digest reference. */
  getManifest(reference: string): Promise<FetchedManifest>;
  /** HEAD a manifest; null when it does not exist. */
  headManifest(reference: string): Promise<Descriptor | null>;
  putManifest(reference: string, mediaType: string, bytes: Buffer): Promise<Digest>;
  deleteManifest(digest: Digest): Promise<void>;
  /** HEAD a blob; null when absent. */
  hasBlob(digest: Digest): Promise<number | null>;
  /** GET a blob, following redirects; the stream is not verified here (the content store verifies). */
  getBlob(digest: Digest, options?: BlobReadOptions): Promise<BlobStream>;
  /** Uploads a blob: cross-repository mount from `mountFrom` when given, else monolithic or chunked. */
  pushBlob(
    desc: { digest: Digest; size: number },
    open: () => Readable,
    options?: { mountFrom?: string; chunkSize?: number; onProgress?: PushProgress },
  ): Promise<'exists' | 'mounted' | 'uploaded'>;
  listTags(options?: { n?: number; last?: string }): Promise<string[]>;
}

export interface RegistryClientFactory {
  /** A client for one repository; `actions` are the token scopes needed ('pull', 'push', 'delete'). */
  repository(registry: string, repository: string, actions: ('pull' | 'push' | 'delete')[]): RepositoryClient;
  /** GET /v2/ with credentials: resolves when they are accepted (login), throws Unauthorized otherwise. */
  ping(registry: string, credentials?: Credentials): Promise<void>;
}
