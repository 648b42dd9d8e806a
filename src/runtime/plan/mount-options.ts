// OCI mount options → mount(2) flags, propagation and fs data, following runc's specconv tables.

export const MS_RDONLY = 1;
export const MS_NOSUID = 2;
export const MS_NODEV = 4;
export const MS_NOEXEC = 8;
export const MS_SYNCHRONOUS = 16;
export const MS_REMOUNT = 32;
export const MS_MANDLOCK = 64;
export const MS_DIRSYNC = 128;
export const MS_NOSYMFOLLOW = 256;
export const MS_NOATIME = 1024;
export const MS_NODIRATIME = 2048;
export const MS_BIND = 4096;
export const MS_MOVE = 8192;
export const MS_REC = 16384;
export const MS_SILENT = 32768;
export const MS_POSIXACL = 1 << 16;
export const MS_UNBINDABLE = 1 << 17;
export const MS_PRIVATE = 1 << 18;
export const MS_SLAVE = 1 << 19;
export const MS_SHARED = 1 << 20;
export const MS_RELATIME = 1 << 21;
export const MS_I_VERSION = 1 << 23;
export const MS_STRICTATIME = 1 << 24;
export const MS_LAZYTIME = 1 << 25;

// mount_setattr(2) attributes, used by the recursive r* options (rro, rnosuid, …).
export const MOUNT_ATTR_RDONLY = 0x1;
export const MOUNT_ATTR_NOSUID = 0x2;
export const MOUNT_ATTR_NODEV = 0x4;
export const MOUNT_ATTR_NOEXEC = 0x8;
export const MOUNT_ATTR__ATIME = 0x70;
export const MOUNT_ATTR_RELATIME = 0x0;
export const MOUNT_ATTR_NOATIME = 0x10;
export const MOUNT_ATTR_STRICTATIME = 0x20;
export const MOUNT_ATTR_NODIRATIME = 0x80;
export const MOUNT_ATTR_NOSYMFOLLOW = 0x200000;

/** `clear` options undo a flag set by an earlier option (e.g. `ro,rw` ends read-write), as mount(8) does. */
const FLAGS: Readonly<Record<string, { clear: boolean; flag: number }>> = {
  acl: { clear: false, flag: MS_POSIXACL },
  async: { clear: true, flag: MS_SYNCHRONOUS },
  atime: { clear: true, flag: MS_NOATIME },
  bind: { clear: false, flag: MS_BIND },
  defaults: { clear: false, flag: 0 },
  dev: { clear: true, flag: MS_NODEV },
  diratime: { clear: true, flag: MS_NODIRATIME },
  dirsync: { clear: false, flag: MS_DIRSYNC },
  exec: { clear: true, flag: MS_NOEXEC },
  iversion: { clear: false, flag: MS_I_VERSION },
  lazytime: { clear: false, flag: MS_LAZYTIME },
  loud: { clear: true, flag: MS_SILENT },
  mand: { clear: false, flag: MS_MANDLOCK },
  noacl: { clear: true, flag: MS_POSIXACL },
  noatime: { clear: false, flag: MS_NOATIME },
  nodev: { clear: false, flag: MS_NODEV },
  nodiratime: { clear: false, flag: MS_NODIRATIME },
  noexec: { clear: false, flag: MS_NOEXEC },
  noiversion: { clear: true, flag: MS_I_VERSION },
  nolazytime: { clear: true, flag: MS_LAZYTIME },
  nomand: { clear: true, flag: MS_MANDLOCK },
  norelatime: { clear: true, flag: MS_RELATIME },
  nostrictatime: { clear: true, flag: MS_STRICTATIME },
  nosuid: { clear: false, flag: MS_NOSUID },
  nosymfollow: { clear: false, flag: MS_NOSYMFOLLOW },
  rbind: { clear: false, flag: MS_BIND | MS_REC },
  relatime: { clear: false, flag: MS_RELATIME },
  remount: { clear: false, flag: MS_REMOUNT },
  ro: { clear: false, flag: MS_RDONLY },
  rw: { clear: true, flag: MS_RDONLY },
  silent: { clear: false, flag: MS_SILENT },
  strictatime: { clear: false, flag: MS_STRICTATIME },
  suid: { clear: true, flag: MS_NOSUID },
  sync: { clear: false, flag: MS_SYNCHRONOUS },
};

const PROPAGATION: Readonly<Record<string, number>> = {
  private: MS_PRIVATE, rprivate: MS_PRIVATE | MS_REC,
  slave: MS_SLAVE, rslave: MS_SLAVE | MS_REC,
  shared: MS_SHARED, rshared: MS_SHARED | MS_REC,
  unbindable: MS_UNBINDABLE, runbindable: MS_UNBINDABLE | MS_REC,
};

