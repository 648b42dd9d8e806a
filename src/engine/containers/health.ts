// Docker's health checks: the image's or run's HEALTHCHECK run in the container every Interval, with its
// Timeout, Retries and StartPeriod; State.Health keeps the streak and the last five results, and changes
// of status are published as `health_status: healthy|unhealthy` events.
import { execInContainer, execProcessFromConfig, loadContainer } from '../../runtime/index.js';
import type { ContainerContext } from './context.js';
import type { ContainerRecord, HealthConfig } from './types.js';

const SECOND_NS = 1e9;
const DEFAULTS = { Interval: 30 * SECOND_NS, Timeout: 30 * SECOND_NS, StartPeriod: 0, Retries: 3 };
const MAX_LOG = 5;
const MAX_OUTPUT = 4096;

/** The argv a Healthcheck.Test runs, or undefined when there is no check (none, or NONE). */
export function probeArgv(test: string[] | undefined): string[] | undefined {
  if (!test?.length || test[0] === 'NONE') return undefined;
  if (test[0] === 'CMD') return test.length > 1 ? test.slice(1) : undefined;
  if (test[0] === 'CMD-SHELL') return test.length > 1 ? ['/bin/sh', '-c', test.slice(1).join(' ')] : undefined;
  return undefined;
}

/** Interval, Timeout, StartPeriod in ms and Retries, with Docker's defaults for zero values. */
export function healthTiming(h: HealthConfig): { interval: number; timeout: number; startPeriod: number; retries: number } {
  return {
    interval: (h.Interval || DEFAULTS.Interval) / 1e6,
    timeout: (h.Timeout || DEFAULTS.Timeout) / 1e6,
    startPeriod: (h.StartPeriod || DEFAULTS.StartPeriod) / 1e6,
    retries: h.Retries || DEFAULTS.Retries,
  };
}

/** Applies one probe result to the health state (pure): returns the new status. */
export function recordResult(rec: ContainerRecord, result: { exitCode: number; output: string; start: string; end: string }, inStartPeriod: boolean, retries: number): string {
  const health = rec.State.Health ?? { Status: 'starting', FailingStreak: 0, Log: [] };
  health.Log = [...health.Log, { Start: result.start, End: result.end, ExitCode: result.exitCode, Output: result.output }].slice(-MAX_LOG);
  if (result.exitCode === 0) {
    health.Status = 'healthy';
    health.FailingStreak = 0;
  } else if (!inStartPeriod || health.Status !== 'starting') {
    health.FailingStreak++;
    if (health.FailingStreak >= retries) health.Status = 'unhealthy';
  }
  rec.State.Health = health;
  return health.Status;
}

export class HealthChecker {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly ctx: ContainerContext) {}

  /** Starts checking a running container (no-op without a health check). */
  start(rec: ContainerRecord): void {
    this.stop(rec.Id);
    const hc = rec.Config.Healthcheck;
    const argv = probeArgv(hc?.Test ?? undefined);
    if (!hc || !argv) return;
    const t = healthTiming(hc);
    const startedAt = Date.parse(rec.State.StartedAt);
    const tick = () => {
      this.timers.delete(rec.Id);
      if (this.ctx.closing || !rec.State.Running) return;
      if (rec.State.Paused) {
        this.timers.set(rec.Id, setTimeout(tick, t.interval).unref());
        return;
      }
      void this.probe(rec, argv, t.timeout).then((result) => {
        if (!rec.State.Running) return;
        const before = rec.State.Health?.Status;
        const status = recordResult(rec, result, Date.now() - startedAt < t.startPeriod, t.retries);
        this.ctx.store.save(rec);
        if (status !== before) this.ctx.events.publish('container', `health_status: ${status}`, rec.Id, { image: rec.ImageName, name: rec.Name.slice(1) });
        if (rec.State.Running && !this.ctx.closing) this.timers.set(rec.Id, setTimeout(tick, t.interval).unref());
      });
    };
    this.timers.set(rec.Id, setTimeout(tick, t.interval).unref());
  }

  stop(id: string): void {
    const timer = this.timers.get(id);
    if (timer) clearTimeout(timer);
    this.timers.delete(id);
  }

  /** Runs the probe in the container (joined like docker exec), with its timeout. */
  private async probe(rec: ContainerRecord, argv: string[], timeoutMs: number): Promise<{ exitCode: number; output: string; start: string; end: string }> {
    const start = new Date().toISOString();
    try {
      const base = loadContainer(this.ctx.runtime, rec.Id).state.config.process;
      const { helper } = await execInContainer(this.ctx.runtime, rec.Id, {
        process: execProcessFromConfig(base, argv, { tty: false }), stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      const collect = (d: Buffer) => {
        if (output.length < MAX_OUTPUT) output += d.toString('utf8').slice(0, MAX_OUTPUT - output.length);
      };
      helper.stdout?.on('data', collect);
      helper.stderr?.on('data', collect);
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        helper.signal('SIGKILL');
      }, timeoutMs);
      const exit = await helper.exited;
      clearTimeout(timer);
      const end = new Date().toISOString();
      if (timedOut) return { exitCode: -1, output: `Health check exceeded timeout (${timeoutMs / 1000}s)`, start, end };
      return { exitCode: exit.code ?? 128, output, start, end };
    } catch (e) {
      return { exitCode: -1, output: (e as Error).message, start, end: new Date().toISOString() };
    }
  }
}
