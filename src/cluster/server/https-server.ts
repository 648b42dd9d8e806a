// The API server's HTTPS listener. Client certificates are requested but optional (requestCert without
// rejectUnauthorized), so one port serves certificate users, token users, and — for the handler to answer
// 401 — callers with neither; the authenticator only trusts a certificate whose chain the TLS layer verified
// against the cluster CA.
import fs from 'node:fs';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Pki } from '../auth/pki.js';

export interface HttpsListener {
  port: number;
  address: string;
  close(): Promise<void>;
}

/** Listens on address:port (0: any free port) and serves every request with handle. */
export function listenHttps(pki: Pki, address: string, port: number, handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<HttpsListener> {
  const server = https.createServer(
    {
      key: fs.readFileSync(pki.serverKey),
      cert: fs.readFileSync(pki.serverCert),
      ca: fs.readFileSync(pki.caCert),
      requestCert: true,
      rejectUnauthorized: false,
      minVersion: 'TLSv1.2',
    },
    handle,
  );
  // Watches are long-lived; Node's default request timeouts would cut them.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  server.keepAliveTimeout = 65_000;
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      reject(err.code === 'EADDRINUSE' ? new Error(`cannot listen on ${address}:${port}: the port is already in use (use --port)`) : err);
    };
    server.once('error', onError);
    server.listen(port, address, () => {
      server.off('error', onError);
      const a = server.address() as AddressInfo;
      resolve({
        port: a.port,
        address: a.address,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
