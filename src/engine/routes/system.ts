// System endpoints: /_ping (the CLI's negotiation), /version, /info, /events and /system/df.
import os from 'node:os';
import { listImages } from '../../image/index.js';
import type { Route } from '../api/router.js';
import { BERTH_VERSION, ENGINE_VERSION, MAX_API_VERSION, MIN_API_VERSION } from '../api/version.js';
import { cgroupVersion, engineId, goArch, operatingSystem, osVersion } from '../api/host-info.js';
import { EngineError } from '../errors.js';
import type { EngineServices } from '../services.js';
import { streamEvents } from '../events/stream.js';

/** Optional disk-usage providers the container and volume managers add to the services (for /system/df). */
export interface DiskUsageProviders {
  containerDiskUsage?(): Promise<unknown[]>;
  volumeDiskUsage?(): Promise<unknown[]>;
}

const STARTED = new Date().toISOString();

/** GET/HEAD /_ping, GET /version, /info, /events, /system/df. */
export function systemRoutes(services: EngineServices): Route[] {
  let id: string | undefined;
  const listeners = { count: 0 };
  const pingHeaders = {
    'Cache-Control': 'no-cache, no-store, must-revalidate',
    Pragma: 'no-cache',
    // No BuildKit here: "1" tells the CLI to use the classic builder (POST /build).
    'Builder-Version': '1',
    Swarm: 'inactive',
  };
  return [
    {
      method: 'GET',
      path: '/_ping',
      handler: async (_req, res) => res.text(200, 'OK', 'text/plain; charset=utf-8', pingHeaders),
    },
    {
      method: 'HEAD',
      path: '/_ping',
      handler: async (_req, res) => res.text(200, '', 'text/plain; charset=utf-8', pingHeaders),
    },
    { method: 'GET', path: '/version', handler: async (_req, res) => res.json(200, versionDoc()) },
    {
      method: 'GET',
      path: '/info',
      handler: async (_req, res) => {
        id ??= engineId(services.config.root);
        res.json(200, await infoDoc(services, id, listeners.count));
      },
    },
    {
      method: 'GET',
      path: '/events',
      handler: async (req, res) => {
        listeners.count++;
        try {
          await streamEvents(services.events, req, res);
        } finally {
          listeners.count--;
        }
      },
    },
    {
      method: 'GET',
      path: '/system/df',
      handler: async (req, res) => res.json(200, await diskUsage(services, req.query.getAll('type'))),
    },
  ];
}

/** GET /version's document. */
export function versionDoc(): Record<string, unknown> {
  const details = {
    ApiVersion: MAX_API_VERSION,
    Arch: goArch(),
    BuildTime: STARTED,
    Experimental: 'false',
    GitCommit: '',
    GoVersion: `node ${process.version}`,
    KernelVersion: os.release(),
    MinAPIVersion: MIN_API_VERSION,
    Os: 'linux',
  };
  return {
    Platform: { Name: `Berth Engine ${BERTH_VERSION}` },
    Components: [
      { Name: 'Engine', Version: ENGINE_VERSION, Details: details },
      { Name: 'berth', Version: BERTH_VERSION, Details: { GitCommit: '' } },
    ],
    Version: ENGINE_VERSION,
    ApiVersion: MAX_API_VERSION,
    MinAPIVersion: MIN_API_VERSION,
    GitCommit: '',
    GoVersion: details.GoVersion,
    Os: 'linux',
    Arch: details.Arch,
    KernelVersion: details.KernelVersion,
    Experimental: false,
    BuildTime: STARTED,
  };
}

