// The body of an upgrade request (attach/exec start with `Connection: Upgrade`). Node hands such requests
// over as a bare socket after the headers, so the body (exec start's JSON) is framed here by hand:
// exactly Content-Length bytes, or the chunks up to the terminating 0-chunk. What follows the body stays
// in the socket: after the 101 it is the client's stdin.
import type { IncomingMessage } from 'node:http';
import { Readable, type Duplex } from 'node:stream';

/** A stream of the request body taken off `socket`; bytes past the body are put back. */
export function upgradeBody(req: IncomingMessage, socket: Duplex): Readable {
  const te = String(req.headers['transfer-encoding'] ?? '').toLowerCase();
  const length = Number(req.headers['content-length'] ?? 0);
  if (te.includes('chunked')) return chunkedBody(socket);
  if (Number.isInteger(length) && length > 0) return lengthBody(socket, length);
  return Readable.from([]);
}

// Feeds `consume` from the socket with read() (not 'data' events, which would leave the socket flowing or
// explicitly paused: the handler's own 'data' listener must later start it as if fresh). `consume` returns
// the bytes past the body once it is complete.
function drive(socket: Duplex, out: Readable, consume: (chunk: Buffer) => Buffer | undefined | Error, endMessage: () => string): void {
  const stop = () => {
    socket.off('readable', onReadable);
    socket.off('end', onEnd);
  };
  const onReadable = () => {
    let chunk: Buffer | null;
    while ((chunk = socket.read() as Buffer | null) !== null) {
      const rest = consume(chunk);
      if (rest === undefined) continue;
      stop();
      if (rest instanceof Error) return void out.destroy(rest);
      if (rest.length) socket.unshift(rest);
      out.push(null);
      return;
    }
  };
  const onEnd = () => {
    stop();
    out.destroy(new Error(endMessage()));
  };
  socket.on('readable', onReadable);
  socket.on('end', onEnd);
}

function lengthBody(socket: Duplex, length: number): Readable {
  let remaining = length;
  const out = new Readable({ read() {} });
  drive(
    socket,
    out,
    (chunk) => {
      const take = chunk.subarray(0, remaining);
      remaining -= take.length;
      out.push(take);
      return remaining === 0 ? chunk.subarray(take.length) : undefined;
    },
    () => `the client closed the connection ${remaining} bytes before the end of the request body`,
  );
  return out;
}

// Chunked framing: "<hex size>[;ext]\r\n<data>\r\n" … "0\r\n" [trailers] "\r\n".
function chunkedBody(socket: Duplex): Readable {
  const out = new Readable({ read() {} });
  let buf: Buffer = Buffer.alloc(0);
  let state: 'size' | 'data' | 'data-crlf' | 'trailer' = 'size';
  let need = 0;
  const consume = (chunk: Buffer): Buffer | undefined | Error => {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    for (;;) {
      if (state === 'size' || state === 'trailer') {
        const nl = buf.indexOf('\r\n');
        if (nl < 0) return undefined;
        const line = buf.subarray(0, nl).toString('latin1');
        buf = buf.subarray(nl + 2);
        if (state === 'trailer') {
          if (line !== '') continue; // a trailer header: ignored
          return buf;
        }
        const size = Number.parseInt(line.split(';')[0]!.trim(), 16);
        if (!Number.isInteger(size) || size < 0) return new Error(`malformed chunk size "${line}" in the request body`);
        if (size === 0) state = 'trailer';
        else {
          need = size;
          state = 'data';
        }
      } else if (state === 'data') {
        if (buf.length === 0) return undefined;
        const take = buf.subarray(0, need);
        need -= take.length;
        buf = buf.subarray(take.length);
        out.push(take);
        if (need === 0) state = 'data-crlf';
      } else {
        if (buf.length < 2) return undefined;
        buf = buf.subarray(2);
        state = 'size';
      }
    }
  };
  drive(socket, out, consume, () => 'the client closed the connection inside a chunked request body');
  return out;
}

/**
 * dockerode's hijacked attach sends `Transfer-Encoding: chunked` and, without stdin, an empty body (the
 * bare 0-chunk) before it reads the 101. When the handler did not read the body, drop that terminator if it
 * is already buffered so it does not reach the container's stdin.
 */
export function dropEmptyChunkedBody(req: IncomingMessage, socket: Duplex): void {
  if (!String(req.headers['transfer-encoding'] ?? '').toLowerCase().includes('chunked')) return;
  const buffered = socket.read() as Buffer | null;
  if (!buffered) return;
  const terminator = Buffer.from('0\r\n\r\n');
  const rest = buffered.subarray(0, terminator.length).equals(terminator) ? buffered.subarray(terminator.length) : buffered;
  if (rest.length) socket.unshift(rest);
}
