// `serveCluster`: the whole control plane in one process. etcd (a supervised private member under the
// state dir, or the given external cluster) → object store with Secrets encrypted at rest → compactor and
// watch cache → the API handler with certificate/token authentication, RBAC and Service allocation →
// HTTPS → control loops. close() takes it down in the reverse order and leaves all data in place.
import fs from 'node:fs';
import type { CreateApiHandler } from '../api/types.js';
import { SECRETS_PREFIX, watchPrefixOf } from '../api/storage-keys.js';
import { createAuthenticator } from '../auth/authenticator.js';
import { ensurePki, type Pki } from '../auth/pki.js';
import { createRbacAuthorizer } from '../auth/rbac.js';
import { RbacCache, bootstrapPolicySource } from '../auth/rbac-cache.js';
import { TokenFile } from '../auth/token-file.js';
import { AllocationStore } from '../admission/allocation-store.js';
import { ServiceAllocator } from '../admission/service-allocator.js';
import { aesGcmTransformerFromFile } from '../storage/aes-gcm-transformer.js';
import { startCompactor } from '../storage/compactor.js';
import { freePort } from '../storage/embedded-etcd.js';
import { startEtcdSupervisor, type EtcdSupervisor } from '../storage/etcd-supervisor.js';
import { connectObjectStore } from '../storage/object-store.js';
import { prefixScopedTransformer } from '../storage/transformer.js';
import { WatchCache } from '../storage/watch-cache.js';
import { startControlLoops, type ControlLoops } from './control-loops.js';
import { listenHttps } from './https-server.js';
import { DEFAULT_BIND_ADDRESS, DEFAULT_PORT, readConfig, servingHostsFor, statePaths, writeConfig, writeServerInfo, type ClusterConfig, type StatePaths } from './state-dir.js';

export { DEFAULT_BIND_ADDRESS, DEFAULT_PORT } from './state-dir.js';

export interface ServeOptions extends ClusterConfig {
  stateDir: string;
  /** The API handler factory (default: api/handler.ts). */
  createApiHandler?: CreateApiHandler;
  /** Progress and diagnostics. */
  log?: (message: string) => void;
  compactIntervalMs?: number;
  etcdBinary?: string;
}

export interface ClusterServer {
  url: string;
  port: number;
  paths: StatePaths;
  pki: Pki;
  etcd: EtcdSupervisor;
  /** Resolves when the bootstrap objects exist and the controllers have synced. */
  ready: Promise<void>;
  close(): Promise<void>;
}

async function defaultHandlerFactory(): Promise<CreateApiHandler> {
  return (await import('../api/handler.js')).createApiHandler;
}

/** An address pods and users can reach the API server at, for the `kubernetes` endpoints. */
function endpointAddress(bind: string): string {
  return bind === '0.0.0.0' || bind === '::' || bind === '' ? '127.0.0.1' : bind;
}

