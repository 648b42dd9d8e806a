// run/create flags → the POST /containers/create body, as the docker CLI builds it: Config at the top
// level, HostConfig and NetworkingConfig beside it. Pure: the environment, cwd and file reads are injected.
import { UsageError, bool, list, str, type Flags } from '../../common/args.js';
import { environment, keyValues, labels, type FileReader } from './env-options.js';
import { parseExtraHost, parseRestartPolicy, parseUlimit, securityOpts } from './host-options.js';
import { addVolume, parseDevice, parseMount, parseTmpfs, type VolumeFlags } from './mounts.js';
import { parsePorts } from './ports.js';
import { flagLabel, parseGoDuration, parseNanoCpus, parseRamBytes, parseSwapBytes } from './units.js';

export interface CreateInputs {
  env: NodeJS.ProcessEnv;
  cwd: string;
  readFile: FileReader;
}

export interface CreatePlan {
  /** The request body of POST /containers/create. */
  body: Record<string, unknown> & { HostConfig: Record<string, unknown> };
  name: string | undefined;
  image: string;
  /** Streams the CLI attaches to (empty when detached). */
  attach: { stdin: boolean; stdout: boolean; stderr: boolean };
  tty: boolean;
  autoRemove: boolean;
  pull: 'missing' | 'always' | 'never';
  platform: string | undefined;
}

const BUILTIN_NETWORKS = new Set(['default', 'bridge', 'host', 'none']);

function int(flags: Flags, name: string): number | undefined {
  const v = str(flags, name);
  if (v === undefined) return undefined;
  if (!/^[+-]?\d+$/.test(v)) throw new UsageError(`invalid argument "${v}" for "--${name}" flag: strconv.ParseInt: parsing "${v}": invalid syntax`);
  return Number(v);
}

/** docker's capability spelling: "net_admin" → "CAP_NET_ADMIN"; "ALL" stays. */
export function capability(name: string): string {
  const up = name.toUpperCase();
  return up === 'ALL' || up.startsWith('CAP_') ? up : `CAP_${up}`;
}

/** Health flags → Config.Healthcheck (undefined when none is given); durations in nanoseconds. */
export function healthcheck(flags: Flags): Record<string, unknown> | undefined {
  const cmd = str(flags, 'health-cmd') ?? '';
  const dur = (n: string) => (str(flags, n) !== undefined ? parseGoDuration(str(flags, n)!, `--${n}`) : 0);
  const interval = dur('health-interval');
  const timeout = dur('health-timeout');
  const startPeriod = dur('health-start-period');
  const startInterval = dur('health-start-interval');
  const retries = int(flags, 'health-retries') ?? 0;
  const any = cmd !== '' || interval !== 0 || timeout !== 0 || startPeriod !== 0 || startInterval !== 0 || retries !== 0;
  if (bool(flags, 'no-healthcheck')) {
    if (any) throw new UsageError('--no-healthcheck conflicts with --health-* options');
    return { Test: ['NONE'] };
  }
  if (!any) return undefined;
  for (const [v, n] of [[interval, 'interval'], [timeout, 'timeout'], [retries, 'retries'], [startPeriod, 'start-period'], [startInterval, 'start-interval']] as const) {
    if (v < 0) throw new UsageError(`--health-${n} cannot be negative`);
  }
  // Zero values are left out (omitempty), so the image's own settings apply to them.
  return {
    ...(cmd ? { Test: ['CMD-SHELL', cmd] } : {}),
    ...(interval ? { Interval: interval } : {}), ...(timeout ? { Timeout: timeout } : {}), ...(startPeriod ? { StartPeriod: startPeriod } : {}),
    ...(startInterval ? { StartInterval: startInterval } : {}), ...(retries ? { Retries: retries } : {}),
  };
}

