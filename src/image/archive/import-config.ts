// The documents `docker import` makes for a rootfs tar: an image config with one layer, one history entry
// and the `--change`s applied, and an OCI manifest pointing at it.
import { type Digest, digestOf } from '../digest.js';
import { MediaType } from '../media-types.js';
import type { ContainerConfig, Descriptor, ImageConfig, ImageManifest, Platform } from '../manifest/types.js';
import { applyChanges } from './image-changes.js';

export interface ImportConfigInput {
  diffId: Digest;
  platform: Platform;
  /** RFC 3339 time of the import. */
  created: string;
  /** The commit message (`-m`); Docker's default is "Imported from <source>". */
  message?: string;
  /** Where the tar came from: "-" for a stream (what the docker CLI sends), else a file or URL. */
  source?: string;
  changes?: string[];
}

/** The image config of an imported rootfs (Docker's fields: comment, history, created). */
export function importConfig(input: ImportConfigInput): ImageConfig & { comment: string } {
  const comment = input.message || `Imported from ${input.source ?? '-'}`;
  const config: ContainerConfig = applyChanges({}, input.changes ?? []);
  const { architecture, os, variant } = input.platform;
  return {
    architecture,
    comment,
    config,
    created: input.created,
    history: [{ created: input.created, comment }],
    os,
    rootfs: { type: 'layers', diff_ids: [input.diffId] },
    ...(variant ? { variant } : {}),
  };
}

/** Serialized config and an OCI manifest for one layer: bytes and descriptors, ready to store. */
export function imageDocuments(config: ImageConfig, layer: Descriptor): {
  config: { bytes: Buffer; descriptor: Descriptor };
  manifest: { bytes: Buffer; descriptor: Descriptor; doc: ImageManifest };
} {
  const configBytes = Buffer.from(JSON.stringify(config));
  const configDesc: Descriptor = { mediaType: MediaType.OciConfig, digest: digestOf(configBytes), size: configBytes.length };
  const doc: ImageManifest = {
    schemaVersion: 2,
    mediaType: MediaType.OciManifest,
    config: configDesc,
    layers: [{ mediaType: layer.mediaType, digest: layer.digest, size: layer.size }],
  };
  const bytes = Buffer.from(JSON.stringify(doc));
  return {
    config: { bytes: configBytes, descriptor: configDesc },
    manifest: { bytes, descriptor: { mediaType: MediaType.OciManifest, digest: digestOf(bytes), size: bytes.length }, doc },
  };
}