const RECURSIVE: Readonly<Record<string, { clear: boolean; attr: number }>> = {
  rro: { clear: false, attr: MOUNT_ATTR_RDONLY }, rrw: { clear: true, attr: MOUNT_ATTR_RDONLY },
  rnosuid: { clear: false, attr: MOUNT_ATTR_NOSUID }, rsuid: { clear: true, attr: MOUNT_ATTR_NOSUID },
  rnodev: { clear: false, attr: MOUNT_ATTR_NODEV }, rdev: { clear: true, attr: MOUNT_ATTR_NODEV },
  rnoexec: { clear: false, attr: MOUNT_ATTR_NOEXEC }, rexec: { clear: true, attr: MOUNT_ATTR_NOEXEC },
  rnodiratime: { clear: false, attr: MOUNT_ATTR_NODIRATIME },
  rdiratime: { clear: true, attr: MOUNT_ATTR_NODIRATIME },
  rrelatime: { clear: false, attr: MOUNT_ATTR_RELATIME },
  rnorelatime: { clear: true, attr: MOUNT_ATTR_RELATIME },
  rnoatime: { clear: false, attr: MOUNT_ATTR_NOATIME }, ratime: { clear: true, attr: MOUNT_ATTR_NOATIME },
  rstrictatime: { clear: false, attr: MOUNT_ATTR_STRICTATIME },
  rnostrictatime: { clear: true, attr: MOUNT_ATTR_STRICTATIME },
  rnosymfollow: { clear: false, attr: MOUNT_ATTR_NOSYMFOLLOW },
  rsymfollow: { clear: true, attr: MOUNT_ATTR_NOSYMFOLLOW },
};

/** Options that are neither flags nor fs data: runc-specific extensions and id-mapped mounts. */
const EXTENSIONS = new Set(['tmpcopyup', 'idmap', 'ridmap']);

export interface ParsedMountOptions {
  /** MS_* flags for mount(2). */
  flags: number;
  /** MS_* flags explicitly cleared (`rw`, `suid`, …): a bind remount must not inherit them. */
  cleared: number;
  /** Propagation applied after mounting (last propagation option wins), 0 if none. */
  propagation: number;
  /** Options the kernel flags do not cover, passed to the filesystem (e.g. `mode=755,size=65536k`). */
  data: string;
  /** mount_setattr(2) attributes applied recursively, from the r* options; absent when none are given. */
  recursive?: { set: number; clear: number };
  /** Extension options present (`tmpcopyup`, `idmap`, `ridmap`), which need support beyond mount(2). */
  extensions: string[];
}

/** Parses an OCI mount's `options` the way runc does; unknown options become fs data. */
export function parseMountOptions(options: readonly string[] = []): ParsedMountOptions {
  let flags = 0;
  let cleared = 0;
  let propagation = 0;
  const data: string[] = [];
  const extensions: string[] = [];
  let recursive: { set: number; clear: number } | undefined;
  for (const opt of options) {
    const f = FLAGS[opt];
    const r = RECURSIVE[opt];
    if (Object.hasOwn(FLAGS, opt) && f) {
      if (f.clear) {
        flags &= ~f.flag;
        cleared |= f.flag;
      } else {
        flags |= f.flag;
        cleared &= ~f.flag;
      }
    } else if (Object.hasOwn(PROPAGATION, opt)) {
      propagation = PROPAGATION[opt] ?? 0;
    } else if (Object.hasOwn(RECURSIVE, opt) && r) {
      recursive ??= { set: 0, clear: 0 };
      // The atime modes are one 3-bit field: choosing any of them replaces the whole field.
      const isAtime = opt === 'rrelatime' || opt === 'rnoatime' || opt === 'rstrictatime' ||
        opt === 'ratime' || opt === 'rnorelatime' || opt === 'rnostrictatime';
      if (isAtime) recursive.clear |= MOUNT_ATTR__ATIME;
      if (r.clear) {
        recursive.set &= ~r.attr;
        recursive.clear |= r.attr;
      } else {
        recursive.set |= r.attr;
        if (!isAtime) recursive.clear &= ~r.attr;
      }
    } else if (EXTENSIONS.has(opt)) {
      extensions.push(opt);
    } else {
      data.push(opt);
    }
  }
  const parsed: ParsedMountOptions = { flags, cleared, propagation, data: data.join(','), extensions };
  if (recursive) parsed.recursive = recursive;
  return parsed;
}

/** The propagation mask of a `rootfsPropagation` value, or undefined if the value is not one. */
export function propagationFlags(mode: string): number | undefined {
  return Object.hasOwn(PROPAGATION, mode) ? PROPAGATION[mode] : undefined;
}

/** The propagation mode names accepted by `linux.rootfsPropagation` and mount options. */
export const PROPAGATION_MODES: readonly string[] = Object.keys(PROPAGATION);

/** Every mount option Berth acts on (for `features`): flag and propagation names, not r*, idmap or tmpcopyup. */
export const MOUNT_OPTION_NAMES: readonly string[] = [...Object.keys(FLAGS), ...Object.keys(PROPAGATION)];
