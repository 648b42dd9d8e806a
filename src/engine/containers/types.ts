// Docker's container shapes as the engine stores and serves them (moby's ContainerJSON, Config, HostConfig).
// Only the fields Berth acts on are typed; unknown fields from clients are kept as given.

export interface HealthConfig {
  Test?: string[];
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  StartInterval?: number;
  Retries?: number;
}

/** The `Config` part of a create request and of inspect. */
export interface ContainerConfig {
  Hostname?: string;
  Domainname?: string;
  User?: string;
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  ExposedPorts?: Record<string, object> | null;
  Tty?: boolean;
  OpenStdin?: boolean;
  StdinOnce?: boolean;
  Env?: string[] | null;
  Cmd?: string[] | string | null;
  Healthcheck?: HealthConfig | null;
  Image?: string;
  Volumes?: Record<string, object> | null;
  WorkingDir?: string;
  Entrypoint?: string[] | string | null;
  NetworkDisabled?: boolean;
  Labels?: Record<string, string> | null;
  StopSignal?: string;
  StopTimeout?: number | null;
  [key: string]: unknown;
}

export interface PortBinding { HostIp?: string; HostPort?: string }
export interface RestartPolicy { Name?: '' | 'no' | 'always' | 'on-failure' | 'unless-stopped'; MaximumRetryCount?: number }
export interface Ulimit { Name: string; Soft: number; Hard: number }
export interface DeviceMapping { PathOnHost: string; PathInContainer?: string; CgroupPermissions?: string }
export interface MountSpec {
  Type?: 'bind' | 'volume' | 'tmpfs';
  Source?: string;
  Target?: string;
  ReadOnly?: boolean;
  BindOptions?: { Propagation?: string; NonRecursive?: boolean; CreateMountpoint?: boolean };
  VolumeOptions?: { NoCopy?: boolean; Labels?: Record<string, string>; DriverConfig?: { Name?: string; Options?: Record<string, string> } };
  TmpfsOptions?: { SizeBytes?: number; Mode?: number };
}

export interface HostConfig {
  Binds?: string[] | null;
  NetworkMode?: string;
  PortBindings?: Record<string, PortBinding[] | null> | null;
  PublishAllPorts?: boolean;
  RestartPolicy?: RestartPolicy;
  AutoRemove?: boolean;
  VolumesFrom?: string[] | null;
  Mounts?: MountSpec[] | null;
  Tmpfs?: Record<string, string> | null;
  CapAdd?: string[] | null;
  CapDrop?: string[] | null;
  Dns?: string[] | null;
  DnsOptions?: string[] | null;
  DnsSearch?: string[] | null;
  ExtraHosts?: string[] | null;
  Privileged?: boolean;
  ReadonlyRootfs?: boolean;
  SecurityOpt?: string[] | null;
  Init?: boolean | null;
  PidMode?: string;
  IpcMode?: string;
  UTSMode?: string;
  ShmSize?: number;
  Sysctls?: Record<string, string> | null;
  LogConfig?: { Type?: string; Config?: Record<string, string> };
  Memory?: number;
  MemorySwap?: number;
  MemoryReservation?: number;
  MemorySwappiness?: number | null;
  OomKillDisable?: boolean | null;
  NanoCpus?: number;
  CpuShares?: number;
  CpuPeriod?: number;
  CpuQuota?: number;
  CpusetCpus?: string;
  CpusetMems?: string;
  PidsLimit?: number | null;
  Ulimits?: Ulimit[] | null;
  Devices?: DeviceMapping[] | null;
  BlkioWeight?: number;
  CgroupParent?: string;
  GroupAdd?: string[] | null;
  [key: string]: unknown;
}

export interface EndpointSettings {
  IPAMConfig?: { IPv4Address?: string } | null;
  Links?: string[] | null;
  Aliases?: string[] | null;
  MacAddress?: string;
  NetworkID?: string;
  EndpointID?: string;
  Gateway?: string;
  IPAddress?: string;
  IPPrefixLen?: number;
  IPv6Gateway?: string;
  GlobalIPv6Address?: string;
  GlobalIPv6PrefixLen?: number;
  DNSNames?: string[] | null;
}

export interface CreateRequest extends ContainerConfig {
  HostConfig?: HostConfig;
  NetworkingConfig?: { EndpointsConfig?: Record<string, EndpointSettings> | null } | null;
}

export type ContainerStatus = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

export interface HealthState {
  Status: 'starting' | 'healthy' | 'unhealthy' | 'none';
  FailingStreak: number;
  Log: { Start: string; End: string; ExitCode: number; Output: string }[];
}

export interface ContainerState {
  Status: ContainerStatus;
  Running: boolean;
  Paused: boolean;
  Restarting: boolean;
  OOMKilled: boolean;
  Dead: boolean;
  Pid: number;
  ExitCode: number;
  Error: string;
  StartedAt: string;
  FinishedAt: string;
  Health?: HealthState;
}

export interface MountPoint {
  Type: 'bind' | 'volume' | 'tmpfs';
  Name?: string;
  Source: string;
  Destination: string;
  Driver?: string;
  Mode: string;
  RW: boolean;
  Propagation: string;
}

/** What the engine persists per container (<root>/containers/<id>/config.v2.json); inspect is derived from it. */
export interface ContainerRecord {
  Id: string;
  Name: string; // with the leading "/"
  Created: string;
  Path: string;
  Args: string[];
  Config: ContainerConfig;
  HostConfig: HostConfig;
  /** Image id (sha256:…) and the name the user gave. */
  Image: string;
  ImageName: string;
  State: ContainerState;
  RestartCount: number;
  /** Set by `docker stop`/`kill` so restart policies do not bring it back (unless-stopped / always). */
  ManualStop?: boolean;
  Mounts: MountPoint[];
  Networks: Record<string, EndpointSettings>;
  /** Published ports actually bound: "80/tcp" → bindings with the real host ports. */
  Ports: Record<string, PortBinding[] | null>;
  /** The snapshot key of the writable layer. */
  SnapshotKey: string;
  ExecIDs: string[];
}
