// -v, --mount, --tmpfs and image VOLUMEs → the container's mount points (Docker's MountPoint list), with named
// and anonymous volumes created as needed. Host paths are resolved here; the OCI mounts follow from the list.
import fs from 'node:fs';
import path from 'node:path';
import type { Mount } from '../../runtime/spec/types.js';
import { EngineError } from '../errors.js';
import type { VolumeStore } from '../volumes/store.js';
import type { ContainerRecord, MountPoint } from './types.js';

const PROPAGATIONS = ['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave'];

/** Parses one `-v` entry: `/host:/ctr[:ro,z,rshared…]`, `name:/ctr[:ro]`, or `/ctr` (anonymous). */
export function parseBind(spec: string): { source: string; destination: string; rw: boolean; propagation: string; mode: string } {
  const parts = spec.split(':');
  let source = '';
  let destination: string;
  let mode = '';
  if (parts.length === 1) destination = parts[0]!;
  else if (parts.length === 2) {
    if (parts[1]!.startsWith('/')) [source, destination] = [parts[0]!, parts[1]!];
    else [destination, mode] = [parts[0]!, parts[1]!];
  } else if (parts.length === 3) [source, destination, mode] = [parts[0]!, parts[1]!, parts[2]!];
  else throw new EngineError(`invalid volume specification: '${spec}'`, 'InvalidArgument');
  if (!destination.startsWith('/')) throw new EngineError(`invalid volume specification: '${spec}': the mount destination must be an absolute path`, 'InvalidArgument');
  if (destination === '/') throw new EngineError(`invalid volume specification: '${spec}': destination can't be '/'`, 'InvalidArgument');
  let rw = true;
  let propagation = '';
  for (const opt of mode ? mode.split(',') : []) {
    if (opt === 'ro') rw = false;
    else if (opt === 'rw') rw = true;
    else if (PROPAGATIONS.includes(opt)) propagation = opt;
    else if (opt === 'z' || opt === 'Z' || opt === 'nocopy' || opt === 'consistent' || opt === 'cached' || opt === 'delegated') continue;
    else throw new EngineError(`invalid mode: ${opt} (in volume specification '${spec}')`, 'InvalidArgument');
  }
  return { source, destination: path.posix.normalize(destination), rw, propagation, mode };
}

export interface ResolvedMounts {
  points: MountPoint[];
  /** Volumes created for this container (so a failed create can remove them). */
  createdVolumes: string[];
}

