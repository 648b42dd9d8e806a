// The OCI image layout (image-spec image-layout.md) as a tar: `oci-layout`, `index.json` and
// `blobs/<alg>/<hex>`. Image names travel as annotations on the index entries: containerd's and Docker's
// `io.containerd.image.name` (a full reference) and the spec's `org.opencontainers.image.ref.name` (a tag,
// or with skopeo a `name:tag`).
import { type Digest, parseDigest, splitDigest } from '../digest.js';
import { ImageError } from '../errors.js';
import { MediaType } from '../media-types.js';
import type { Descriptor, ImageIndex } from '../manifest/types.js';
import { formatReference, parseReference, withDefaultTag } from '../reference/parse.js';

export const OCI_LAYOUT_FILE = 'oci-layout';
export const OCI_INDEX_FILE = 'index.json';
export const IMAGE_NAME_ANNOTATION = 'io.containerd.image.name';
export const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';

/** The archive path of a blob: `blobs/sha256/<hex>`. */
export function blobPath(digest: Digest): string {
  const { algorithm, hex } = splitDigest(digest);
  return `blobs/${algorithm}/${hex}`;
}

/** The digest a `blobs/<alg>/<hex>` path names, or undefined for any other path. */
export function digestOfBlobPath(path: string): Digest | undefined {
  const m = /^blobs\/(sha256|sha512)\/([a-f0-9]+)$/.exec(path);
  if (!m) return undefined;
  try {
    return parseDigest(`${m[1]}:${m[2]}`, path);
  } catch {
    return undefined;
  }
}

/** Checks the `oci-layout` file (imageLayoutVersion 1.x). */
export function parseOciLayout(bytes: Buffer): void {
  let doc: { imageLayoutVersion?: unknown };
  try {
    doc = JSON.parse(bytes.toString('utf8')) as typeof doc;
  } catch {
    throw new ImageError('oci-layout is not valid JSON', 'InvalidArgument');
  }
  const v = doc?.imageLayoutVersion;
  if (typeof v !== 'string' || !/^1\.\d+\.\d+$/.test(v)) {
    throw new ImageError(`oci-layout: unsupported imageLayoutVersion ${JSON.stringify(v)} (expected 1.x.y)`, 'InvalidArgument');
  }
}

/** Validates one descriptor; `where` names it in errors. */
export function parseDescriptor(raw: unknown, where: string): Descriptor {
  if (!raw || typeof raw !== 'object') throw new ImageError(`${where}: expected a descriptor object`, 'InvalidArgument');
  const d = raw as Record<string, unknown>;
  if (typeof d.mediaType !== 'string' || d.mediaType === '') throw new ImageError(`${where}: descriptor has no mediaType`, 'InvalidArgument');
  if (typeof d.digest !== 'string') throw new ImageError(`${where}: descriptor has no digest`, 'InvalidArgument');
  const digest = parseDigest(d.digest, `${where} digest`);
  if (typeof d.size !== 'number' || !Number.isSafeInteger(d.size) || d.size < 0) {
    throw new ImageError(`${where}: descriptor size ${JSON.stringify(d.size)} is not a non-negative integer`, 'InvalidArgument');
  }
  return { ...(d as object), mediaType: d.mediaType, digest, size: d.size } as Descriptor;
}

/** Parses an image index (`index.json` or an index blob). */
export function parseOciIndex(bytes: Buffer, where = OCI_INDEX_FILE): ImageIndex {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new ImageError(`${where} is not valid JSON`, 'InvalidArgument');
  }
  if (!doc || typeof doc !== 'object' || doc.schemaVersion !== 2) throw new ImageError(`${where}: schemaVersion must be 2`, 'InvalidArgument');
  if (!Array.isArray(doc.manifests)) throw new ImageError(`${where}: "manifests" must be a list`, 'InvalidArgument');
  const manifests = doc.manifests.map((m, i) => parseDescriptor(m, `${where} manifests[${i}]`));
  return { ...(doc as object), schemaVersion: 2, manifests } as ImageIndex;
}

/**
 * The full image reference an index entry's annotations give, or undefined (no name, or only a bare tag
 * such as "latest", which names no repository).
 */
export function nameFromAnnotations(annotations: Record<string, string> | undefined, where = OCI_INDEX_FILE): string | undefined {
  const full = annotations?.[IMAGE_NAME_ANNOTATION];
  const ref = annotations?.[REF_NAME_ANNOTATION];
  const text = full ?? (ref !== undefined && /[/:@]/.test(ref) ? ref : undefined);
  if (text === undefined) return undefined;
  try {
    return formatReference(withDefaultTag(parseReference(text)));
  } catch (e) {
    const key = full !== undefined ? IMAGE_NAME_ANNOTATION : REF_NAME_ANNOTATION;
    throw new ImageError(`${where}: annotation ${key}="${text}" is not a valid image name: ${(e as Error).message}`, 'InvalidArgument');
  }
}

/** The annotations Docker (≥ 25) puts on an index entry for a full reference with a tag. */
export function nameAnnotations(fullName: string): Record<string, string> {
  const ref = parseReference(fullName);
  const out: Record<string, string> = { [IMAGE_NAME_ANNOTATION]: fullName };
  if (ref.tag !== undefined) out[REF_NAME_ANNOTATION] = ref.tag;
  return out;
}

/** Serializes `index.json`: one entry per (manifest, name), plus one unnamed entry for unnamed images. */
export function formatOciIndex(entries: { descriptor: Descriptor; name?: string }[]): Buffer {
  const manifests = entries.map(({ descriptor, name }) => {
    const d: Descriptor = { mediaType: descriptor.mediaType, digest: descriptor.digest, size: descriptor.size };
    if (descriptor.platform) d.platform = descriptor.platform;
    if (name) d.annotations = nameAnnotations(name);
    return d;
  });
  return Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OciIndex, manifests }));
}

/** The `oci-layout` file. */
export function formatOciLayout(): Buffer {
  return Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' }));
}
