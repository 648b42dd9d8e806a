// `berth ps` rows as docker's formatter shows them: the columns CONTAINER ID, IMAGE, COMMAND, CREATED,
// STATUS, PORTS, NAMES; commands quoted and cut to 20 runes, ports grouped into ranges, ages as
// "5 minutes ago"; and the same fields (ID, Image, Command, CreatedAt, RunningFor, …) for templates and JSON.
import { ellipsis, goQuote, goTimeString, shortId, type FormatSpec } from './format.js';
import { humanDuration, humanSize } from './units.js';

/** One entry of GET /containers/json (the fields ps uses). */
export interface ContainerSummary {
  Id: string;
  Names?: string[] | null;
  Image?: string;
  ImageID?: string;
  Command?: string;
  Created?: number;
  Ports?: { IP?: string; PrivatePort: number; PublicPort?: number; Type: string }[] | null;
  Labels?: Record<string, string> | null;
  State?: string;
  Status?: string;
  SizeRw?: number;
  SizeRootFs?: number;
  Mounts?: { Type?: string; Name?: string; Source?: string }[] | null;
  NetworkSettings?: { Networks?: Record<string, unknown> | null } | null;
}

type Port = NonNullable<ContainerSummary['Ports']>[number];

function joinHostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

function formGroup(key: string, first: number, last: number): string {
  const slash = key.lastIndexOf('/');
  const ip = slash >= 0 ? key.slice(0, slash) : '';
  const type = slash >= 0 ? key.slice(slash + 1) : key;
  let group = first === last ? String(first) : `${first}-${last}`;
  if (ip) group = `${ip}:${group}->${group}`;
  return `${group}/${type}`;
}

/** docker's DisplayablePorts: "0.0.0.0:8080->80/tcp, 443/tcp", consecutive ports grouped ("8000-8002/tcp"). */
export function displayablePorts(ports: Port[]): string {
  const sorted = [...ports].sort((a, b) =>
    a.PrivatePort !== b.PrivatePort ? a.PrivatePort - b.PrivatePort
      : (a.IP ?? '') !== (b.IP ?? '') ? ((a.IP ?? '') < (b.IP ?? '') ? -1 : 1)
        : (a.PublicPort ?? 0) !== (b.PublicPort ?? 0) ? (a.PublicPort ?? 0) - (b.PublicPort ?? 0)
          : a.Type < b.Type ? -1 : a.Type > b.Type ? 1 : 0);
  const groups = new Map<string, { first: number; last: number }>();
  const order: string[] = [];
  const result: string[] = [];
  const hostMappings: string[] = [];
  for (const p of sorted) {
    const current = p.PrivatePort;
    let key = p.Type;
    if (p.IP) {
      if ((p.PublicPort ?? 0) !== current) {
        hostMappings.push(`${joinHostPort(p.IP, p.PublicPort ?? 0)}->${p.PrivatePort}/${p.Type}`);
        continue;
      }
      key = `${p.IP}/${p.Type}`;
    }
    const g = groups.get(key);
    if (!g) {
      groups.set(key, { first: current, last: current });
      order.push(key);
      continue;
    }
    if (current === g.last + 1) {
      g.last = current;
      continue;
    }
    result.push(formGroup(key, g.first, g.last));
    groups.set(key, { first: current, last: current });
  }
  for (const k of order) result.push(formGroup(k, groups.get(k)!.first, groups.get(k)!.last));
  return [...result, ...hostMappings].join(', ');
}

/** The IMAGE column: a bare image id is cut to 12, a digest dropped from a name (unless --no-trunc). */
function imageColumn(c: ContainerSummary, trunc: boolean): string {
  const image = c.Image ?? '';
  if (!image) return '<no image>';
  if (!trunc) return image;
  if (/^(sha256:)?[0-9a-f]{64}$/.test(image)) return shortId(image);
  const at = image.indexOf('@');
  return at >= 0 ? image.slice(0, at) : image;
}

/** The NAMES column: leading "/" dropped; truncated output keeps the first name that is not a link. */
function namesColumn(c: ContainerSummary, trunc: boolean): string {
  let names = (c.Names ?? []).map((n) => n.replace(/^\//, ''));
  if (trunc) {
    const own = names.find((n) => !n.includes('/'));
    if (own !== undefined) names = [own];
  }
  return names.join(',');
}

/** The row a template or `--format json` sees (docker's ContainerContext fields). */
export function containerView(c: ContainerSummary, opts: { trunc: boolean; now?: number; size?: boolean }): Record<string, unknown> {
  const now = opts.now ?? Date.now();
  const created = (c.Created ?? 0) * 1000;
  const mounts = (c.Mounts ?? []).map((m) => {
    const name = m.Name || m.Source || '';
    return opts.trunc ? ellipsis(name, 15) : name;
  });
  let size = humanSize(c.SizeRw ?? 0, 3);
  if ((c.SizeRootFs ?? 0) > 0) size += ` (virtual ${humanSize(c.SizeRootFs!, 3)})`;
  return {
    Command: goQuote(opts.trunc ? ellipsis(c.Command ?? '', 20) : c.Command ?? ''),
    CreatedAt: goTimeString(new Date(created), 0),
    ID: opts.trunc ? shortId(c.Id) : c.Id,
    Image: imageColumn(c, opts.trunc),
    Labels: Object.entries(c.Labels ?? {}).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}=${v}`).join(','),
    LocalVolumes: String((c.Mounts ?? []).filter((m) => m.Type === 'volume').length),
    Mounts: mounts.join(','),
    Names: namesColumn(c, opts.trunc),
    Networks: Object.keys(c.NetworkSettings?.Networks ?? {}).sort().join(','),
    Platform: null,
    Ports: displayablePorts(c.Ports ?? []),
    RunningFor: `${humanDuration(now - created)} ago`,
    Size: size,
    State: c.State ?? '',
    Status: c.Status ?? '',
  };
}

/** The ps table and templates. */
export function psFormat(opts: { trunc: boolean; size?: boolean; now?: number }): FormatSpec<ContainerSummary> {
  return {
    headers: {
      ID: 'CONTAINER ID', Image: 'IMAGE', Command: 'COMMAND', CreatedAt: 'CREATED AT', RunningFor: 'CREATED', Ports: 'PORTS',
      State: 'STATE', Status: 'STATUS', Size: 'SIZE', Names: 'NAMES', Labels: 'LABELS', Mounts: 'MOUNTS', Networks: 'NETWORKS', LocalVolumes: 'LOCAL VOLUMES',
    },
    defaultColumns: ['ID', 'Image', 'Command', 'RunningFor', 'Status', 'Ports', 'Names', ...(opts.size ? ['Size'] : [])],
    view: (c) => containerView(c, opts),
  };
}