/** Starts the control plane; the returned server runs until close(). */
export async function serveCluster(opts: ServeOptions): Promise<ClusterServer> {
  const log = opts.log ?? (() => undefined);
  const paths = statePaths(opts.stateDir);
  fs.mkdirSync(paths.root, { recursive: true, mode: 0o700 });
  const saved = readConfig(paths);
  const bindAddress = opts.bindAddress ?? saved.bindAddress ?? DEFAULT_BIND_ADDRESS;
  const port = opts.port ?? saved.port ?? DEFAULT_PORT;
  const external = opts.etcdEndpoints ?? saved.etcdEndpoints;
  const cleanups: Array<() => Promise<void> | void> = [];
  const unwind = async () => {
    for (const c of cleanups.reverse()) {
      try {
        await c();
      } catch (err) {
        log(`shutdown step failed: ${(err as Error).message}`);
      }
    }
  };

  try {
    const pki = ensurePki(paths.pki, { hosts: servingHostsFor(bindAddress) });

    let etcd: EtcdSupervisor;
    if (external && external.length) {
      log(`using etcd at ${external.join(', ')}`);
      etcd = await startEtcdSupervisor({ endpoints: external, log });
    } else {
      const clientPort = opts.etcdClientPort ?? saved.etcdClientPort ?? (await freePort());
      let peerPort = opts.etcdPeerPort ?? saved.etcdPeerPort ?? (await freePort());
      while (peerPort === clientPort) peerPort = await freePort();
      if (saved.etcdClientPort !== clientPort || saved.etcdPeerPort !== peerPort) {
        writeConfig(paths, { ...readConfig(paths), etcdClientPort: clientPort, etcdPeerPort: peerPort });
      }
      log(`starting etcd (data ${paths.etcdData}, log ${paths.etcdLog})`);
      etcd = await startEtcdSupervisor({
        embedded: { dataDir: paths.etcdData, logFile: paths.etcdLog, clientPort, peerPort, ...(opts.etcdBinary ? { etcdBinary: opts.etcdBinary } : {}) },
        log,
      });
      log(`etcd ready at ${etcd.endpoints.join(', ')}`);
    }
    cleanups.push(() => etcd.stop());

    const transformer = prefixScopedTransformer([SECRETS_PREFIX], aesGcmTransformerFromFile(paths.encryptionKey));
    const store = connectObjectStore(etcd.endpoints, { transformer });
    cleanups.push(() => store.close());
    const compactor = startCompactor({ store, ...(opts.compactIntervalMs ? { intervalMs: opts.compactIntervalMs } : {}), minRetainedRevisions: 1000, onError: (e) => log(`compaction failed: ${(e as Error).message}`) });
    cleanups.push(() => compactor.stop());
    const watchCache = new WatchCache({ source: store, watchPrefixOf });
    cleanups.push(() => watchCache.close());

    const allocations = new AllocationStore(store);
    const allocator = new ServiceAllocator({
      allocations,
      ...(opts.serviceClusterIpRange ?? saved.serviceClusterIpRange ? { serviceCidr: opts.serviceClusterIpRange ?? saved.serviceClusterIpRange } : {}),
      ...(opts.serviceNodePortRange ?? saved.serviceNodePortRange ? { nodePortRange: opts.serviceNodePortRange ?? saved.serviceNodePortRange } : {}),
      log,
    });
    cleanups.push(() => allocator.close());

    // The RBAC cache reads through the handler's client, which needs the authorizer first: the authorizer
    // therefore asks for the cache's source at request time.
    let rbac: RbacCache | undefined;
    const bootstrap = bootstrapPolicySource();
    const authorizer = createRbacAuthorizer(() => rbac?.source() ?? bootstrap);
    const authenticator = createAuthenticator({ tokens: new TokenFile(paths.tokensFile, log) });
    const createApiHandler = opts.createApiHandler ?? (await defaultHandlerFactory());
    const handler = createApiHandler({ store, watchCache, authenticator, authorizer, admission: [allocator] });
    cleanups.push(() => handler.close());

    const listener = await listenHttps(pki, bindAddress, port, (req, res) => handler.handle(req, res));
    cleanups.push(() => listener.close());
    const host = bindAddress.includes(':') ? `[${endpointAddress(bindAddress)}]` : endpointAddress(bindAddress);
    const url = `https://${host}:${listener.port}`;
    log(`API server listening on ${url}`);

    rbac = new RbacCache(handler.client({ name: 'system:apiserver', groups: ['system:masters'] }), log);
    const loops: ControlLoops = startControlLoops({
      client: (u) => handler.client(u),
      allocator,
      allocations,
      rbac,
      endpointIP: endpointAddress(bindAddress),
      port: listener.port,
      log,
    });
    cleanups.push(() => loops.stop());
    void loops.ready.then(() => log('controllers started'), () => undefined);

    writeServerInfo(paths, {
      pid: process.pid,
      url,
      port: listener.port,
      bindAddress,
      etcd: { embedded: !(external && external.length), endpoints: etcd.endpoints, ...(etcd.health().pid ? { pid: etcd.health().pid } : {}) },
      startedAt: new Date().toISOString(),
    });

    let closing: Promise<void> | undefined;
    return {
      url,
      port: listener.port,
      paths,
      pki,
      etcd,
      ready: loops.ready,
      close() {
        closing ??= (async () => {
          log('shutting down');
          await unwind();
          fs.rmSync(paths.serverInfoFile, { force: true });
          log('stopped');
        })();
        return closing;
      },
    };
  } catch (err) {
    await unwind();
    throw err;
  }
}
