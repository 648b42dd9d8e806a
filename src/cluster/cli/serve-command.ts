// `berth cluster serve`: the control plane in the foreground — what `up` runs in the background. Logs go to
// stderr with timestamps; SIGTERM or SIGINT stop it gracefully (etcd included), leaving the data.
import fs from 'node:fs';
import { serveCluster } from '../server/serve.js';
import { runningServerPid, statePaths, type ClusterConfig } from '../server/state-dir.js';

/** Runs the server until a signal; returns the exit code. */
export async function runServe(stateDir: string, config: ClusterConfig, err: (text: string) => void): Promise<number> {
  const paths = statePaths(stateDir);
  const other = runningServerPid(paths);
  if (other !== undefined && other !== process.pid) {
    err(`Error: the control plane for ${paths.root} is already running (pid ${other})\n`);
    return 1;
  }
  const log = (message: string) => err(`${new Date().toISOString()} ${message}\n`);
  fs.mkdirSync(paths.root, { recursive: true, mode: 0o700 });
  fs.writeFileSync(paths.pidFile, `${process.pid}\n`);
  let server;
  try {
    server = await serveCluster({ stateDir, ...config, log });
  } catch (e) {
    log(`failed to start: ${(e as Error).message}`);
    removePidFile(paths.pidFile);
    return 1;
  }
  const s = server;
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log(`received ${signal}`);
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      void s.close().finally(resolve);
    };
    const onTerm = () => stop('SIGTERM');
    const onInt = () => stop('SIGINT');
    process.on('SIGTERM', onTerm);
    process.on('SIGINT', onInt);
  });
  removePidFile(paths.pidFile);
  return 0;
}

function removePidFile(file: string): void {
  try {
    if (Number(fs.readFileSync(file, 'utf8').trim()) === process.pid) fs.rmSync(file, { force: true });
  } catch {
    // already gone
  }
}
