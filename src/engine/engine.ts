// The engine's composition root: opens every part under the configured root and run dir and builds the
// Docker API route table from them. `berth daemon` serves it; tests open it in-process.
import fs from 'node:fs';
import path from 'node:path';
import { newContext } from '../runtime/index.js';
import { openFsOps, openImageContext, type FsOps } from '../image/index.js';
import type { Route } from './api/router.js';
import type { EngineConfig } from './config.js';
import { createEventBus } from './events/bus.js';
import type { EngineServices } from './services.js';
import { ContainerStore } from './containers/store.js';
import { ContainerManager } from './containers/manager.js';
import { KeyedLock, Waiters, type ContainerContext } from './containers/context.js';
import { AttachHub } from './containers/attach.js';
import { ExecManager } from './exec/exec-manager.js';
import { VolumeStore } from './volumes/store.js';
import { openNetworking, type EngineNetworking } from './networks/networking.js';
import { createLogger, type Logger } from './log/logger.js';
import { systemRoutes } from './routes/system.js';
import { imageRoutes } from './routes/images.js';
import { authRoutes } from './routes/auth.js';
import { containerRoutes } from './routes/containers.js';
import { execRoutes } from './routes/exec.js';
import { statsRoutes } from './routes/stats.js';
import { logsRoutes } from './routes/logs.js';
import { archiveRoutes } from './routes/archive.js';
import { volumeRoutes, volumeView } from './routes/volumes.js';
import { networkRoutes } from './routes/networks.js';
import { buildRoutes } from './routes/build.js';
import { buildPruneRoutes } from './routes/build-prune.js';
import { sweepBuildCache } from '../build/index.js';

export interface Engine {
  config: EngineConfig;
  services: EngineServices;
  containers: ContainerManager;
  execs: ExecManager;
  volumes: VolumeStore;
  networking: EngineNetworking;
  routes: Route[];
  log: Logger;
  /** Stops watching containers (they keep running under their monitors) and closes helpers. */
  close(): Promise<void>;
}

/** Opens the engine: stores, lower layers, and re-adoption of the containers a previous daemon left running. */
export async function openEngine(config: EngineConfig, log: Logger = createLogger(config.logLevel)): Promise<Engine> {
  fs.mkdirSync(config.root, { recursive: true, mode: 0o711 });
  fs.mkdirSync(config.runRoot, { recursive: true, mode: 0o711 });
  const images = await openImageContext({ root: config.root });
  const events = createEventBus();
  let fsops: FsOps | undefined;
  const openFs = async () => (fsops ??= openFsOps());
  const volumes = new VolumeStore(path.join(config.root, 'volumes'));
  const store = new ContainerStore(path.join(config.root, 'containers'));
  const networking = await openNetworking(config, store, log, openFs);
  const ctx: ContainerContext = {
    config, store, volumes, images, events, networking,
    // A resident launcher: forking the daemon itself per container start or exec costs ~3 ms of its event loop.
    runtime: newContext({ root: path.join(config.runRoot, 'runtime'), cgroupParent: config.cgroupParent, launcher: true }),
    fsops: openFs,
    locks: new KeyedLock(),
    waiters: new Waiters(),
    closing: false,
    log: (level, message) => log.log(level, message),
  };
  const containers = new ContainerManager(ctx);
  const execs = new ExecManager(ctx);
  const attach = new AttachHub();
  const users = (name: string) => store.all().filter((c) => c.Mounts.some((m) => m.Name === name)).map((c) => c.Id);
  const services: EngineServices = {
    config, images, events, containerCounts: () => containers.counts(),
    containerDiskUsage: () => containers.diskUsage(),
    volumeDiskUsage: async () => volumes.list().map((v) => ({ ...volumeView(v), UsageData: { Size: volumes.size(v.Name), RefCount: users(v.Name).length } })),
  };
  await containers.init();
  // Cache entries whose image went while no daemon ran (a standalone `berth rmi`, a crash before the sweep).
  await sweepBuildCache(images).catch((e: Error) => log.log('warn', `sweeping the build cache: ${e.message} (stale entries stay until the next image removal)`));
  const routes: Route[] = [
    ...systemRoutes(services),
    ...authRoutes(services),
    ...imageRoutes(services),
    ...containerRoutes({ containers, attach }),
    ...execRoutes(containers, execs),
    ...statsRoutes(containers),
    ...logsRoutes(containers),
    ...archiveRoutes(containers),
    ...volumeRoutes(volumes, events, users),
    ...networkRoutes(networking, events, ctx.locks),
    ...buildRoutes({ images, events, fsops: openFs, runtime: ctx.runtime, runRoot: config.runRoot, bridge: (id) => networking.attachBuildContainer(id) }),
    ...buildPruneRoutes(services),
  ];
  return {
    config, services, containers, execs, volumes, networking, routes, log,
    close: async () => {
      ctx.closing = true;
      await fsops?.close();
      await networking.close();
      ctx.runtime.launcher?.close();
    },
  };
}
