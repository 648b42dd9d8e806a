// Storage flags of run/create as the docker CLI sends them: -v (Binds, or Config.Volumes for an anonymous
// volume), --mount (HostConfig.Mounts from docker's CSV syntax), --tmpfs (HostConfig.Tmpfs), --device.
import path from 'node:path';
import { UsageError } from '../../common/args.js';
import { parseRamBytes } from './units.js';

const VOLUME_MODES = new Set(['ro', 'rw', 'z', 'Z', 'nocopy', 'shared', 'rshared', 'slave', 'rslave', 'private', 'rprivate', 'consistent', 'cached', 'delegated']);

export interface VolumeFlags {
  binds: string[];
  /** Anonymous volumes (Config.Volumes). */
  volumes: Record<string, Record<string, never>>;
}

/** One -v value: "src:dst[:mode]" → a bind/named entry; "/dst" → an anonymous volume. Relative "./src" becomes absolute. */
export function addVolume(out: VolumeFlags, raw: string, cwd: string): void {
  const parts = raw.split(':');
  const bad = (why: string): never => {
    throw new UsageError(`invalid argument "${raw}" for "-v, --volume" flag: invalid spec: ${raw}: ${why}`);
  };
  if (parts.some((p) => p === '')) bad('empty section between colons');
  if (parts.length > 3) bad('too many colons');
  if (parts.length === 1) {
    if (!parts[0]!.startsWith('/')) bad(`invalid mount path: '${parts[0]}' mount path must be absolute`);
    out.volumes[parts[0]!] = {};
    return;
  }
  let [src, dst, mode] = parts as [string, string, string | undefined];
  if (parts.length === 2 && !dst.startsWith('/') && dst.split(',').every((m) => VOLUME_MODES.has(m)) && src.startsWith('/')) {
    // "/data:ro": an anonymous volume with a mode.
    out.volumes[src] = {};
    return;
  }
  if (!dst.startsWith('/')) bad(`invalid mount path: '${dst}' mount path must be absolute`);
  if (mode !== undefined) {
    for (const m of mode.split(',')) if (!VOLUME_MODES.has(m)) bad(`invalid mode: ${mode}`);
  }
  if (src.startsWith('.') || src.startsWith('~')) {
    if (src.startsWith('~')) bad(`'~' is not expanded in a volume source: use an absolute path`);
    src = path.resolve(cwd, src);
  }
  out.binds.push([src, dst, ...(mode !== undefined ? [mode] : [])].join(':'));
}

export interface MountSpec {
  Type: 'bind' | 'volume' | 'tmpfs';
  Source?: string;
  Target: string;
  ReadOnly?: boolean;
  Consistency?: string;
  BindOptions?: { Propagation?: string; NonRecursive?: boolean; CreateMountpoint?: boolean };
  VolumeOptions?: { NoCopy?: boolean; Labels?: Record<string, string>; DriverConfig?: { Name?: string; Options?: Record<string, string> } };
  TmpfsOptions?: { SizeBytes?: number; Mode?: number };
}

