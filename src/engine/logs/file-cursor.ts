// Reads complete lines from an open log file, from an offset on; a torn last line waits for its end.
import type { FileHandle } from 'node:fs/promises';

const CHUNK = 64 * 1024;

export class FileCursor {
  private rest: Buffer = Buffer.alloc(0);
  private readonly buf = Buffer.alloc(CHUNK);

  constructor(readonly handle: FileHandle, readonly ino: number, private offset = 0) {}

  /** Every complete line (without its \n) written since the last call. */
  async *lines(): AsyncGenerator<Buffer> {
    for (;;) {
      const { bytesRead } = await this.handle.read(this.buf, 0, CHUNK, this.offset);
      if (bytesRead === 0) return;
      this.offset += bytesRead;
      let data = this.rest.length ? Buffer.concat([this.rest, this.buf.subarray(0, bytesRead)]) : this.buf.subarray(0, bytesRead);
      let nl: number;
      while ((nl = data.indexOf(10)) >= 0) {
        yield data.subarray(0, nl);
        data = data.subarray(nl + 1);
      }
      // Copied: this.buf is reused by the next read.
      this.rest = Buffer.from(data);
    }
  }

  /** True (and rewinds) if the file shrank below what was read: truncated in place (max-file 1). */
  async rewindIfTruncated(): Promise<boolean> {
    const { size } = await this.handle.stat();
    if (size >= this.offset) return false;
    this.offset = 0;
    this.rest = Buffer.alloc(0);
    return true;
  }

  async close(): Promise<void> {
    await this.handle.close().catch(() => {});
  }
}
