// Reading an image that is in the store: its record → the manifest for our platform → config → chainIDs.
import type { ContentProvider } from '../content/types.js';
import type { Digest } from '../digest.js';
import { ImageError } from '../errors.js';
import { isIndexType } from '../media-types.js';
import type { Descriptor, ImageConfig, ImageIndex, ImageManifest, Platform } from '../manifest/types.js';
import { chainIds } from '../manifest/chain-id.js';
import { selectManifest } from '../manifest/platform.js';
import type { ImageRecord } from '../store/image-store.js';

export interface LocalImage {
  record: ImageRecord;
  manifestDescriptor: Descriptor;
  manifest: ImageManifest;
  config: ImageConfig;
  /** Docker's image id: the config digest. */
  id: Digest;
  chainIds: Digest[];
}

const JSON_LIMIT = 8 << 20;

/** Parses a JSON document blob, naming it on failure. */
export async function readJsonBlob<T>(content: ContentProvider, digest: Digest, what: string): Promise<T> {
  const bytes = await content.readAll(digest, JSON_LIMIT).catch((e: unknown) => {
    throw new ImageError(`${what} ${digest} is missing from the content store (pull the image again)`, 'NotFound', { cause: e });
  });
  try {
    return JSON.parse(bytes.toString('utf8')) as T;
  } catch {
    throw new ImageError(`${what} ${digest} is not valid JSON`, 'DataLoss');
  }
}

/** The manifest descriptor for `platform` under a target (itself when it is a manifest). */
export async function platformManifest(content: ContentProvider, target: Descriptor, platform: Platform): Promise<Descriptor> {
  if (!isIndexType(target.mediaType)) return target;
  const index = await readJsonBlob<ImageIndex>(content, target.digest, 'index');
  const chosen = selectManifest(index, platform);
  return isIndexType(chosen.mediaType) ? platformManifest(content, chosen, platform) : chosen;
}

/** Loads manifest and config of a stored image for a platform. */
export async function loadLocalImage(content: ContentProvider, record: ImageRecord, platform: Platform): Promise<LocalImage> {
  const manifestDescriptor = await platformManifest(content, record.target, platform);
  const manifest = await readJsonBlob<ImageManifest>(content, manifestDescriptor.digest, 'manifest');
  const config = await readJsonBlob<ImageConfig>(content, manifest.config.digest, 'image config');
  const diffIds = config.rootfs?.diff_ids ?? [];
  if (diffIds.length !== manifest.layers.length) {
    throw new ImageError(
      `image ${record.name}: config lists ${diffIds.length} layers but manifest ${manifestDescriptor.digest} has ${manifest.layers.length}`,
      'DataLoss',
    );
  }
  return { record, manifestDescriptor, manifest, config, id: manifest.config.digest, chainIds: chainIds(diffIds) };
}
