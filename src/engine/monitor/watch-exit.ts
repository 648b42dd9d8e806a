// Waiting for a container to exit with only the monitor's paths (also after a daemon restart).
import net from 'node:net';
import { readExitFile, type ExitRecord } from './exit-file.js';
import { gone } from './client.js';

/**
 * Resolves with the exit record once the monitor is gone. The monitor writes the exit file before it closes
 * its clients, so EOF on the socket (or no socket to connect to) means the file is final. Rejects if the
 * monitor went away without one (it was killed, or the helper failed before a container existed).
 */
export async function watchExit(exitFile: string, socketPath: string): Promise<ExitRecord> {
  const early = readExitFile(exitFile);
  if (early) return early;
  await new Promise<void>((resolve, reject) => {
    const socket = net.createConnection(socketPath);
    socket.on('connect', () => socket.resume()); // output frames are not ours to read here
    socket.on('close', () => resolve());
    socket.on('error', (e: NodeJS.ErrnoException) => {
      if (gone(e) || e.code === 'ECONNRESET' || e.code === 'EPIPE') resolve();
      else reject(new Error(`watch container monitor ${socketPath}: ${e.message}`));
    });
  });
  const rec = readExitFile(exitFile);
  if (rec) return rec;
  throw new Error(`container monitor ${socketPath} is gone without writing ${exitFile}: it was killed, or the container never started; treat the container as exited with an unknown status`);
}
