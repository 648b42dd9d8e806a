// Docker's views of a container: GET /containers/{id}/json (inspect) and the GET /containers/json summaries.
import { EngineError } from '../errors.js';
import type { ContainerRecord, PortBinding } from './types.js';

/** go-units' HumanDuration, which `docker ps` prints ("Up 5 seconds", "About a minute"). */
export function humanDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 1) return 'Less than a second';
  if (s === 1) return '1 second';
  if (s < 60) return `${s} seconds`;
  const m = Math.floor(s / 60);
  if (m === 1) return 'About a minute';
  if (m < 60) return `${m} minutes`;
  const h = Math.round(s / 3600);
  if (h === 1) return 'About an hour';
  if (h < 48) return `${h} hours`;
  if (h < 24 * 7 * 2) return `${Math.floor(h / 24)} days`;
  if (h < 24 * 30 * 3) return `${Math.floor(h / 24 / 7)} weeks`;
  if (h < 24 * 365 * 2) return `${Math.floor(h / 24 / 30)} months`;
  return `${Math.floor(h / 24 / 365)} years`;
}

const since = (t: string, now: number) => now - Date.parse(t);

/** The Status column of `docker ps`. */
export function statusText(rec: ContainerRecord, now = Date.now()): string {
  const st = rec.State;
  switch (st.Status) {
    case 'running': {
      const health = st.Health && st.Health.Status !== 'none' ? ` (${st.Health.Status === 'starting' ? 'health: starting' : st.Health.Status})` : '';
      return `Up ${humanDuration(since(st.StartedAt, now))}${health}`;
    }
    case 'paused':
      return `Up ${humanDuration(since(st.StartedAt, now))} (Paused)`;
    case 'restarting':
      return `Restarting (${st.ExitCode}) ${humanDuration(since(st.FinishedAt, now))} ago`;
    case 'exited':
      return `Exited (${st.ExitCode}) ${humanDuration(since(st.FinishedAt, now))} ago`;
    case 'removing':
      return 'Removal In Progress';
    case 'dead':
      return 'Dead';
    default:
      return 'Created';
  }
}

/** Ports as `docker ps` lists them: published bindings, then exposed ports without a binding. */
export function portList(rec: ContainerRecord): { IP?: string; PrivatePort: number; PublicPort?: number; Type: string }[] {
  const out: { IP?: string; PrivatePort: number; PublicPort?: number; Type: string }[] = [];
  const running = rec.State.Running;
  const seen = new Set<string>();
  for (const [key, bindings] of Object.entries(running ? rec.Ports : {})) {
    const [port, proto = 'tcp'] = key.split('/');
    for (const b of bindings ?? []) {
      out.push({ IP: b.HostIp || '0.0.0.0', PrivatePort: Number(port), PublicPort: Number(b.HostPort), Type: proto });
      seen.add(key);
    }
  }
  for (const key of Object.keys(rec.Config.ExposedPorts ?? {})) {
    if (seen.has(key)) continue;
    const [port, proto = 'tcp'] = key.split('/');
    out.push({ PrivatePort: Number(port), Type: proto });
  }
  return out;
}

/** GET /containers/{id}/json. */
export function inspectContainer(rec: ContainerRecord, paths: { logPath: string; hostsPath: string; hostnamePath: string; resolvConfPath: string; driver: string }): Record<string, unknown> {
  const primary = Object.values(rec.Networks)[0];
  const ports: Record<string, PortBinding[] | null> = {};
  for (const key of Object.keys(rec.Config.ExposedPorts ?? {})) ports[key] = null;
  if (rec.State.Running) Object.assign(ports, rec.Ports);
  return {
    Id: rec.Id,
    Created: rec.Created,
    Path: rec.Path,
    Args: rec.Args,
    State: rec.State,
    Image: rec.Image,
    ResolvConfPath: paths.resolvConfPath,
    HostnamePath: paths.hostnamePath,
    HostsPath: paths.hostsPath,
    LogPath: paths.logPath,
    Name: rec.Name,
    RestartCount: rec.RestartCount,
    Driver: paths.driver,
    Platform: 'linux',
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    ExecIDs: rec.ExecIDs.length ? rec.ExecIDs : null,
    HostConfig: { ...rec.HostConfig, NetworkMode: rec.HostConfig.NetworkMode || 'bridge' },
    GraphDriver: { Name: paths.driver, Data: null },
    Mounts: rec.Mounts,
    Config: { ...rec.Config, Image: rec.ImageName },
    NetworkSettings: {
      Bridge: '',
      SandboxID: rec.State.Running ? rec.Id : '',
      SandboxKey: '',
      HairpinMode: false,
      LinkLocalIPv6Address: '',
      LinkLocalIPv6PrefixLen: 0,
      Ports: ports,
      SecondaryIPAddresses: null,
      SecondaryIPv6Addresses: null,
      EndpointID: primary?.EndpointID ?? '',
      Gateway: primary?.Gateway ?? '',
      GlobalIPv6Address: '',
      GlobalIPv6PrefixLen: 0,
      IPAddress: primary?.IPAddress ?? '',
      IPPrefixLen: primary?.IPPrefixLen ?? 0,
      IPv6Gateway: '',
      MacAddress: primary?.MacAddress ?? '',
      Networks: rec.Networks,
    },
  };
}

