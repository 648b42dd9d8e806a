// Attaching to a monitor's socket: output frames out, container stdin in.
import net from 'node:net';
import { FrameSplitter, type MonitorFrame } from './frames.js';

export interface MonitorConnection {
  /** Write to send the container stdin (with --stdin); end() half-closes (StdinOnce closes stdin then). */
  socket: net.Socket;
  /** The output produced after connecting, demultiplexed; ends when the container has exited. Read either
   * this or the socket's raw bytes (already Docker's multiplexed format), not both. */
  frames: AsyncIterable<MonitorFrame>;
}

/** Connects to the monitor at socketPath; fails with ENOENT/ECONNREFUSED once the container has exited. */
export function connectMonitor(socketPath: string): Promise<MonitorConnection> {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection(socketPath);
    socket.once('error', (e: NodeJS.ErrnoException) => {
      e.message = `attach to container monitor ${socketPath}: ${e.message} (${gone(e) ? 'the container has exited: read its exit file' : 'is the monitor running?'})`;
      reject(e);
    });
    socket.once('connect', () => {
      socket.removeAllListeners('error');
      // A reset (the monitor exited with stdin bytes of ours unread) ends the stream like EOF; 'close' follows.
      socket.on('error', () => {});
      resolve({ socket, frames: frames(socket) });
    });
  });
}

/** True for the connect errors that mean the monitor (and so the container) is gone. */
export function gone(e: NodeJS.ErrnoException): boolean {
  return e.code === 'ENOENT' || e.code === 'ECONNREFUSED';
}

async function* frames(socket: net.Socket): AsyncGenerator<MonitorFrame> {
  const splitter = new FrameSplitter();
  for await (const chunk of socket) yield* splitter.push(chunk as Buffer);
}

/** Calls onFrame for every frame arriving on socket (for consumers that prefer events to iteration). */
export function demux(socket: net.Socket, onFrame: (frame: MonitorFrame) => void): void {
  const splitter = new FrameSplitter();
  socket.on('data', (chunk: Buffer) => {
    for (const f of splitter.push(chunk)) onFrame(f);
  });
}
