// The Berth Docker API served in-process for interop tests: a temp Berth root with a busybox image
// imported into it, the system/image/auth routes on a temp unix socket, and the real docker CLI (spawned
// asynchronously: the server runs in this process) with its own DOCKER_CONFIG. stop() closes the server
// and removes everything.
//
//   const engine = await startEngineFixture();
//   try {
//     const r = await engine.docker(['images', '--format', 'json']);
//     const list = await engine.dockerode().listImages();
//   } finally { await engine.stop(); }
import { execFile, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { importImage, openImageContext, type ImageContext } from '../../src/image/index.js';
import { startApiServer, type ApiServer } from '../../src/engine/api/server.js';
import type { ApiLogger } from '../../src/engine/api/dispatch.js';
import type { Route } from '../../src/engine/api/router.js';
import { engineConfig, type TcpListen } from '../../src/engine/config.js';
import type { EngineServices } from '../../src/engine/services.js';
import { createEventBus } from '../../src/engine/events/bus.js';
import { systemRoutes } from '../../src/engine/routes/system.js';
import { imageRoutes } from '../../src/engine/routes/images.js';
import { authRoutes } from '../../src/engine/routes/auth.js';
import { makeBusyboxRootfs } from '../fixtures/busybox-rootfs.js';

export const DOCKER_BIN = '/usr/local/bin/docker';

export interface CommandResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout as bytes (docker save). */
  out: Buffer;
}

export interface EngineFixture {
  dir: string;
  root: string;
  socketPath: string;
  /** The docker CLI's config dir (credentials from `docker login` land here). */
  dockerConfig: string;
  services: EngineServices;
  /** Everything the server logged (debug included), for failure messages. */
  log: string[];
  /** A tar of the busybox root filesystem (for `docker import`). */
  busyboxTar: Buffer;
  /** The id of the busybox:latest image the fixture imported. */
  busyboxId: string;
  tcpPort?: number;
  /** Runs the real docker CLI against the server (async spawn); `input` goes to its stdin. */
  docker(args: string[], options?: { input?: Buffer | string; env?: Record<string, string>; dockerConfig?: string }): Promise<CommandResult>;
  dockerode(): Docker;
  /** A raw HTTP request over the unix socket. */
  request(method: string, urlPath: string, options?: { headers?: Record<string, string>; body?: Buffer | string }): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>;
  stop(): Promise<void>;
}

/** Starts the API server in-process on a temp root with busybox:latest imported. */
export async function startEngineFixture(options: { tcp?: TcpListen; routes?: (s: EngineServices) => Route[] } = {}): Promise<EngineFixture> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-engine-'));
  let server: ApiServer | undefined;
  try {
    const root = path.join(dir, 'root');
    const socketPath = path.join(dir, 'docker.sock');
    const dockerConfig = path.join(dir, 'docker-config');
    fs.mkdirSync(dockerConfig);
    const images: ImageContext = await openImageContext({ root });
    const busyboxTar = spawnSync('tar', ['-C', makeBusyboxRootfs(path.join(dir, 'busybox')), '-c', '.'], { maxBuffer: 1 << 28 }).stdout;
    const { id: busyboxId } = await importImage(images, Readable.from([busyboxTar]), {
      reference: 'busybox:latest',
      changes: ['CMD ["sh"]'],
      message: 'busybox for the engine tests',
    });
    const services: EngineServices = {
      config: engineConfig({ root, runRoot: path.join(dir, 'run'), socket: socketPath, logLevel: 'debug' }),
      images,
      events: createEventBus(),
      containerCounts: () => ({ total: 0, running: 0, paused: 0, stopped: 0 }),
    };
    const log: string[] = [];
    const logger: ApiLogger = {
      debug: (m) => log.push(`debug: ${m}`),
      info: (m) => log.push(`info: ${m}`),
      warn: (m) => log.push(`warn: ${m}`),
      error: (m) => log.push(`error: ${m}`),
    };
    const routes = options.routes?.(services) ?? [...systemRoutes(services), ...imageRoutes(services), ...authRoutes(services)];
    server = await startApiServer({ socketPath, routes, services, log: logger, ...(options.tcp ? { tcp: options.tcp } : {}) });
    const srv = server;
    const docker: EngineFixture['docker'] = (args, o = {}) =>
      runDocker(args, {
        DOCKER_HOST: `unix://${socketPath}`,
        DOCKER_CONFIG: o.dockerConfig ?? dockerConfig,
        ...(o.env ?? {}),
      }, o.input);
    return {
      dir,
      root,
      socketPath,
      dockerConfig,
      services,
      log,
      busyboxTar,
      busyboxId,
      ...(srv.tcpPort !== undefined ? { tcpPort: srv.tcpPort } : {}),
      docker,
      dockerode: () => new Docker({ socketPath }),
      request: (method, urlPath, o = {}) => rawRequest(socketPath, method, urlPath, o),
      async stop() {
        await srv.close();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await server?.close();
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

/** Runs the docker CLI with a clean environment plus `env`. */
export function runDocker(args: string[], env: Record<string, string>, input?: Buffer | string): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(DOCKER_BIN, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: env.DOCKER_CONFIG ?? os.tmpdir(), DOCKER_CLI_HINTS: 'false', ...env },
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.stdin.on('error', () => {}); // the CLI may exit before reading all of stdin
    child.stdin.end(input ?? '');
    // A hung CLI fails its test instead of hanging the run.
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const o = Buffer.concat(out);
      resolve({ code, signal, stdout: o.toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), out: o });
    });
  });
}

function rawRequest(
  socketPath: string,
  method: string,
  urlPath: string,
  o: { headers?: Record<string, string>; body?: Buffer | string },
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, method, path: urlPath, headers: o.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

export interface TlsFiles {
  caCert: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

/** A CA, a server certificate for 127.0.0.1 and a client certificate, made with openssl (async) in `dir`. */
export async function makeTlsFiles(dir: string): Promise<TlsFiles> {
  fs.mkdirSync(dir, { recursive: true });
  const openssl = (args: string[]) => promisify(execFile)('openssl', args, { cwd: dir });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Berth engine test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  for (const [name, ext] of [
    ['server', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n'],
    ['client', 'extendedKeyUsage=clientAuth\n'],
  ] as const) {
    await openssl(['req', ...ec, '-keyout', `${name}-key.pem`, '-out', `${name}.csr`, '-subj', `/CN=${name}`]);
    fs.writeFileSync(path.join(dir, `${name}.ext`), `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n${ext}`);
    await openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}-cert.pem`, '-days', '1', '-extfile', `${name}.ext`]);
  }
  return {
    caCert: path.join(dir, 'ca.pem'),
    serverCert: path.join(dir, 'server-cert.pem'),
    serverKey: path.join(dir, 'server-key.pem'),
    clientCert: path.join(dir, 'client-cert.pem'),
    clientKey: path.join(dir, 'client-key.pem'),
  };
}
