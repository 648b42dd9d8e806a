// CNI plugins run by resident berth-fsops processes instead of being spawned by the daemon: forking a small C
// process costs a fraction of forking the ~120 MiB daemon (docs/benchmarks.md, "Engine"). Two runners let
// two containers' network setups overlap.
import { openFsOps, type FsOps } from '../../image/index.js';
import type { PluginRunner } from '../../network/index.js';

export interface RunnerPool {
  run: PluginRunner;
  close(): Promise<void>;
}

/** A pool of `size` resident runners; each request goes to the least busy one. */
export function createRunnerPool(size = 2): RunnerPool {
  const slots: { ops: FsOps; busy: number }[] = [];
  const pick = () => {
    let best = slots.find((s) => s.busy === 0);
    if (!best && slots.length < size) {
      best = { ops: openFsOps(), busy: 0 };
      slots.push(best);
    }
    return best ?? slots.reduce((a, b) => (b.busy < a.busy ? b : a));
  };
  return {
    run: async (bin, env, stdin, timeoutMs) => {
      const slot = pick();
      slot.busy++;
      try {
        const r = await slot.ops.run(bin, [], env, stdin, timeoutMs);
        return { code: r.code, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8'), timedOut: r.timedOut };
      } finally {
        slot.busy--;
      }
    },
    close: async () => {
      await Promise.all(slots.map((s) => s.ops.close()));
    },
  };
}
