// Docker's multiplexed framing as the monitor speaks it: `[stream,0,0,0,len u32 BE]` then the payload.

export interface MonitorFrame {
  /** 1 stdout, 2 stderr (with a tty everything is 1). */
  stream: 1 | 2;
  data: Buffer;
}

/** Splits a byte stream into frames; keeps an unfinished frame for the next push. */
export class FrameSplitter {
  private buf: Buffer = Buffer.alloc(0);

  /** Feeds bytes; returns every frame now complete. */
  push(chunk: Buffer): MonitorFrame[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: MonitorFrame[] = [];
    while (this.buf.length >= 8) {
      const len = this.buf.readUInt32BE(4);
      if (this.buf.length < 8 + len) break;
      const stream = this.buf[0];
      if (stream !== 1 && stream !== 2) {
        throw new Error(`monitor stream: bad frame header (stream ${stream}): not a berth-monitor socket?`);
      }
      out.push({ stream, data: this.buf.subarray(8, 8 + len) });
      this.buf = this.buf.subarray(8 + len);
    }
    return out;
  }
}
