// The layers of a pull: every missing layer is downloaded (bounded parallelism) and unpacked at the same
// time, each while its bytes arrive; snapshots are committed strictly in chain order, each only after its
// blob's digest and its diffID were verified and its parent was committed.
//
// With the overlay snapshotter a layer whose parent is not committed yet is unpacked into a scratch
// snapshot (layer-extraction.ts); with the copying snapshotter a layer needs its parent's tree, so it is
// downloaded first and unpacked from the store once the parent is committed, as before.
import type { ImageContext } from '../context.js';
import type { FsOps } from '../native/fsops.js';
import type { RepositoryClient } from '../registry/types.js';
import { type ProgressEvent, type ProgressSink, shortId } from '../progress/events.js';
import { downloadBlob } from './download-blob.js';
import { prepareExtraction, prepareScratchExtraction, type Extraction } from './layer-extraction.js';
import { limiter } from './limiter.js';
import type { ApplyLayerResult } from '../unpack/apply-layer.js';
import { sharedFileWriter } from '../unpack/file-writer-pool.js';
import { applyToExtraction, extractingProgress, layerError, unpackedLabels, type LayerToUnpack } from './unpack-layer.js';

export interface PullLayer {
  job: LayerToUnpack;
  /** The chainID snapshot exists already. */
  haveSnapshot: boolean;
  /** The blob is in the content store already. */
  haveBlob: boolean;
}

interface Gate {
  promise: Promise<void>;
  open(): void;
  fail(e: unknown): void;
}

function gate(): Gate {
  let open!: () => void;
  let fail!: (e: unknown) => void;
  const promise = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  promise.catch(() => {}); // a failure is reported by the layer that failed
  return { promise, open, fail };
}

/** Fetches and unpacks the layers of an image (in chain order, first = base); throws the first failure. */
export async function pullLayers(ctx: ImageContext, repo: RepositoryClient, fsops: FsOps, layers: PullLayer[], progress: ProgressSink): Promise<void> {
  const limit = limiter(ctx.maxConcurrentDownloads);
  const stop = new AbortController();
  const committed = layers.map(() => gate());
  let scratchWorks = true;

  const task = async (i: number): Promise<void> => {
    const { job, haveSnapshot, haveBlob } = layers[i]!;
    const id = shortId(job.layer.digest);
    // Lower layers' files go first: layers commit in order.
    const files = sharedFileWriter().channel(i);
    const parentCommitted = i === 0 ? Promise.resolve() : committed[i - 1]!.promise;
    if (haveSnapshot) {
      committed[i]!.open();
      if (!haveBlob) {
        await limit(() => downloadBlob(ctx, repo, job.layer, progress, { signal: stop.signal }));
        progress({ id, status: 'Pull complete' });
      }
      return;
    }
    // Unpack now when the parent is committed already or a scratch snapshot can stand in for it.
    const early = async (): Promise<Extraction | null> => {
      if (i === 0 || layers[i - 1]!.haveSnapshot) return prepareExtraction(ctx, job.chainId, job.parent);
      if (!scratchWorks) return null;
      const scratch = await prepareScratchExtraction(ctx, fsops, job.chainId, job.parent!);
      if (!scratch) scratchWorks = false;
      return scratch;
    };
    const late = async (): Promise<Extraction> => {
      await parentCommitted;
      return prepareExtraction(ctx, job.chainId, job.parent);
    };
    // "Extracting" follows "Download complete", as Docker shows it, even though both run together.
    let downloaded = haveBlob;
    let extracted = 0;
    const extracting = extractingProgress(job, progress);
    const onBytes = (n: number) => {
      extracted = n;
      if (downloaded) extracting(n);
    };
    const sink: ProgressSink = (ev: ProgressEvent) => {
      progress(ev);
      if (ev.id === id && ev.status === 'Download complete') {
        downloaded = true;
        if (extracted) extracting(extracted);
      }
    };
    let ext: Extraction | undefined;
    try {
      let result: ApplyLayerResult | undefined;
      if (haveBlob) {
        ext = (await early()) ?? (await late());
      } else {
        // The download slot is asked for before anything is awaited, so slots go out in layer order.
        const got = await limit(async () => {
          const into = (ext = (await early()) ?? undefined);
          return downloadBlob(ctx, repo, job.layer, sink, {
            signal: stop.signal,
            ...(into ? { consume: (input) => applyToExtraction(into, input, fsops, job, onBytes, files) } : {}),
          });
        });
        result = got.consumed;
        ext ??= await late();
      }
      // Not streamed (blob already stored, or a resumed download): from the store.
      result ??= await applyToExtraction(ext, ctx.content.reader(job.layer.digest), fsops, job, onBytes, files);
      await parentCommitted;
      await ext.commit(unpackedLabels(result));
      ext = undefined;
      progress({ id, status: 'Pull complete' });
      committed[i]!.open();
    } catch (e) {
      await ext?.discard().catch(() => {});
      throw layerError(job, e);
    }
  };

  const results = await Promise.allSettled(layers.map(async (_, i) => {
    try {
      await task(i);
    } catch (e) {
      committed[i]!.fail(e);
      stop.abort(e); // the other layers stop downloading and discard what they unpacked
      throw e;
    }
  }));
  // The first failure in chain order that is not just the consequence of another one.
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (failures.length) throw failures.find((f) => !isConsequence(f, stop.signal.reason)) ?? failures[0];
}

function isConsequence(e: unknown, reason: unknown): boolean {
  return (e as { cause?: unknown })?.cause === reason && e !== reason;
}
