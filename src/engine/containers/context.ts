// What the container operations share: stores, the lower layers' contexts, per-container locks and waiters.
import path from 'node:path';
import type { RuntimeContext } from '../../runtime/index.js';
import type { FsOps, ImageContext } from '../../image/index.js';
import type { EngineConfig } from '../config.js';
import type { EventBus } from '../services.js';
import type { VolumeStore } from '../volumes/store.js';
import type { ContainerNetworking } from './networking.js';
import type { ContainerStore } from './store.js';
import type { ContainerRecord } from './types.js';

export interface ContainerContext {
  config: EngineConfig;
  store: ContainerStore;
  volumes: VolumeStore;
  images: ImageContext;
  runtime: RuntimeContext;
  events: EventBus;
  networking: ContainerNetworking;
  fsops: () => Promise<FsOps>;
  locks: KeyedLock;
  waiters: Waiters;
  /** Runs HEALTHCHECKs of running containers (set by the manager). */
  health?: { start(rec: ContainerRecord): void; stop(id: string): void };
  /** Stops exit watchers and restart timers (daemon shutdown); containers keep running. */
  closing: boolean;
  log: (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;
}

/** Files of one container: persistent ones under <root>/containers/<id>, transient ones under <runRoot>/c/<id[:24]>. */
export function containerPaths(ctx: ContainerContext, id: string) {
  const state = ctx.store.containerDir(id);
  // Short: unix socket paths must fit in 108 bytes, even under a long test run dir (24 hex digits stay unique).
  const run = path.join(ctx.config.runRoot, 'c', id.slice(0, 24));
  return {
    state,
    run,
    log: path.join(state, `${id}-json.log`),
    exit: path.join(state, 'exit.json'),
    hosts: path.join(state, 'hosts'),
    hostname: path.join(state, 'hostname'),
    resolvConf: path.join(state, 'resolv.conf'),
    bundle: path.join(run, 'bundle'),
    rootfs: path.join(run, 'rootfs'),
    socket: path.join(run, 'attach.sock'),
    ctl: path.join(run, 'ctl'),
    console: path.join(run, 'console.sock'),
    pid: path.join(run, 'init.pid'),
  };
}

/** Serializes operations per key (start/stop/remove of one container never interleave). */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined);
    this.tails.set(key, tail);
    try {
      return await next;
    } finally {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}

type WaitCondition = 'not-running' | 'next-exit' | 'removed';

/** Clients blocked in POST /containers/{id}/wait. */
export class Waiters {
  private readonly list: { id: string; condition: WaitCondition; resolve: (code: number) => void }[] = [];

  /** Resolves with the exit code when `condition` is met; an aborted wait is dropped and resolves with -1. */
  add(id: string, condition: WaitCondition, signal?: AbortSignal): Promise<number> {
    return new Promise((resolve) => {
      const entry = { id, condition, resolve };
      this.list.push(entry);
      signal?.addEventListener('abort', () => {
        const i = this.list.indexOf(entry);
        if (i >= 0) this.list.splice(i, 1);
        resolve(-1);
      }, { once: true });
    });
  }

  /** A container exited (and will not restart at once: `final`), or was removed. */
  notify(rec: ContainerRecord, event: 'exit' | 'removed', final: boolean): void {
    for (let i = this.list.length - 1; i >= 0; i--) {
      const w = this.list[i]!;
      if (w.id !== rec.Id) continue;
      const fire = event === 'removed' || w.condition === 'next-exit' || (w.condition === 'not-running' && final);
      if (fire && !(w.condition === 'removed' && event !== 'removed')) {
        this.list.splice(i, 1);
        w.resolve(rec.State.ExitCode);
      }
    }
  }
}
