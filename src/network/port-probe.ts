// Whether a host port is free, by binding it briefly in-process (no extra process on the hot path). A listener on
// any address conflicts with 0.0.0.0, and a dual-stack [::] listener conflicts with IPv4 too.
import net from 'node:net';
import dgram from 'node:dgram';
import { NetworkError } from './errors.js';
import type { PortProtocol } from './types.js';

/** The real PortProbe: true when hostIP:port can be bound now; an address this host does not have is an error. */
export function probeHostPort(hostIP: string, port: number, protocol: PortProtocol): Promise<boolean> {
  const address = hostIP || '0.0.0.0';
  return new Promise((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE' || e.code === 'EACCES') resolve(false);
      else if (e.code === 'EADDRNOTAVAIL') reject(new NetworkError(`cannot publish port ${port} on ${address}: it is not an address of this host (use one of its addresses or leave it empty)`, 'InvalidArgument'));
      else reject(new NetworkError(`probing host port ${address}:${port}/${protocol}: ${e.message}`, 'Internal'));
    };
    if (protocol === 'udp') {
      const sock = dgram.createSocket({ type: 'udp4' });
      sock.once('error', (e) => {
        try { sock.close(); } catch { /* never bound */ }
        onError(e);
      });
      sock.bind({ address, port, exclusive: true }, () => sock.close(() => resolve(true)));
      return;
    }
    const srv = net.createServer();
    srv.once('error', onError);
    srv.listen({ host: address, port, exclusive: true, backlog: 1 }, () => srv.close(() => resolve(true)));
  });
}
