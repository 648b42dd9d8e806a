// The daemon's log lines, in dockerd's logfmt shape (time="…" level=info msg="…"), filtered by level.
import type { ApiLogger } from '../api/dispatch.js';

const LEVELS = { debug: 0, info: 1, warn: 2, error: 3 } as const;
export type LogLevel = keyof typeof LEVELS;

export interface Logger extends ApiLogger {
  log(level: LogLevel, message: string): void;
}

/** A logger writing to `out` (stderr by default) at `level` and above. */
export function createLogger(level: LogLevel, out: (line: string) => void = (l) => process.stderr.write(l)): Logger {
  const min = LEVELS[level];
  const log = (lvl: LogLevel, message: string) => {
    if (LEVELS[lvl] < min) return;
    out(`time="${new Date().toISOString()}" level=${lvl === 'warn' ? 'warning' : lvl} msg=${JSON.stringify(message)}\n`);
  };
  return {
    log,
    debug: (m) => log('debug', m),
    info: (m) => log('info', m),
    warn: (m) => log('warn', m),
    error: (m) => log('error', m),
  };
}
