// Compressors for new layers: gzip with node:zlib, zstd through Debian's `zstd` (Node 20 has none).
import { spawn } from 'node:child_process';
import { Duplex, PassThrough } from 'node:stream';
import zlib from 'node:zlib';
import { ImageError } from '../errors.js';
import { MediaType } from '../media-types.js';

export type LayerCompression = 'gzip' | 'zstd' | 'none';

/** The OCI layer media type for a compression. */
export function layerMediaType(c: LayerCompression): string {
  return c === 'gzip' ? MediaType.OciLayerGzip : c === 'zstd' ? MediaType.OciLayerZstd : MediaType.OciLayer;
}

export interface Compressor {
  stream: Duplex;
  /** Resolves when the compressor finished cleanly (zstd's exit status); call after the pipeline ended. */
  done(): Promise<void>;
  /** Stops it after a failure. */
  kill(): void;
}

/** A compressing stream for `c` ('none' passes bytes through). */
export function createCompressor(c: LayerCompression): Compressor {
  if (c === 'none') return { stream: new PassThrough(), done: async () => {}, kill: () => {} };
  if (c === 'gzip') return { stream: zlib.createGzip({ chunkSize: 128 * 1024 }), done: async () => {}, kill: () => {} };
  const child = spawn('zstd', ['-c', '-q'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', (err) => reject(new ImageError(`cannot run zstd to compress the layer: ${err.message} (install Debian's zstd package)`, 'Unavailable')));
    child.on('close', (code) => resolve(code));
  });
  exited.catch(() => {});
  return {
    stream: Duplex.from({ writable: child.stdin, readable: child.stdout }),
    async done() {
      const code = await exited;
      if (code !== 0) throw new ImageError(`zstd failed compressing the layer: ${stderr.trim() || `exit status ${code}`}`, 'Internal');
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