function csvFields(raw: string): string[] {
  // docker reads --mount with encoding/csv: a quoted field may hold commas.
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === '"') {
      if (quoted && raw[i + 1] === '"') {
        cur += '"';
        i++;
      } else quoted = !quoted;
    } else if (c === ',' && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

function boolValue(key: string, v: string | undefined, raw: string): boolean {
  if (v === undefined) return true;
  if (/^(1|true|t|yes)$/i.test(v)) return true;
  if (/^(0|false|f|no)$/i.test(v)) return false;
  throw new UsageError(`invalid argument "${raw}" for "--mount" flag: invalid value for ${key}: ${v}`);
}

/** One --mount value ("type=bind,source=/a,target=/b,readonly"). */
export function parseMount(raw: string): MountSpec {
  const fail = (why: string): never => {
    throw new UsageError(`invalid argument "${raw}" for "--mount" flag: ${why}`);
  };
  const m: MountSpec = { Type: 'volume', Target: '' };
  const volumeOptions = () => (m.VolumeOptions ??= {});
  const bindOptions = () => (m.BindOptions ??= {});
  const tmpfsOptions = () => (m.TmpfsOptions ??= {});
  for (const field of csvFields(raw)) {
    const eq = field.indexOf('=');
    const key = (eq < 0 ? field : field.slice(0, eq)).trim().toLowerCase();
    const value = eq < 0 ? undefined : field.slice(eq + 1);
    if (value === undefined && !['readonly', 'ro', 'volume-nocopy', 'bind-nonrecursive'].includes(key)) fail(`invalid field '${field}' must be a key=value pair`);
    switch (key) {
      case 'type':
        if (!['bind', 'volume', 'tmpfs'].includes(value!)) fail(`invalid mount type: ${value} (use bind, volume or tmpfs)`);
        m.Type = value as MountSpec['Type'];
        break;
      case 'source':
      case 'src':
        m.Source = value!;
        break;
      case 'target':
      case 'dst':
      case 'destination':
        m.Target = value!;
        break;
      case 'readonly':
      case 'ro':
        m.ReadOnly = boolValue(key, value, raw);
        break;
      case 'consistency':
        m.Consistency = value!;
        break;
      case 'bind-propagation':
        bindOptions().Propagation = value!;
        break;
      case 'bind-nonrecursive':
        bindOptions().NonRecursive = boolValue(key, value, raw);
        break;
      case 'bind-create-mountpoint':
        bindOptions().CreateMountpoint = boolValue(key, value, raw);
        break;
      case 'volume-nocopy':
        volumeOptions().NoCopy = boolValue(key, value, raw);
        break;
      case 'volume-driver':
        (volumeOptions().DriverConfig ??= {}).Name = value!;
        break;
      case 'volume-label': {
        const [k, ...v] = value!.split('=');
        (volumeOptions().Labels ??= {})[k!] = v.join('=');
        break;
      }
      case 'volume-opt': {
        const [k, ...v] = value!.split('=');
        ((volumeOptions().DriverConfig ??= {}).Options ??= {})[k!] = v.join('=');
        break;
      }
      case 'tmpfs-size':
        tmpfsOptions().SizeBytes = parseRamBytes(value!, '--mount');
        break;
      case 'tmpfs-mode': {
        const mode = Number.parseInt(value!, 8);
        if (!/^[0-7]+$/.test(value!)) fail(`invalid value for tmpfs-mode: ${value} (octal, e.g. 1777)`);
        tmpfsOptions().Mode = mode;
        break;
      }
      default:
        fail(`unexpected key '${key}' in '${field}'`);
    }
  }
  if (!m.Target) fail('target is required');
  if (m.Type !== 'bind' && m.BindOptions) fail(`cannot mix 'bind-*' options with mount type '${m.Type}'`);
  if (m.Type !== 'volume' && m.VolumeOptions) fail(`cannot mix 'volume-*' options with mount type '${m.Type}'`);
  if (m.Type !== 'tmpfs' && m.TmpfsOptions) fail(`cannot mix 'tmpfs-*' options with mount type '${m.Type}'`);
  return m;
}

/** One --tmpfs value: "/run[:opts]" → ["/run", "opts"]. */
export function parseTmpfs(raw: string): [string, string] {
  const i = raw.indexOf(':');
  const dst = i < 0 ? raw : raw.slice(0, i);
  if (!dst.startsWith('/')) throw new UsageError(`invalid argument "${raw}" for "--tmpfs" flag: invalid mount path: '${dst}' mount path must be absolute`);
  return [dst, i < 0 ? '' : raw.slice(i + 1)];
}

export interface DeviceMapping {
  PathOnHost: string;
  PathInContainer: string;
  CgroupPermissions: string;
}

const validPerms = (p: string) => p.length > 0 && p.length <= 3 && /^[rwm]+$/.test(p);

/** One --device value: "/dev/x[:/dev/y][:rwm]". */
export function parseDevice(raw: string): DeviceMapping {
  const parts = raw.split(':');
  let src = parts[0]!;
  let dst = '';
  let perms = 'rwm';
  if (parts.length === 3) {
    dst = parts[1]!;
    if (!validPerms(parts[2]!)) throw new UsageError(`invalid argument "${raw}" for "--device" flag: invalid device mode: ${parts[2]}`);
    perms = parts[2]!;
  } else if (parts.length === 2) {
    if (validPerms(parts[1]!)) perms = parts[1]!;
    else dst = parts[1]!;
  } else if (parts.length !== 1) {
    throw new UsageError(`invalid argument "${raw}" for "--device" flag: invalid device specification: ${raw}`);
  }
  if (!src.startsWith('/')) throw new UsageError(`invalid argument "${raw}" for "--device" flag: bad format for path: ${src}`);
  if (dst && !dst.startsWith('/')) throw new UsageError(`invalid argument "${raw}" for "--device" flag: bad format for path: ${dst}`);
  src = path.normalize(src);
  return { PathOnHost: src, PathInContainer: dst || src, CgroupPermissions: perms };
}