/** Resolves every mount request of a container being created, creating the volumes it names. */
export function resolveMounts(rec: ContainerRecord, volumes: VolumeStore): ResolvedMounts {
  const points: MountPoint[] = [];
  const created: string[] = [];
  const taken = new Set<string>();
  const add = (p: MountPoint) => {
    if (taken.has(p.Destination)) throw new EngineError(`Duplicate mount point: ${p.Destination}`, 'InvalidArgument');
    taken.add(p.Destination);
    points.push(p);
  };
  const volume = (name: string | undefined, labels?: Record<string, string>) => {
    const { volume: v, created: isNew } = volumes.create({ ...(name ? { name } : { anonymous: true }), ...(labels ? { labels } : {}) });
    if (isNew) created.push(v.Name);
    return v;
  };
  try {
    for (const b of rec.HostConfig.Binds ?? []) {
      const p = parseBind(b);
      if (p.source.startsWith('/')) {
        // -v creates a missing host directory (Docker's legacy behaviour); --mount refuses, below.
        if (!fs.existsSync(p.source)) fs.mkdirSync(p.source, { recursive: true });
        add({ Type: 'bind', Source: p.source, Destination: p.destination, Mode: p.mode, RW: p.rw, Propagation: p.propagation || 'rprivate' });
      } else {
        const v = volume(p.source || undefined);
        add({ Type: 'volume', Name: v.Name, Source: v.Mountpoint, Destination: p.destination, Driver: 'local', Mode: p.mode || 'z', RW: p.rw, Propagation: '' });
      }
    }
    for (const m of rec.HostConfig.Mounts ?? []) {
      const target = m.Target ?? '';
      if (!target.startsWith('/')) throw new EngineError(`invalid mount config: the target "${target}" must be an absolute path`, 'InvalidArgument');
      const type = m.Type ?? 'volume';
      if (type === 'bind') {
        if (!m.Source?.startsWith('/')) throw new EngineError(`invalid mount config for type "bind": the source "${m.Source ?? ''}" must be an absolute path`, 'InvalidArgument');
        if (!fs.existsSync(m.Source)) throw new EngineError(`invalid mount config for type "bind": bind source path does not exist: ${m.Source}`, 'InvalidArgument');
        add({ Type: 'bind', Source: m.Source, Destination: target, Mode: '', RW: !m.ReadOnly, Propagation: m.BindOptions?.Propagation || 'rprivate' });
      } else if (type === 'volume') {
        const v = volume(m.Source || undefined, m.VolumeOptions?.Labels);
        add({ Type: 'volume', Name: v.Name, Source: v.Mountpoint, Destination: target, Driver: 'local', Mode: 'z', RW: !m.ReadOnly, Propagation: '' });
      } else if (type === 'tmpfs') {
        const opts = [m.TmpfsOptions?.SizeBytes ? `size=${m.TmpfsOptions.SizeBytes}` : '', m.TmpfsOptions?.Mode ? `mode=${m.TmpfsOptions.Mode.toString(8)}` : ''].filter(Boolean).join(',');
        add({ Type: 'tmpfs', Source: '', Destination: target, Mode: opts, RW: !m.ReadOnly, Propagation: '' });
      } else {
        throw new EngineError(`invalid mount config: mount type "${type}" is not supported (use bind, volume or tmpfs)`, 'InvalidArgument');
      }
    }
    for (const [target, opts] of Object.entries(rec.HostConfig.Tmpfs ?? {})) {
      add({ Type: 'tmpfs', Source: '', Destination: target, Mode: opts, RW: true, Propagation: '' });
    }
    // Image VOLUMEs (and `-v /path`) not covered by an explicit mount get an anonymous volume each.
    for (const dest of Object.keys(rec.Config.Volumes ?? {})) {
      if (taken.has(path.posix.normalize(dest))) continue;
      const v = volume(undefined);
      add({ Type: 'volume', Name: v.Name, Source: v.Mountpoint, Destination: path.posix.normalize(dest), Driver: 'local', Mode: '', RW: true, Propagation: '' });
    }
  } catch (e) {
    for (const name of created) volumes.remove(name, true);
    throw e;
  }
  return { points, createdVolumes: created };
}

/** The OCI mounts for a container's mount points. */
export function ociMounts(points: MountPoint[]): Mount[] {
  return points.map((p) => {
    if (p.Type === 'tmpfs') {
      const opts = ['nosuid', 'nodev', 'noexec', ...(p.Mode ? p.Mode.split(',').filter(Boolean) : [])];
      if (!p.RW) opts.push('ro');
      return { destination: p.Destination, type: 'tmpfs', source: 'tmpfs', options: opts };
    }
    const opts = ['rbind', p.RW ? 'rw' : 'ro'];
    if (p.Propagation) opts.push(p.Propagation);
    return { destination: p.Destination, type: 'bind', source: p.Source, options: opts };
  });
}

/**
 * Docker copies the image's files at a volume's mount point into the volume the first time an empty volume is
 * mounted there (so `VOLUME /data` images start with their data).
 */
export async function copyUpVolumes(points: MountPoint[], rootfs: string, copy: (from: string, to: string) => Promise<void>): Promise<void> {
  for (const p of points) {
    if (p.Type !== 'volume') continue;
    const inImage = path.join(rootfs, p.Destination);
    let entries: string[];
    try {
      if (fs.readdirSync(p.Source).length > 0) continue;
      entries = fs.readdirSync(inImage);
    } catch {
      continue;
    }
    if (entries.length) await copy(inImage, p.Source);
  }
}
