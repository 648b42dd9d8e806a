// Keeps the cluster's etcd available. Embedded: start the private member, and when it dies unexpectedly,
// start it again on the same ports (so clients keep their endpoints) with exponential backoff, reset once
// it has stayed up for a while. External (`--etcd-endpoints`): nothing to run; the client fails over among
// the endpoints, and health reports whether any member answers.
import { probeHealth, startEmbeddedEtcd, type EmbeddedEtcd, type EmbeddedEtcdOptions, type EtcdExit } from './embedded-etcd.js';

export type EtcdState = 'starting' | 'running' | 'restarting' | 'stopped' | 'external';

export interface EtcdHealth {
  state: EtcdState;
  endpoints: string[];
  /** The embedded member's pid while it runs. */
  pid?: number;
  restarts: number;
  lastExit?: EtcdExit;
  lastError?: string;
  /** Outcome of the last check(). */
  healthy?: boolean;
}

export interface EtcdSupervisorOptions {
  /** Run a private member (the default when no endpoints are given). */
  embedded?: EmbeddedEtcdOptions;
  /** Use an existing etcd cluster instead. */
  endpoints?: string[];
  /** Injected for tests: how to start a member, and how to probe one. */
  start?: (opts: EmbeddedEtcdOptions) => Promise<EmbeddedEtcd>;
  probe?: (endpoint: string) => Promise<boolean>;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** A member that stayed up this long restarts without delay next time (default 30 s). */
  resetBackoffAfterMs?: number;
  /** Progress lines for the server log. */
  log?: (message: string) => void;
  now?: () => number;
}

export interface EtcdSupervisor {
  readonly endpoints: string[];
  health(): EtcdHealth;
  /** Probes the endpoints; true when at least one member is healthy. */
  check(): Promise<boolean>;
  /** Resolves when the embedded member is running again (immediately if it is, or for external etcd). */
  running(): Promise<void>;
  /** Stops supervising and stops the embedded member (external etcd is left alone). */
  stop(): Promise<void>;
}

/** Starts (or attaches to) etcd and keeps it running. */
export async function startEtcdSupervisor(opts: EtcdSupervisorOptions): Promise<EtcdSupervisor> {
  const probe = opts.probe ?? ((e: string) => probeHealth(e));
  const log = opts.log ?? (() => undefined);
  const now = opts.now ?? Date.now;

  if (opts.endpoints && opts.endpoints.length > 0) {
    const endpoints = [...opts.endpoints];
    const health: EtcdHealth = { state: 'external', endpoints, restarts: 0 };
    return {
      endpoints,
      health: () => ({ ...health }),
      async check() {
        const results = await Promise.all(endpoints.map((e) => probe(e)));
        health.healthy = results.some(Boolean);
        health.lastError = health.healthy ? undefined : `no etcd endpoint is healthy (${endpoints.join(', ')})`;
        return health.healthy;
      },
      running: () => Promise.resolve(),
      async stop() {
        health.state = 'stopped';
      },
    };
  }

  if (!opts.embedded) throw new Error('etcd supervisor: give either embedded options or endpoints');
  const start = opts.start ?? startEmbeddedEtcd;
  const initialBackoff = opts.initialBackoffMs ?? 200;
  const maxBackoff = opts.maxBackoffMs ?? 30_000;
  const resetAfter = opts.resetBackoffAfterMs ?? 30_000;

  let member = await start(opts.embedded);
  // Pin the ports chosen on first start: restarts must come back where clients already point.
  const pinned: EmbeddedEtcdOptions = { ...opts.embedded, clientPort: member.clientPort, peerPort: member.peerPort };
  const health: EtcdHealth = { state: 'running', endpoints: member.endpoints, pid: member.pid, restarts: 0 };
  let stopping = false;
  let startedAt = now();
  let backoff = initialBackoff;
  let waiters: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  let wake: (() => void) | undefined;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        wake = undefined;
        resolve();
      }, ms);
      wake = () => {
        clearTimeout(t);
        wake = undefined;
        resolve();
      };
    });

  const watch = (m: EmbeddedEtcd) => {
    void m.exited.then(async (exit) => {
      if (stopping || m !== member) return;
      health.lastExit = exit;
      health.pid = undefined;
      health.state = 'restarting';
      if (now() - startedAt >= resetAfter) backoff = initialBackoff;
      log(`etcd (pid ${m.pid}) exited (${exit.code ?? exit.signal}); restarting`);
      for (;;) {
        await sleep(backoff);
        backoff = Math.min(backoff * 2, maxBackoff);
        if (stopping) return;
        try {
          const next = await start(pinned);
          if (stopping) {
            await next.stop();
            return;
          }
          member = next;
          startedAt = now();
          health.state = 'running';
          health.pid = next.pid;
          health.restarts++;
          health.lastError = undefined;
          log(`etcd restarted (pid ${next.pid})`);
          const ready = waiters;
          waiters = [];
          for (const w of ready) w.resolve();
          watch(next);
          return;
        } catch (err) {
          health.lastError = (err as Error).message;
          log(`etcd restart failed: ${health.lastError}`);
        }
      }
    });
  };
  watch(member);

  return {
    endpoints: member.endpoints,
    health: () => ({ ...health, endpoints: [...health.endpoints] }),
    async check() {
      health.healthy = health.state === 'running' && (await probe(member.endpoints[0]!));
      return health.healthy;
    },
    running() {
      if (health.state === 'running') return Promise.resolve();
      if (stopping) return Promise.reject(new Error('etcd supervisor stopped'));
      return new Promise((resolve, reject) => waiters.push({ resolve, reject }));
    },
    async stop() {
      stopping = true;
      wake?.();
      health.state = 'stopped';
      health.pid = undefined;
      for (const w of waiters) w.reject(new Error('etcd supervisor stopped'));
      waiters = [];
      await member.stop();
    },
  };
}
