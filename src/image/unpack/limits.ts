// Size and count limits of a layer, checked from each header before any byte of the entry is written, so
// an absurd archive is refused without filling the disk.
import { refuse } from './path-rules.js';

export interface UnpackLimits {
  /** Largest regular file. */
  maxEntrySize: number;
  /** Sum of all regular files' sizes. */
  maxTotalSize: number;
  /** Number of entries (whiteouts included). */
  maxEntries: number;
  /** Longest entry path or link target, in bytes. */
  maxPathLength: number;
  /** Largest PAX / GNU long-name header body. */
  maxHeaderSize: number;
}

const GiB = 1024 * 1024 * 1024;

/** Generous defaults: no real image comes near them. */
export const DEFAULT_LIMITS: UnpackLimits = {
  maxEntrySize: 16 * GiB,
  maxTotalSize: 64 * GiB,
  maxEntries: 5_000_000,
  maxPathLength: 4096,
  maxHeaderSize: 16 * 1024 * 1024,
};

/** Defaults overridden by the given fields. */
export function resolveLimits(partial: Partial<UnpackLimits> = {}): UnpackLimits {
  const out = { ...DEFAULT_LIMITS };
  for (const [k, v] of Object.entries(partial)) if (v !== undefined) out[k as keyof UnpackLimits] = v;
  return out;
}

/** Counts entries and bytes against the limits; `admit` throws the refusal for the entry that breaks one. */
export class LimitTracker {
  entries = 0;
  total = 0;

  constructor(readonly limits: UnpackLimits) {}

  /** Accounts one entry of `size` data bytes; throws InvalidArgument naming the entry and the limit. */
  admit(name: string, size: number): void {
    const l = this.limits;
    if (++this.entries > l.maxEntries) throw refuse(name, `the layer has more than ${l.maxEntries} entries (maxEntries)`);
    if (size > l.maxEntrySize) throw refuse(name, `size ${size} exceeds the limit of ${l.maxEntrySize} bytes per entry (maxEntrySize)`);
    this.total += size;
    if (this.total > l.maxTotalSize) {
      throw refuse(name, `the layer's files add up to more than the limit of ${l.maxTotalSize} bytes (maxTotalSize)`);
    }
  }
}
