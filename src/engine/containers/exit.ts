// What happens when a container's process exits (seen live, or found at daemon start): record the exit,
// release its resources, then restart it (policy), remove it (--rm) or leave it exited.
import fs from 'node:fs';
import { loadContainer } from '../../runtime/index.js';
import { readExitFile, watchExit, type ExitRecord } from '../monitor/index.js';
import { containerPaths, type ContainerContext } from './context.js';
import { releaseContainerResources } from './start.js';
import { nextDelay, shouldRestart } from './restart-policy.js';
import { stoppedEndpoints } from '../networks/endpoints.js';
import type { ContainerRecord } from './types.js';

export interface ExitHooks {
  /** Starts the container again (restart policy). */
  restart(rec: ContainerRecord): Promise<void>;
  /** Removes it (--rm). */
  remove(rec: ContainerRecord): Promise<void>;
}

const backoff = new Map<string, number>();
const watching = new Set<string>();

/** Follows a running container until its monitor reports the exit, then settles it. */
export function watchContainer(ctx: ContainerContext, rec: ContainerRecord, hooks: ExitHooks): void {
  if (watching.has(rec.Id)) return;
  watching.add(rec.Id);
  const p = containerPaths(ctx, rec.Id);
  watchExit(p.exit, p.socket)
    .then((exit) => {
      watching.delete(rec.Id);
      if (ctx.closing) return;
      return ctx.locks.run(rec.Id, () => settleExit(ctx, rec, exit, hooks));
    })
    .catch((e) => {
      // The monitor vanished without an exit record (killed): the container is gone with an unknown status.
      watching.delete(rec.Id);
      ctx.log('warn', `container ${rec.Id}: ${(e as Error).message}`);
      if (!ctx.closing) void ctx.locks.run(rec.Id, () => settleExit(ctx, rec, undefined, hooks)).catch(() => undefined);
    });
}

/** Records an exit and decides what comes next. The caller holds the container's lock. */
export async function settleExit(ctx: ContainerContext, rec: ContainerRecord, exit: ExitRecord | undefined, hooks: ExitHooks): Promise<void> {
  if (!rec.State.Running && rec.State.Status !== 'paused') return;
  ctx.health?.stop(rec.Id);
  let oom = false;
  try {
    oom = loadContainer(ctx.runtime, rec.Id).cgroup.oomKills() > 0;
  } catch {
    /* runtime state already gone */
  }
  const t0 = performance.now();
  await releaseContainerResources(ctx, rec);
  ctx.log('debug', `container ${rec.Id.slice(0, 12)} exited (${exit?.exitCode ?? 'unknown'}); released in ${(performance.now() - t0).toFixed(1)}ms`);
  const code = exit?.exitCode ?? 255;
  const finishedAt = exit?.finishedAt ?? new Date().toISOString();
  const ranMs = Date.parse(finishedAt) - Date.parse(rec.State.StartedAt);
  rec.State = {
    ...rec.State, Status: 'exited', Running: false, Paused: false, Restarting: false, OOMKilled: oom, Pid: 0,
    ExitCode: code, FinishedAt: finishedAt, Error: exit ? '' : 'the container monitor is gone without an exit record (was the host restarted?)',
  };
  ctx.networking.refreshPeers(rec); // its peers drop it from their hosts files (it no longer runs)
  rec.Networks = stoppedEndpoints(rec.Networks); // the config (aliases, --ip) stays for the next start, as in Docker
  ctx.store.save(rec);
  const attrs = { exitCode: String(code), image: rec.ImageName, name: rec.Name.slice(1) };
  if (oom) ctx.events.publish('container', 'oom', rec.Id, attrs);
  ctx.events.publish('container', 'die', rec.Id, { ...attrs, execDuration: String(Math.max(0, Math.round(ranMs / 1000))) });

  const restart = !ctx.closing && shouldRestart(rec.HostConfig.RestartPolicy, { exitCode: code, manualStop: rec.ManualStop === true, restartCount: rec.RestartCount, ranMs });
  ctx.waiters.notify(rec, 'exit', !restart);
  if (restart) {
    const delay = nextDelay(backoff.get(rec.Id) ?? 0, ranMs);
    backoff.set(rec.Id, delay);
    rec.State = { ...rec.State, Status: 'restarting', Restarting: true };
    ctx.store.save(rec);
    setTimeout(() => {
      if (ctx.closing) return;
      void ctx.locks.run(rec.Id, async () => {
        if (rec.State.Status !== 'restarting' || !ctx.store.find(rec.Id)) return;
        rec.RestartCount++;
        await hooks.restart(rec);
      }).catch((e) => {
        ctx.log('error', `container ${rec.Id}: restart failed: ${(e as Error).message}`);
        rec.State = { ...rec.State, Status: 'exited', Restarting: false, Error: (e as Error).message };
        if (ctx.store.find(rec.Id)) ctx.store.save(rec);
        ctx.waiters.notify(rec, 'exit', true);
      });
    }, delay).unref();
    return;
  }
  backoff.delete(rec.Id);
  if (rec.HostConfig.AutoRemove) await hooks.remove(rec);
}

/** At daemon start: follow containers whose monitor still runs; settle those that exited while the daemon was down. */
export async function adoptContainers(ctx: ContainerContext, hooks: ExitHooks): Promise<void> {
  for (const rec of ctx.store.all()) {
    const p = containerPaths(ctx, rec.Id);
    if (!rec.State.Running && rec.State.Status !== 'paused' && rec.State.Status !== 'restarting') {
      // A daemon killed in the middle of a start leaves a half-made container (runtime state, mounts, netns)
      // behind a record that never became running: undo it now, so the next start begins clean.
      if (fs.existsSync(p.run)) await releaseContainerResources(ctx, rec);
      continue;
    }
    const exit = readExitFile(p.exit);
    if (rec.State.Status === 'restarting') {
      // The daemon died during a restart backoff: start it now.
      await ctx.locks.run(rec.Id, () => hooks.restart(rec)).catch((e) => ctx.log('error', `container ${rec.Id}: restart: ${(e as Error).message}`));
    } else if (exit || !fs.existsSync(p.socket)) {
      await ctx.locks.run(rec.Id, () => settleExit(ctx, rec, exit, hooks));
    } else {
      watchContainer(ctx, rec, hooks);
      ctx.health?.start(rec);
    }
  }
}