/** One entry of GET /containers/json. */
export function containerSummary(rec: ContainerRecord, now = Date.now()): Record<string, unknown> {
  return {
    Id: rec.Id,
    Names: [rec.Name],
    Image: rec.ImageName,
    ImageID: rec.Image,
    Command: [rec.Path, ...rec.Args].map(quoteArg).join(' '),
    Created: Math.floor(Date.parse(rec.Created) / 1000),
    Ports: portList(rec),
    Labels: rec.Config.Labels ?? {},
    State: rec.State.Status,
    Status: statusText(rec, now),
    HostConfig: { NetworkMode: rec.HostConfig.NetworkMode || 'bridge' },
    NetworkSettings: { Networks: rec.Networks },
    Mounts: rec.Mounts.map((m) => ({ ...m })),
  };
}

function quoteArg(a: string): string {
  return /\s/.test(a) ? `'${a}'` : a;
}

/** GET /containers/json filters (id, name, label, status, ancestor, exited, network, volume, before, since). */
export function matchesFilters(rec: ContainerRecord, filters: Map<string, string[]>, lookup: (ref: string) => ContainerRecord | undefined, imageIds: (ref: string) => string[]): boolean {
  for (const [key, values] of filters) {
    if (!values.length) continue;
    const any = (pred: (v: string) => boolean) => values.some(pred);
    switch (key) {
      case 'id':
        if (!any((v) => rec.Id.startsWith(v))) return false;
        break;
      case 'name':
        if (!any((v) => new RegExp(v.replace(/^\//, '')).test(rec.Name.slice(1)))) return false;
        break;
      case 'label': {
        const labels = rec.Config.Labels ?? {};
        if (!values.every((v) => (v.includes('=') ? labels[v.slice(0, v.indexOf('='))] === v.slice(v.indexOf('=') + 1) : v in labels))) return false;
        break;
      }
      case 'status': {
        const valid = ['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead'];
        for (const v of values) if (!valid.includes(v)) throw new EngineError(`invalid filter 'status=${v}'`, 'InvalidArgument');
        if (!values.includes(rec.State.Status)) return false;
        break;
      }
      case 'exited':
        if (rec.State.Status !== 'exited' || !any((v) => Number(v) === rec.State.ExitCode)) return false;
        break;
      case 'ancestor':
        if (!any((v) => rec.ImageName === v || imageIds(v).includes(rec.Image))) return false;
        break;
      case 'network':
        if (!any((v) => v in rec.Networks || Object.values(rec.Networks).some((n) => n.NetworkID?.startsWith(v)))) return false;
        break;
      case 'volume':
        if (!any((v) => rec.Mounts.some((m) => m.Name === v || m.Destination === v || m.Source === v))) return false;
        break;
      case 'before':
      case 'since': {
        const ref = lookup(values[0]!);
        if (!ref) throw new EngineError(`No such container: ${values[0]}`, 'NotFound');
        const cmp = Date.parse(rec.Created) - Date.parse(ref.Created);
        if (key === 'before' ? cmp >= 0 : cmp <= 0) return false;
        break;
      }
      case 'health':
      case 'isolation':
      case 'publish':
      case 'expose':
        break;
      default:
        throw new EngineError(`invalid filter '${key}'`, 'InvalidArgument');
    }
  }
  return true;
}
