// Docker's stream wire formats for attach, exec and logs: the multiplexed framing (stdcopy) used without a
// TTY, and the media types announced for it (API ≥ 1.42).

/** Raw bytes (TTY) — the body is the terminal's output as is. */
export const RAW_STREAM = 'application/vnd.docker.raw-stream';
/** Framed stdout/stderr (no TTY). */
export const MULTIPLEXED_STREAM = 'application/vnd.docker.multiplexed-stream';

/** Stream ids of a frame header: 0 stdin, 1 stdout, 2 stderr, 3 system error (the CLI prints it and fails). */
export type StreamId = 0 | 1 | 2 | 3;

/** One frame: `[stream, 0, 0, 0, length u32 big-endian]` then the payload. */
export function encodeFrame(stream: StreamId, data: Buffer | string): Buffer {
  const payload = typeof data === 'string' ? Buffer.from(data) : data;
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

/** Splits a multiplexed byte stream back into frames (tests, and reading a peer's output); keeps a partial tail. */
export class FrameDecoder {
  private buf: Buffer = Buffer.alloc(0);

  /** Feeds bytes; returns every complete frame. */
  push(chunk: Buffer): { stream: StreamId; data: Buffer }[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: { stream: StreamId; data: Buffer }[] = [];
    while (this.buf.length >= 8) {
      const len = this.buf.readUInt32BE(4);
      if (this.buf.length < 8 + len) break;
      out.push({ stream: this.buf[0] as StreamId, data: this.buf.subarray(8, 8 + len) });
      this.buf = this.buf.subarray(8 + len);
    }
    return out;
  }

  /** Bytes of an unfinished frame still held. */
  get pending(): number {
    return this.buf.length;
  }
}

/** The content type for attach/exec/logs output: raw with a TTY, multiplexed without. */
export function streamContentType(tty: boolean): string {
  return tty ? RAW_STREAM : MULTIPLEXED_STREAM;
}
