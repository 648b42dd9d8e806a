// Builds the mount descriptions snapshotters return. Pure: no filesystem access, so the overlay option
// layout and the kernel's size limit are unit-tested without root.
import { ImageError } from '../errors.js';
import type { Mount } from './types.js';

/**
 * mount(2) copies its data argument (everything that is not a flag) into one page, NUL included; a longer
 * lowerdir list is cut off by the kernel, so it is refused here with a message instead.
 */
export const MOUNT_DATA_LIMIT = 4096 - 1;

// Options berth-fsops turns into mount flags (native/fsops/fsops.c); the rest is filesystem data.
const FLAG_OPTIONS = new Set(['ro', 'rw', 'nosuid', 'nodev', 'noexec', 'bind', 'rbind', 'remount']);

/** The data string mount(2) receives for these options. */
export function mountData(options: string[]): string {
  return options.filter((o) => !FLAG_OPTIONS.has(o)).join(',');
}

/** A recursive bind mount of dir, read-only or writable. */
export function bindMount(dir: string, readonly: boolean): Mount {
  return { type: 'bind', source: dir, options: ['rbind', readonly ? 'ro' : 'rw'] };
}

export interface OverlaySpec {
  /** Lower directories, nearest parent first (overlay's lowerdir order: the leftmost is on top). */
  lowers: string[];
  /** Upper and work dirs; both absent for a read-only view. */
  upper?: string;
  work?: string;
  /** Extra data options (e.g. index=off), placed first. */
  extra?: string[];
  /** Names the snapshot in errors. */
  key: string;
}

// overlay splits lowerdir on ":" and the option string on ","; such paths would be misread.
function checkPath(p: string, key: string): string {
  if (!p.startsWith('/') || /[,:\n]/.test(p)) {
    throw new ImageError(
      `cannot mount snapshot "${key}": overlay path ${JSON.stringify(p)} must be absolute without ",", ":" or newlines`
      + ' (choose a snapshot root without them)', 'InvalidArgument');
  }
  return p;
}

/** An overlay mount; FailedPrecondition when its data does not fit the kernel's one-page limit. */
export function overlayMount(spec: OverlaySpec): Mount {
  if (spec.lowers.length === 0) throw new ImageError(`overlay mount of snapshot "${spec.key}" needs a lower layer`, 'Internal');
  if ((spec.upper === undefined) !== (spec.work === undefined)) {
    throw new ImageError(`overlay mount of snapshot "${spec.key}" needs both upperdir and workdir or neither`, 'Internal');
  }
  if (!spec.upper && spec.lowers.length < 2) {
    // overlay without an upper layer wants two lowers on older kernels; a single layer is a read-only bind.
    throw new ImageError(`read-only overlay of snapshot "${spec.key}" needs two layers; bind-mount one`, 'Internal');
  }
  const options = [...(spec.extra ?? [])];
  if (spec.upper && spec.work) options.push(`workdir=${checkPath(spec.work, spec.key)}`, `upperdir=${checkPath(spec.upper, spec.key)}`);
  options.push(`lowerdir=${spec.lowers.map((l) => checkPath(l, spec.key)).join(':')}`);
  const size = mountData(options).length;
  if (size > MOUNT_DATA_LIMIT) {
    throw new ImageError(
      `cannot mount snapshot "${spec.key}": its ${spec.lowers.length} layers need ${size} bytes of overlay options, `
      + `more than the kernel's ${MOUNT_DATA_LIMIT}-byte limit; use an image with fewer layers (squash it) or a `
      + 'shorter snapshot root path', 'FailedPrecondition');
  }
  return { type: 'overlay', source: 'overlay', options };
}