/** Resource flags → HostConfig fields (memory strings as docker parses them). */
function resources(flags: Flags): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const size = (name: string, short: string | undefined, field: string, swap = false) => {
    const v = str(flags, name);
    if (v !== undefined) out[field] = swap ? parseSwapBytes(v, flagLabel(name, short)) : parseRamBytes(v, flagLabel(name, short));
  };
  size('memory', 'm', 'Memory');
  size('memory-swap', undefined, 'MemorySwap', true);
  size('memory-reservation', undefined, 'MemoryReservation');
  size('shm-size', undefined, 'ShmSize');
  if (str(flags, 'cpus') !== undefined) out.NanoCpus = parseNanoCpus(str(flags, 'cpus')!);
  const shares = int(flags, 'cpu-shares');
  if (shares !== undefined) out.CpuShares = shares;
  if (str(flags, 'cpuset-cpus') !== undefined) out.CpusetCpus = str(flags, 'cpuset-cpus');
  if (str(flags, 'cpuset-mems') !== undefined) out.CpusetMems = str(flags, 'cpuset-mems');
  const pids = int(flags, 'pids-limit');
  if (pids !== undefined) out.PidsLimit = pids;
  if (list(flags, 'ulimit').length) out.Ulimits = list(flags, 'ulimit').map(parseUlimit);
  if (list(flags, 'device').length) out.Devices = list(flags, 'device').map(parseDevice);
  return out;
}

