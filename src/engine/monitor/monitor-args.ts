// The argv prefix that makes the runtime spawn its helper under berth-monitor (CreateOptions.helperWrapper).
import path from 'node:path';
import { packageRoot } from '../../common/package-root.js';
import { EngineError } from '../errors.js';

export interface MonitorOptions {
  /** json-file log (Docker's format); omitted: output goes only to attach clients. */
  logPath?: string;
  /** Rotate when the log reaches this many bytes (0 or omitted: never). */
  logMaxSize?: number;
  /** Files kept by rotation: PATH, PATH.1 … PATH.(N-1); 1 (default) truncates instead. */
  logMaxFiles?: number;
  /** Where the monitor records the init's exit status (written atomically). */
  exitFile: string;
  /** Attach socket: output frames to every client, client bytes to stdin. */
  socketPath: string;
  /** Control FIFO: `resize <rows> <cols>`, `close-stdin`. */
  ctlPath?: string;
  /** The container has a terminal; then consoleSocket is required (pass the same path to createContainer). */
  tty?: boolean;
  consoleSocket?: string;
  /** Keep the container's stdin open for attach clients (Docker's OpenStdin). */
  stdin?: boolean;
  /** Close the container's stdin when the first client half-closes (Docker's StdinOnce). */
  stdinOnce?: boolean;
  /** The runtime's pid file (pass the same path to createContainer): tells the monitor which child is the init. */
  pidFile?: string;
  /** Start the process only once one client is connected to the socket (exec: no output is missed). */
  waitClient?: boolean;
  /** The monitor binary; default defaultMonitorPath(). */
  monitorPath?: string;
}

/** native/build/berth-monitor of this package, or $BERTH_MONITOR. */
export function defaultMonitorPath(): string {
  return process.env.BERTH_MONITOR ?? path.join(packageRoot(), 'native', 'build', 'berth-monitor');
}

// sockaddr_un.sun_path holds 108 bytes including the terminating NUL.
const MAX_SOCKET_PATH = 107;

/** Builds `berth-monitor [options] --` for CreateOptions.helperWrapper; paths become absolute. */
export function monitorArgs(o: MonitorOptions): string[] {
  if (o.tty && !o.consoleSocket) {
    throw new EngineError('monitor: tty needs consoleSocket (the path the runtime sends the pty master to)', 'InvalidArgument');
  }
  if (!o.tty && o.consoleSocket) {
    throw new EngineError('monitor: consoleSocket is only used with tty: drop it, or set tty', 'InvalidArgument');
  }
  if (o.stdinOnce && !o.stdin) {
    throw new EngineError('monitor: stdinOnce needs stdin (StdinOnce only applies with OpenStdin)', 'InvalidArgument');
  }
  for (const [flag, value] of [['logMaxSize', o.logMaxSize], ['logMaxFiles', o.logMaxFiles]] as const) {
    if (value !== undefined && (!Number.isSafeInteger(value) || value < (flag === 'logMaxFiles' ? 1 : 0))) {
      throw new EngineError(`monitor: ${flag} must be an integer ≥ ${flag === 'logMaxFiles' ? 1 : 0}, got ${value}`, 'InvalidArgument');
    }
  }
  const args = [o.monitorPath ?? defaultMonitorPath()];
  const pathFlag = (flag: string, p: string | undefined, socket = false) => {
    if (p === undefined) return;
    const abs = path.resolve(p);
    if (socket && Buffer.byteLength(abs) > MAX_SOCKET_PATH) {
      throw new EngineError(`monitor: socket path ${abs} is longer than ${MAX_SOCKET_PATH} bytes: use a shorter run directory`, 'InvalidArgument');
    }
    args.push(flag, abs);
  };
  pathFlag('--log', o.logPath);
  if (o.logPath && o.logMaxSize) args.push('--log-max-size', String(o.logMaxSize));
  if (o.logPath && o.logMaxFiles !== undefined) args.push('--log-max-files', String(o.logMaxFiles));
  pathFlag('--exit-file', o.exitFile);
  pathFlag('--socket', o.socketPath, true);
  pathFlag('--ctl', o.ctlPath);
  pathFlag('--pid-file', o.pidFile);
  if (o.tty) args.push('--tty');
  pathFlag('--console-socket', o.consoleSocket, true);
  if (o.stdin) args.push('--stdin');
  if (o.stdinOnce) args.push('--stdin-once');
  if (o.waitClient) args.push('--wait-client');
  args.push('--');
  return args;
}