async function infoDoc(services: EngineServices, id: string, eventListeners: number): Promise<Record<string, unknown>> {
  const counts = services.containerCounts();
  const images = await listImages(services.images);
  const cgroup = cgroupVersion();
  return {
    ID: id,
    Containers: counts.total,
    ContainersRunning: counts.running,
    ContainersPaused: counts.paused,
    ContainersStopped: counts.stopped,
    Images: images.length,
    Driver: services.images.snapshots.name,
    DriverStatus: [['Snapshotter', services.images.snapshots.name]],
    Plugins: { Volume: ['local'], Network: ['bridge', 'host', 'none'], Authorization: null, Log: ['json-file'] },
    MemoryLimit: true,
    SwapLimit: cgroup === '2',
    CpuCfsPeriod: true,
    CpuCfsQuota: true,
    CPUShares: true,
    CPUSet: true,
    PidsLimit: true,
    IPv4Forwarding: true,
    BridgeNfIptables: true,
    BridgeNfIp6tables: true,
    Debug: services.config.logLevel === 'debug',
    NFd: 0,
    OomKillDisable: cgroup === '1',
    NGoroutines: 0,
    SystemTime: new Date().toISOString(),
    LoggingDriver: 'json-file',
    CgroupDriver: 'cgroupfs',
    CgroupVersion: cgroup,
    NEventsListener: eventListeners,
    KernelVersion: os.release(),
    OperatingSystem: operatingSystem(),
    OSVersion: osVersion(),
    OSType: 'linux',
    Architecture: os.machine(),
    IndexServerAddress: 'https://index.docker.io/v1/',
    RegistryConfig: {
      AllowNondistributableArtifactsCIDRs: null,
      AllowNondistributableArtifactsHostnames: null,
      InsecureRegistryCIDRs: ['127.0.0.0/8', '::1/128'],
      IndexConfigs: { 'docker.io': { Name: 'docker.io', Mirrors: [], Secure: true, Official: true } },
      Mirrors: null,
    },
    NCPU: os.cpus().length,
    MemTotal: os.totalmem(),
    GenericResources: null,
    DockerRootDir: services.config.root,
    HttpProxy: process.env.HTTP_PROXY ?? process.env.http_proxy ?? '',
    HttpsProxy: process.env.HTTPS_PROXY ?? process.env.https_proxy ?? '',
    NoProxy: process.env.NO_PROXY ?? process.env.no_proxy ?? '',
    Name: os.hostname(),
    Labels: [],
    ExperimentalBuild: false,
    ServerVersion: ENGINE_VERSION,
    Runtimes: { berth: { path: 'berth-runtime' } },
    DefaultRuntime: 'berth',
    Swarm: { NodeID: '', NodeAddr: '', LocalNodeState: 'inactive', ControlAvailable: false, Error: '', RemoteManagers: null },
    LiveRestoreEnabled: true,
    Isolation: '',
    InitBinary: '',
    ContainerdCommit: { ID: '' },
    RuncCommit: { ID: '' },
    InitCommit: { ID: '' },
    SecurityOptions: ['name=seccomp,profile=builtin', ...(cgroup === '2' ? ['name=cgroupns'] : [])],
    CDISpecDirs: [],
    Warnings: [],
  };
}

const DF_TYPES = ['container', 'image', 'volume', 'build-cache'];

async function diskUsage(services: EngineServices, types: string[]): Promise<Record<string, unknown>> {
  for (const t of types) {
    if (!DF_TYPES.includes(t)) throw new EngineError(`invalid type "${t}" for system df: use ${DF_TYPES.join(', ')}`, 'InvalidArgument');
  }
  const want = (t: string) => types.length === 0 || types.includes(t);
  const providers = services as EngineServices & DiskUsageProviders;
  const out: Record<string, unknown> = {};
  if (want('image')) {
    const images = await listImages(services.images);
    out.LayersSize = images.reduce((n, i) => n + i.Size, 0);
    out.Images = images.map((i) => ({ ...i, Containers: 0 }));
  }
  if (want('container')) out.Containers = (await providers.containerDiskUsage?.()) ?? [];
  if (want('volume')) out.Volumes = (await providers.volumeDiskUsage?.()) ?? [];
  if (want('build-cache')) out.BuildCache = [];
  return out;
}
