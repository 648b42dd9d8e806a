// Temporary extract snapshots carry their owner (pid and start time); one whose owner is gone was left by
// a killed pull, load or build and is removed before the next operation starts.
import type { ImageContext } from '../context.js';
import { isSameLiveProcess, readProcStat } from '../../common/process-probe.js';

export const EXTRACT_OWNER_LABEL = 'berth.io/extract-owner';

/** `<pid>:<start time>` of this process. */
export function ownerToken(): string {
  return `${process.pid}:${readProcStat(process.pid)?.startTime ?? '0'}`;
}

/** Removes active snapshots whose owning process has exited. */
export async function removeStaleExtracts(ctx: ImageContext): Promise<number> {
  let removed = 0;
  for (const s of await ctx.snapshots.list()) {
    const owner = s.labels[EXTRACT_OWNER_LABEL];
    if (!owner || s.kind === 'committed') continue;
    const [pid, start] = owner.split(':');
    if (isSameLiveProcess(Number(pid), start ?? '')) continue;
    await ctx.snapshots.remove(s.key).then(() => removed++, () => {});
  }
  return removed;
}