/** Translates parsed run/create flags and `IMAGE [COMMAND] [ARG...]` into a create request. */
export function buildCreatePlan(flags: Flags, positionals: string[], inputs: CreateInputs, detach = false): CreatePlan {
  const [image, ...cmd] = positionals;
  if (!image) throw new UsageError('requires at least 1 argument: IMAGE [COMMAND] [ARG...]');
  const tty = bool(flags, 'tty');
  const interactive = bool(flags, 'interactive');
  const attachList = list(flags, 'attach').map((a) => a.toLowerCase());
  for (const a of attachList) if (!['stdin', 'stdout', 'stderr'].includes(a)) throw new UsageError(`invalid argument "${a}" for "-a, --attach" flag: valid streams are STDIN, STDOUT and STDERR`);
  if (detach && attachList.length) throw new UsageError('conflicting options: cannot specify both --attach and --detach');
  const autoRemove = bool(flags, 'rm');
  const restart = parseRestartPolicy(str(flags, 'restart') ?? 'no');
  if (autoRemove && restart.Name !== '' && restart.Name !== 'no') throw new UsageError('conflicting options: cannot specify both --restart and --rm');
  const attach = detach
    ? { stdin: false, stdout: false, stderr: false }
    : {
        stdin: interactive || attachList.includes('stdin'),
        stdout: attachList.length === 0 || attachList.includes('stdout'),
        stderr: attachList.length === 0 || attachList.includes('stderr'),
      };

  const ports = parsePorts(list(flags, 'publish'), list(flags, 'expose'));
  const vols: VolumeFlags = { binds: [], volumes: {} };
  for (const v of list(flags, 'volume')) addVolume(vols, v, inputs.cwd);
  const tmpfs = Object.fromEntries(list(flags, 'tmpfs').map(parseTmpfs));
  const env = environment(list(flags, 'env'), list(flags, 'env-file'), inputs.readFile, inputs.env);
  const labelMap = labels(list(flags, 'label'), list(flags, 'label-file'), inputs.readFile);
  const networks = [...list(flags, 'network'), ...list(flags, 'net')];
  const network = networks[0] ?? 'default';
  if (networks.length > 1 && networks.some((n) => n === 'host' || n === 'none' || n.startsWith('container:'))) {
    throw new UsageError('conflicting options: host, none and container: network modes cannot be combined with other networks');
  }
  const entrypoint = str(flags, 'entrypoint');
  const stopTimeout = int(flags, 'stop-timeout');
  const health = healthcheck(flags);
  const logOpts = keyValues(list(flags, 'log-opt'), '--log-opt');
  const sysctls = keyValues(list(flags, 'sysctl'), '--sysctl');
  const read = inputs.readFile;

  const hostConfig: Record<string, unknown> = {
    Binds: vols.binds.length ? vols.binds : null,
    NetworkMode: network,
    PortBindings: ports.bindings,
    PublishAllPorts: bool(flags, 'publish-all'),
    RestartPolicy: restart,
    AutoRemove: autoRemove,
    VolumesFrom: list(flags, 'volumes-from').length ? list(flags, 'volumes-from') : null,
    ...(list(flags, 'mount').length ? { Mounts: list(flags, 'mount').map(parseMount) } : {}),
    ...(Object.keys(tmpfs).length ? { Tmpfs: tmpfs } : {}),
    CapAdd: list(flags, 'cap-add').length ? list(flags, 'cap-add').map(capability) : null,
    CapDrop: list(flags, 'cap-drop').length ? list(flags, 'cap-drop').map(capability) : null,
    Dns: list(flags, 'dns'),
    DnsOptions: list(flags, 'dns-option'),
    DnsSearch: list(flags, 'dns-search'),
    ExtraHosts: list(flags, 'add-host').length ? list(flags, 'add-host').map(parseExtraHost) : null,
    GroupAdd: list(flags, 'group-add').length ? list(flags, 'group-add') : null,
    Privileged: bool(flags, 'privileged'),
    ReadonlyRootfs: bool(flags, 'read-only'),
    SecurityOpt: list(flags, 'security-opt').length ? securityOpts(list(flags, 'security-opt'), read) : null,
    LogConfig: { Type: str(flags, 'log-driver') ?? '', Config: logOpts },
    ...(flags.init !== undefined ? { Init: bool(flags, 'init') } : {}),
    ...(str(flags, 'pid') !== undefined ? { PidMode: str(flags, 'pid') } : {}),
    ...(str(flags, 'ipc') !== undefined ? { IpcMode: str(flags, 'ipc') } : {}),
    ...(str(flags, 'uts') !== undefined ? { UTSMode: str(flags, 'uts') } : {}),
    ...(str(flags, 'cgroup-parent') !== undefined ? { CgroupParent: str(flags, 'cgroup-parent') } : {}),
    ...(Object.keys(sysctls).length ? { Sysctls: sysctls } : {}),
    ...resources(flags),
  };

  const endpoint: Record<string, unknown> = {};
  if (list(flags, 'network-alias').length) endpoint.Aliases = list(flags, 'network-alias');
  if (str(flags, 'ip')) endpoint.IPAMConfig = { IPv4Address: str(flags, 'ip') };
  if (Object.keys(endpoint).length && (BUILTIN_NETWORKS.has(network) || network.startsWith('container:'))) {
    throw new UsageError('--network-alias and --ip need a user-defined network (--network NAME)');
  }

  const body: CreatePlan['body'] = {
    Hostname: str(flags, 'hostname') ?? '',
    Domainname: str(flags, 'domainname') ?? '',
    User: str(flags, 'user') ?? '',
    AttachStdin: attach.stdin,
    AttachStdout: attach.stdout,
    AttachStderr: attach.stderr,
    ...(Object.keys(ports.exposed).length ? { ExposedPorts: ports.exposed } : {}),
    Tty: tty,
    OpenStdin: interactive,
    StdinOnce: interactive && attach.stdin && !detach,
    Env: env.length ? env : null,
    Cmd: cmd.length ? cmd : null,
    ...(health ? { Healthcheck: health } : {}),
    Image: image,
    Volumes: vols.volumes,
    WorkingDir: str(flags, 'workdir') ?? '',
    Entrypoint: entrypoint === undefined ? null : entrypoint === '' ? [''] : [entrypoint],
    Labels: labelMap,
    ...(str(flags, 'stop-signal') !== undefined ? { StopSignal: str(flags, 'stop-signal') } : {}),
    ...(stopTimeout !== undefined ? { StopTimeout: stopTimeout } : {}),
    HostConfig: hostConfig,
    // docker names the endpoint after the network mode, "default" included.
    // More --network flags (API 1.44+): one endpoint each; --network-alias and --ip apply to the first.
    NetworkingConfig: {
      EndpointsConfig: network.startsWith('container:') ? {} : Object.fromEntries(networks.length > 1 ? networks.map((n, i) => [n, i === 0 ? endpoint : {}]) : [[network, endpoint]]),
    },
  };
  const pull = (str(flags, 'pull') ?? 'missing') as CreatePlan['pull'];
  if (!['missing', 'always', 'never'].includes(pull)) throw new UsageError(`invalid pull option: '${pull}': must be one of "always", "missing" or "never"`);
  return { body, name: str(flags, 'name'), image, attach, tty, autoRemove, pull, platform: str(flags, 'platform') };
}
