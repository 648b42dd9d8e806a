// One blob from a registry into the content store: resumes an interrupted ingest with a Range request,
// retries a dropped connection from where it stopped, and reports Docker-style progress. Optionally the
// bytes are also streamed, as they arrive, into a consumer (the layer unpacker), so a layer is unpacked
// while it downloads instead of being read back from disk afterwards; the consumer's result only counts
// once the blob has been committed, i.e. its digest verified.
import { PassThrough, type Readable } from 'node:stream';
import type { ImageContext } from '../context.js';
import { ImageError, isImageError } from '../errors.js';
import type { Descriptor } from '../manifest/types.js';
import type { RepositoryClient } from '../registry/types.js';
import type { IngestWriter } from '../content/types.js';
import { type ProgressSink, shortId } from '../progress/events.js';

const ATTEMPTS = 4;
/** Network chunks are gathered into writes of this size (fewer thread-pool round trips). */
const WRITE_BATCH = 1 << 20;
/** Bytes buffered between the download and a slower consumer before the download pauses. */
const TEE_BUFFER = 8 << 20;

export interface DownloadOptions<T> {
  /**
   * Also streams the blob into this consumer while it downloads — only when the download starts at byte 0
   * (not for a resumed ingest or a blob already stored: the result then has no `consumed`).
   */
  consume?: (input: Readable) => Promise<T>;
  /** Stops the download (the reason is thrown). */
  signal?: AbortSignal;
}

/** A failure of the consumer: passed through as is, never retried. */
class ConsumerFailure {
  constructor(readonly error: unknown) {}
}

/** Downloads `desc` unless the store has it; the store verifies size and digest on commit. */
export async function downloadBlob<T = never>(
  ctx: ImageContext,
  repo: RepositoryClient,
  desc: Descriptor,
  progress: ProgressSink,
  options: DownloadOptions<T> = {},
): Promise<{ consumed?: T }> {
  const id = shortId(desc.digest);
  let tee: { input: PassThrough; consuming: Promise<T>; stopped: Promise<never>; fed: number } | undefined;
  try {
    for (let attempt = 1; ; attempt++) {
      options.signal?.throwIfAborted();
      let writer: IngestWriter | null = await ctx.content.writer({ digest: desc.digest, size: desc.size });
      if (!writer) break;
      if (attempt === 1 && writer.offset === 0 && options.consume) tee = startConsumer(options.consume);
      const group: Buffer[] = [];
      let grouped = 0;
      const flush = async () => {
        if (!grouped) return;
        const data = group.length === 1 ? group[0]! : Buffer.concat(group, grouped);
        group.length = 0;
        grouped = 0;
        await writer!.write(data);
      };
      try {
        if (writer.offset < desc.size) {
          const blob = await repo.getBlob(desc.digest, writer.offset ? { offset: writer.offset } : {});
          if (blob.offset !== writer.offset) {
            // The server ignored the Range request: start this ingest over.
            await writer.abort();
            writer = await ctx.content.writer({ digest: desc.digest, size: desc.size });
            if (!writer) break;
          }
          let current = blob.offset;
          let shown = -1;
          const step = Math.max(desc.size / 100, 256 << 10);
          for await (const c of blob.stream) {
            options.signal?.throwIfAborted();
            const chunk = c as Buffer;
            // The consumer gets each byte once: a retry may send again what it already has.
            if (tee && current + chunk.length > tee.fed) await feed(tee, chunk.subarray(Math.max(0, tee.fed - current)));
            current += chunk.length;
            group.push(chunk);
            grouped += chunk.length;
            if (grouped >= WRITE_BATCH) await flush();
            if (current - shown >= step || current === desc.size) {
              shown = current;
              progress({ id, status: 'Downloading', progressDetail: { current, total: desc.size } });
            }
          }
          await flush();
        }
        progress({ id, status: 'Verifying Checksum' });
        await writer.commit();
        break;
      } catch (e) {
        // Keep what arrived: the next attempt (or the next `berth pull`) resumes from there.
        await flush().catch(() => {});
        await writer?.close().catch(() => {});
        if (e instanceof ConsumerFailure) throw e;
        const retriable = (!isImageError(e) || e.kind === 'Unavailable') && !options.signal?.aborted;
        if (!retriable || attempt >= ATTEMPTS) {
          if (options.signal?.aborted) throw options.signal.reason;
          if (isImageError(e)) throw new ImageError(`layer ${desc.digest}: ${e.message}`, e.kind, { cause: e });
          throw new ImageError(`layer ${desc.digest}: download failed: ${(e as Error).message}`, 'Unavailable', { cause: e });
        }
        progress({ id, status: `Retrying after: ${(e as Error).message}` });
      }
    }
    progress({ id, status: 'Download complete' });
    if (!tee) return {};
    // Another process committed the blob meanwhile: the consumer gets the rest from the store.
    if (tee.fed < desc.size) for await (const c of ctx.content.reader(desc.digest, tee.fed)) await feed(tee, c as Buffer);
    tee.input.end();
    return { consumed: await tee.consuming };
  } catch (e) {
    tee?.input.destroy(e instanceof ConsumerFailure ? undefined : asError(e));
    if (tee) await tee.consuming.catch(() => {});
    throw e instanceof ConsumerFailure ? e.error : e;
  }
}

function startConsumer<T>(consume: (input: Readable) => Promise<T>) {
  const input = new PassThrough({ highWaterMark: TEE_BUFFER });
  const consuming = consume(input);
  consuming.catch(() => {}); // awaited at the end, or its failure surfaces through `stopped`
  const stopped = consuming.then(
    () => {
      throw new ConsumerFailure(new ImageError('internal: the layer consumer finished before the end of the blob', 'Internal'));
    },
    (err: unknown) => {
      throw new ConsumerFailure(err);
    },
  );
  stopped.catch(() => {});
  return { input, consuming, stopped, fed: 0 };
}

// Hands a piece to the consumer, waiting while its buffer is full (or failing when it gave up).
async function feed(tee: { input: PassThrough; stopped: Promise<never>; fed: number }, piece: Buffer): Promise<void> {
  tee.fed += piece.length;
  if (tee.input.write(piece)) return;
  let onDrain!: () => void;
  const drained = new Promise<void>((resolve) => tee.input.once('drain', (onDrain = resolve)));
  try {
    await Promise.race([drained, tee.stopped]);
  } finally {
    tee.input.off('drain', onDrain);
  }
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}
