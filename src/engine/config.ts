// Where the engine keeps things and how it listens: flags over BERTH_* environment over defaults.
import path from 'node:path';

export interface TcpListen {
  host: string;
  port: number;
  /** Server certificate and key (PEM paths); with `caCert`, clients must present a certificate it signed. */
  tlsCert: string;
  tlsKey: string;
  tlsCaCert: string;
}

export interface EngineConfig {
  /** State root: images in <root>/image, containers in <root>/containers, volumes in <root>/volumes, networks in <root>/network. */
  root: string;
  /** Run dir (tmpfs): runtime state in <runRoot>/runtime, monitor sockets in <runRoot>/c/<id[:24]> and <runRoot>/e/<exec id[:24]>, netns in <runRoot>/netns. */
  runRoot: string;
  /** The Docker API unix socket. */
  socket: string;
  /** Parent cgroup name for every container (DESIGN.md §3). */
  cgroupParent: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** Optional TCP listener (always TLS with client certificates). */
  tcp?: TcpListen;
}

export interface EngineConfigFlags {
  root?: string;
  runRoot?: string;
  socket?: string;
  cgroupParent?: string;
  logLevel?: string;
  tcp?: TcpListen;
}

/** Resolves the engine configuration: explicit flags, then BERTH_ROOT/BERTH_RUN/BERTH_SOCKET/BERTH_CGROUP_PARENT/BERTH_LOG_LEVEL, then defaults. */
export function engineConfig(flags: EngineConfigFlags = {}, env: NodeJS.ProcessEnv = process.env): EngineConfig {
  const runRoot = path.resolve(flags.runRoot ?? env.BERTH_RUN ?? '/run/berth');
  const level = flags.logLevel ?? env.BERTH_LOG_LEVEL ?? 'info';
  if (!['debug', 'info', 'warn', 'error'].includes(level)) {
    throw new Error(`invalid log level "${level}": use debug, info, warn or error`);
  }
  return {
    root: path.resolve(flags.root ?? env.BERTH_ROOT ?? '/var/lib/berth'),
    runRoot,
    socket: path.resolve(flags.socket ?? env.BERTH_SOCKET ?? path.join(runRoot, 'berth.sock')),
    cgroupParent: flags.cgroupParent ?? env.BERTH_CGROUP_PARENT ?? 'berth',
    logLevel: level as EngineConfig['logLevel'],
    ...(flags.tcp ? { tcp: flags.tcp } : {}),
  };
}
