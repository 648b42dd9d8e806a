// Docker's restart policies as pure decisions: whether an exited container comes back, and after how long.
import { EngineError } from '../errors.js';
import type { HostConfig, RestartPolicy } from './types.js';

const INITIAL_DELAY_MS = 100;
const MAX_DELAY_MS = 60_000;
/** A run at least this long resets the backoff (Docker's rule). */
const RESET_AFTER_MS = 10_000;

/** Rejects policies Docker rejects, with its wording. */
export function validateRestartPolicy(host: HostConfig): void {
  const p = host.RestartPolicy ?? {};
  const name = p.Name ?? '';
  if (!['', 'no', 'always', 'on-failure', 'unless-stopped'].includes(name)) {
    throw new EngineError(`invalid restart policy: unknown policy '${name}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`, 'InvalidArgument');
  }
  if ((p.MaximumRetryCount ?? 0) < 0) throw new EngineError('invalid restart policy: maximum retry count cannot be negative', 'InvalidArgument');
  if (name !== 'on-failure' && (p.MaximumRetryCount ?? 0) > 0) {
    throw new EngineError(`invalid restart policy: maximum retry count can only be used with 'on-failure'`, 'InvalidArgument');
  }
  if (host.AutoRemove && name !== '' && name !== 'no') {
    throw new EngineError(`conflicting options: cannot specify both --restart and --rm`, 'InvalidArgument');
  }
}

export interface ExitFacts {
  exitCode: number;
  manualStop: boolean;
  restartCount: number;
  /** How long the run lasted. */
  ranMs: number;
}

/** Whether an exited container should be restarted now (exit seen while the daemon runs). */
export function shouldRestart(policy: RestartPolicy | undefined, f: ExitFacts): boolean {
  const name = policy?.Name ?? '';
  if (f.manualStop) return false;
  switch (name) {
    case 'always':
    case 'unless-stopped':
      return true;
    case 'on-failure': {
      const max = policy?.MaximumRetryCount ?? 0;
      return f.exitCode !== 0 && (max === 0 || f.restartCount < max);
    }
    default:
      return false;
  }
}

/** Whether a stopped container comes back when the daemon starts (always; unless-stopped unless it was stopped by hand). */
export function restartOnDaemonStart(policy: RestartPolicy | undefined, manualStop: boolean): boolean {
  const name = policy?.Name ?? '';
  return name === 'always' || (name === 'unless-stopped' && !manualStop);
}

/** The next backoff delay: doubles from 100 ms up to a minute, back to 100 ms after a run of 10 s or more. */
export function nextDelay(previousMs: number, ranMs: number): number {
  if (ranMs >= RESET_AFTER_MS || previousMs <= 0) return INITIAL_DELAY_MS;
  return Math.min(previousMs * 2, MAX_DELAY_MS);
}
