// The Docker API listener: a unix socket (mode 0660; a stale socket file is replaced, a live daemon's is
// not) and optionally TCP with TLS and required client certificates, both served by one dispatcher.
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import type { TcpListen } from '../config.js';
import type { EngineServices } from '../services.js';
import { createDispatcher, type ApiDispatcher, type ApiLogger } from './dispatch.js';
import type { Route } from './router.js';

export interface ApiServerOptions {
  socketPath: string;
  tcp?: TcpListen;
  routes: Route[];
  /** The engine's parts (kept for routes built later and for shutdown hooks; routes already close over them). */
  services?: EngineServices;
  log: ApiLogger;
}

export interface ApiServer {
  /** Stops listening, drops open connections (streams, hijacked sockets) and removes the socket file. */
  close(): Promise<void>;
  /** The TCP port actually bound (useful with port 0). */
  tcpPort?: number;
}

/** Starts serving the Docker Engine API on `socketPath` (and `tcp` when given). */
export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const dispatcher = createDispatcher(options.routes, options.log);
  const sockets = new Set<Duplex>();
  const servers: net.Server[] = [];
  let ours = false; // the socket file is ours to remove once we listen on it
  try {
    await prepareSocketPath(options.socketPath);
    const unix = wire(http.createServer(), dispatcher, sockets, options.log);
    await listen(unix, options.socketPath);
    servers.push(unix);
    ours = true;
    fs.chmodSync(options.socketPath, 0o660);
    let tcpPort: number | undefined;
    if (options.tcp) {
      const t = options.tcp;
      const secure = wire(
        https.createServer({
          cert: fs.readFileSync(t.tlsCert),
          key: fs.readFileSync(t.tlsKey),
          ca: fs.readFileSync(t.tlsCaCert),
          requestCert: true,
          rejectUnauthorized: true,
        }),
        dispatcher,
        sockets,
        options.log,
      );
      await listen(secure, { host: t.host, port: t.port });
      servers.push(secure);
      tcpPort = (secure.address() as net.AddressInfo).port;
      options.log.info(`Docker API listening on tcp://${t.host}:${tcpPort} (TLS, client certificates required)`);
    }
    options.log.info(`Docker API listening on unix://${options.socketPath}`);
    return {
      ...(tcpPort !== undefined ? { tcpPort } : {}),
      close: () => closeAll(servers, sockets, options.socketPath),
    };
  } catch (e) {
    await closeAll(servers, sockets, ours ? options.socketPath : undefined);
    throw e;
  }
}

function wire<S extends http.Server>(server: S, d: ApiDispatcher, sockets: Set<Duplex>, log: ApiLogger): S {
  // Streams (events, logs -f, attach) stay open for as long as the client wants.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  server.keepAliveTimeout = 5_000;
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('secureConnection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    d.handleRequest(req, res).catch((e: unknown) => {
      log.error(`${req.method} ${req.url}: ${(e as Error).stack ?? String(e)}`);
      res.destroy();
    });
  });
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', (e) => log.debug(`${req.method} ${req.url}: connection error: ${e.message}`));
    d.handleUpgrade(req, socket, head).catch((e: unknown) => {
      log.error(`${req.method} ${req.url}: ${(e as Error).stack ?? String(e)}`);
      socket.destroy();
    });
  });
  server.on('clientError', (err: Error, socket: Duplex) => {
    log.debug(`API client error: ${err.message}`);
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  return server;
}

function listen(server: net.Server, where: string | net.ListenOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(where, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

// A socket file left by a crashed daemon is removed; one a running daemon answers on is not.
async function prepareSocketPath(socketPath: string): Promise<void> {
  fs.mkdirSync(path.dirname(socketPath), { recursive: true });
  let st: fs.Stats;
  try {
    st = fs.lstatSync(socketPath);
  } catch {
    return;
  }
  if (!st.isSocket()) {
    throw new Error(`${socketPath} exists and is not a socket: move it away or choose another --socket`);
  }
  if (await answers(socketPath)) {
    throw new Error(`another daemon is listening on ${socketPath}: stop it first or choose another --socket`);
  }
  fs.unlinkSync(socketPath);
}

function answers(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = net.connect(socketPath);
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

async function closeAll(servers: net.Server[], sockets: Set<Duplex>, socketPath: string | undefined): Promise<void> {
  const closed = servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
  for (const s of sockets) s.destroy();
  sockets.clear();
  await Promise.all(closed);
  if (socketPath) fs.rmSync(socketPath, { force: true });
}
