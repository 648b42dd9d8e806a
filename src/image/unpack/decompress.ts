// Turning a (possibly compressed) layer stream into tar bytes: gzip with node:zlib, zstd through Debian's
// `zstd -dc` (Node 20 has no zstd), 'unknown' decided from the magic bytes. Compressed bytes are counted on
// the way in for progress reporting.
import { spawn } from 'node:child_process';
import { pipeline, Readable } from 'node:stream';
import zlib from 'node:zlib';
import { ImageError } from '../errors.js';

export type Compression = 'gzip' | 'zstd' | 'none';

/** The decompressor's output chunks: fewer, larger ones mean fewer thread-pool round trips. */
const OUTPUT_CHUNK = 1024 * 1024;

export interface Decompressed {
  /** The uncompressed bytes. */
  chunks: AsyncIterable<Buffer>;
  /** Resolves once the decompressor ended cleanly (zstd's exit status); call after reading everything. */
  finished(): Promise<void>;
  /** Stops everything (after an error): the input is destroyed too. */
  destroy(): void;
}

const MAGIC: [Buffer, string][] = [
  [Buffer.from([0x1f, 0x8b]), 'gzip'],
  [Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), 'zstd'],
  [Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), 'xz'],
  [Buffer.from('BZh'), 'bzip2'],
];

/** The compression of a layer from its first bytes (at least 6 unless the stream is shorter). */
export function sniffCompression(head: Buffer): Compression {
  for (const [magic, kind] of MAGIC) {
    if (head.length >= magic.length && head.subarray(0, magic.length).equals(magic)) {
      if (kind === 'gzip' || kind === 'zstd') return kind;
      throw new ImageError(`layer is ${kind}-compressed; layers must be uncompressed, gzip or zstd`, 'InvalidArgument');
    }
  }
  return 'none';
}

/** Decompresses `input` as declared (or sniffed when 'unknown'); onBytes gets the running compressed total. */
export async function openDecompressed(
  input: Readable,
  compression: Compression | 'unknown',
  onBytes?: (compressedBytesRead: number) => void,
): Promise<Decompressed> {
  const it = input[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let total = 0;
  let inputError: unknown;
  const head: Buffer[] = [];
  let headLen = 0;
  let inputDone = false;
  // Peeks enough bytes to recognise the magic numbers (only needed for 'unknown').
  while (compression === 'unknown' && headLen < 6) {
    const r = await it.next();
    if (r.done) {
      inputDone = true;
      break;
    }
    head.push(r.value);
    headLen += r.value.length;
    total += r.value.length;
    onBytes?.(total);
  }
  const kind: Compression = compression === 'unknown' ? sniffCompression(Buffer.concat(head)) : compression;

  async function* compressed(): AsyncGenerator<Buffer> {
    try {
      yield* head;
      if (inputDone) return;
      for (let r = await it.next(); !r.done; r = await it.next()) {
        total += r.value.length;
        onBytes?.(total);
        yield r.value;
      }
    } catch (err) {
      inputError = err;
      throw err;
    } finally {
      if (!inputDone) await it.return?.();
    }
  }

  if (kind === 'none') {
    const gen = compressed();
    return { chunks: gen, finished: async () => {}, destroy: () => void gen.return(undefined).catch(() => {}) };
  }

  const source = Readable.from(compressed(), { objectMode: false });
  if (kind === 'gzip') {
    const gunzip = zlib.createGunzip({ chunkSize: OUTPUT_CHUNK });
    pipeline(source, gunzip, () => {});
    return {
      chunks: translateErrors(gunzip, 'gzip', () => inputError),
      finished: async () => {},
      destroy: () => {
        source.destroy();
        gunzip.destroy();
      },
    };
  }

  const child = spawn('zstd', ['-d', '-c', '-q'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', (err) => reject(new ImageError(`cannot run zstd to decompress the layer: ${err.message} (install Debian's zstd package)`, 'Unavailable')));
    child.on('close', (code) => resolve(code));
  });
  exited.catch(() => {});
  pipeline(source, child.stdin, () => {});
  const checkExit = async () => {
    const code = await exited;
    if (code !== 0) throw new ImageError(`layer is not valid zstd data: ${stderr.trim() || `zstd exited with status ${code}`}`, 'DataLoss');
  };
  return {
    // zstd's verdict is part of the stream: a failure surfaces where the data stops, before any
    // "truncated tar" error could hide it.
    chunks: translateErrors(child.stdout, 'zstd', () => inputError, checkExit),
    finished: checkExit,
    destroy() {
      source.destroy();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

// The decompressor's own failures become DataLoss naming the format; failures of the input pass through.
async function* translateErrors(
  stream: Readable,
  format: string,
  inputError: () => unknown,
  atEnd?: () => Promise<void>,
): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of stream) yield chunk as Buffer;
    await atEnd?.();
  } catch (err) {
    const original = inputError();
    if (original) throw original;
    if (err instanceof ImageError) throw err;
    throw new ImageError(`layer is not valid ${format} data: ${(err as Error).message}`, 'DataLoss', { cause: err });
  }
}
