// Derives a container's runtime-spec status from what the kernel shows now (as runc does).
import type { ContainerState } from '../spec/types.js';

export type Status = ContainerState['status'];

export interface StatusProbe {
  /** The recorded init process is alive (not a zombie) and is the same process (start time). */
  alive: boolean;
  /** The container's freezer reports FROZEN. */
  frozen: () => boolean;
  /** The exec fifo still exists: start has not run. */
  fifoExists: () => boolean;
  /** create is still running hooks. */
  creating: boolean;
}

/** stopped when init is gone; paused when frozen; created while the fifo exists; running otherwise. */
export function deriveStatus(p: StatusProbe): Status {
  if (!p.alive) return p.creating ? 'creating' : 'stopped';
  if (p.creating) return 'creating';
  if (p.frozen()) return 'paused';
  if (p.fifoExists()) return 'created';
  return 'running';
}
