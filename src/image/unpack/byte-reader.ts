// Pull-style reading of a chunk stream: exact-size reads for headers, zero-copy slices of the chunks for
// bodies. Every chunk pulled is passed to `onChunk` once (the diffId hash sees the whole stream).
import { ImageError } from '../errors.js';

const EMPTY = Buffer.alloc(0);

export class ByteReader {
  private chunk: Buffer = EMPTY;
  private pos = 0;
  private eof = false;
  private readonly it: AsyncIterator<Buffer>;
  /** Bytes handed out or skipped so far (the position in the stream). */
  consumed = 0;

  constructor(source: AsyncIterable<Buffer>, private readonly onChunk: (chunk: Buffer) => void) {
    this.it = source[Symbol.asyncIterator]();
  }

  private async pull(): Promise<boolean> {
    while (!this.eof) {
      const r = await this.it.next();
      if (r.done) {
        this.eof = true;
        break;
      }
      const buf = r.value as Buffer;
      this.onChunk(buf);
      if (!buf.length) continue;
      this.chunk = buf;
      this.pos = 0;
      return true;
    }
    return false;
  }

  /** Exactly n bytes; null at a clean end of stream; throws (DataLoss) when it ends part-way. */
  async exact(n: number, what: string): Promise<Buffer | null> {
    if (this.chunk.length - this.pos >= n) return this.take(n);
    const parts: Buffer[] = [];
    let need = n;
    while (need > 0) {
      if (this.pos >= this.chunk.length && !(await this.pull())) {
        if (need === n) return null;
        throw new ImageError(`layer is truncated: the stream ended inside ${what}`, 'DataLoss');
      }
      const part = this.take(Math.min(need, this.chunk.length - this.pos));
      parts.push(part);
      need -= part.length;
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts, n);
  }

  /** Up to n (> 0) bytes, at least one; throws (DataLoss) at end of stream. */
  async upTo(n: number, what: string): Promise<Buffer> {
    if (this.pos >= this.chunk.length && !(await this.pull())) {
      throw new ImageError(`layer is truncated: the stream ended inside ${what}`, 'DataLoss');
    }
    return this.take(Math.min(n, this.chunk.length - this.pos));
  }

  /** Skips n bytes; throws (DataLoss) at end of stream. */
  async skip(n: number, what: string): Promise<void> {
    while (n > 0) n -= (await this.upTo(n, what)).length;
  }

  /** Reads to the end of the stream (trailing zero blocks count towards the diffId). */
  async drain(): Promise<void> {
    this.consumed += this.chunk.length - this.pos;
    this.pos = this.chunk.length;
    while (await this.pull()) {
      this.consumed += this.chunk.length;
      this.pos = this.chunk.length;
    }
  }

  private take(n: number): Buffer {
    const out = this.chunk.subarray(this.pos, this.pos + n);
    this.pos += n;
    this.consumed += n;
    return out;
  }
}
