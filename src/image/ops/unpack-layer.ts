// One layer into a committed snapshot named by its chainID: the blob is applied into an extraction
// (layer-extraction.ts), its uncompressed content checked against the diffID the image config names, and
// only then committed. Any failure discards the extraction.
import type { Readable } from 'node:stream';
import type { ImageContext } from '../context.js';
import type { Digest } from '../digest.js';
import { ImageError, isImageError } from '../errors.js';
import type { Descriptor } from '../manifest/types.js';
import { layerCompression } from '../media-types.js';
import type { FsOps } from '../native/fsops.js';
import { applyLayer, type ApplyLayerResult } from '../unpack/apply-layer.js';
import type { FileWriter } from '../unpack/file-writer.js';
import { type ProgressSink, shortId } from '../progress/events.js';
import { prepareExtraction, type Extraction } from './layer-extraction.js';

export const UNPACKED_SIZE_LABEL = 'berth.io/unpacked-size';

export interface LayerToUnpack {
  layer: Descriptor;
  diffId: Digest;
  chainId: Digest;
  parent?: Digest | undefined;
}

/** Applies a layer blob from the content store on top of its parent snapshot and commits it as `chainId`. */
export async function unpackLayer(ctx: ImageContext, fsops: FsOps, job: LayerToUnpack, progress: ProgressSink): Promise<void> {
  let ext: Extraction | undefined;
  try {
    ext = await prepareExtraction(ctx, job.chainId, job.parent);
    const result = await applyToExtraction(ext, ctx.content.reader(job.layer.digest), fsops, job, extractingProgress(job, progress));
    await ext.commit(unpackedLabels(result));
  } catch (e) {
    await ext?.discard().catch(() => {});
    throw layerError(job, e);
  }
}

/** Applies a layer stream into an extraction and checks its diffID (DataLoss when it differs). */
export async function applyToExtraction(
  ext: Extraction,
  input: Readable,
  fsops: FsOps,
  job: LayerToUnpack,
  onBytes?: (compressedBytesRead: number) => void,
  files?: FileWriter,
): Promise<ApplyLayerResult> {
  const result = await applyLayer(input, ext.dir, {
    whiteouts: ext.whiteouts,
    fsops,
    ...(files ? { files } : {}),
    compression: layerCompression(job.layer.mediaType),
    ...(onBytes ? { onBytes } : {}),
  });
  if (result.diffId !== job.diffId) {
    throw new ImageError(`layer ${job.layer.digest}: uncompressed content is ${result.diffId} but the image config says ${job.diffId}`, 'DataLoss');
  }
  return result;
}

/** The labels a committed layer snapshot carries. */
export function unpackedLabels(result: ApplyLayerResult): Record<string, string> {
  return { [UNPACKED_SIZE_LABEL]: String(result.size) };
}

/** Docker's "Extracting" progress for a layer, at most about 50 events. */
export function extractingProgress(job: LayerToUnpack, progress: ProgressSink): (current: number) => void {
  const id = shortId(job.layer.digest);
  const total = job.layer.size;
  const step = Math.max(total / 50, 512 << 10);
  let shown = -1;
  return (current) => {
    if (current - shown >= step || current === total) {
      shown = current;
      progress({ id, status: 'Extracting', progressDetail: { current, total } });
    }
  };
}

/** An error about a layer, named `layer <digest>: …` once (unknown errors become Internal "unpack failed"). */
export function layerError(job: LayerToUnpack, e: unknown): ImageError {
  const prefix = `layer ${job.layer.digest}: `;
  if (isImageError(e)) return new ImageError(`${prefix}${e.message.replace(prefix, '')}`, e.kind, { cause: e });
  return new ImageError(`${prefix}unpack failed: ${(e as Error).message}`, 'Internal', { cause: e });
}
