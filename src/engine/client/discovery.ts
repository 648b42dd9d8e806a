// Where the CLI looks for the daemon: $BERTH_SOCKET (a path or unix:///path), else <run dir>/berth.sock
// with the run dir from $BERTH_RUN (default /run/berth) — the same rule `berth daemon` listens by.
import path from 'node:path';

/** The run dir: $BERTH_RUN or /run/berth. */
export function runRootFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.BERTH_RUN || '/run/berth');
}

/** The daemon's socket path for this environment. */
export function socketPathFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const given = env.BERTH_SOCKET;
  if (given) {
    if (given.startsWith('unix://')) return path.resolve(given.slice('unix://'.length));
    if (/^[a-z]+:\/\//.test(given)) throw new Error(`BERTH_SOCKET=${given}: only unix sockets are supported (unix:///path or a path)`);
    return path.resolve(given);
  }
  return path.join(runRootFromEnv(env), 'berth.sock');
}

/** Whether BERTH_NO_AUTOSTART asks not to start a daemon. */
export function autostartDisabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = (env.BERTH_NO_AUTOSTART ?? '').trim().toLowerCase();
  return v !== '' && v !== '0' && v !== 'false' && v !== 'no';
}
