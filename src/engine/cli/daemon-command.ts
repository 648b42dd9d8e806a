// `berth daemon`: the engine in the foreground, serving the Docker Engine API until SIGINT/SIGTERM.
// Containers keep running under their monitors when it stops (or is killed); the next daemon adopts them.
import { bool, flagHelp, list, parseArgs, str, UsageError, type FlagSpec } from '../../common/args.js';
import { engineConfig, type TcpListen } from '../config.js';
import { openEngine } from '../engine.js';
import { startApiServer } from '../api/server.js';
import { createLogger } from '../log/logger.js';

const FLAGS: FlagSpec[] = [
  { name: 'root', kind: 'string', help: 'state root: images, containers, volumes (default /var/lib/berth, $BERTH_ROOT); dockerd: --data-root' },
  { name: 'data-root', kind: 'string', help: 'same as --root' },
  { name: 'run-root', kind: 'string', help: 'run dir: runtime state, monitor sockets, netns (default /run/berth, $BERTH_RUN); dockerd: --exec-root' },
  { name: 'exec-root', kind: 'string', help: 'same as --run-root' },
  { name: 'host', short: 'H', kind: 'list', help: 'listen on unix:///path (default unix:///run/berth/berth.sock, $BERTH_SOCKET) and/or tcp://host:port (TLS)' },
  { name: 'cgroup-parent', kind: 'string', help: 'parent cgroup of every container (default berth)' },
  { name: 'log-level', short: 'l', kind: 'string', help: 'debug, info, warn or error (default info)' },
  { name: 'tlsverify', kind: 'bool', help: 'require TLS client certificates on tcp:// listeners (always on)' },
  { name: 'tlscacert', kind: 'string', help: 'CA that signs client certificates (tcp://)' },
  { name: 'tlscert', kind: 'string', help: 'server certificate (tcp://)' },
  { name: 'tlskey', kind: 'string', help: 'server key (tcp://)' },
  { name: 'help', short: 'h', kind: 'bool' },
];

const USAGE = `Usage: berth daemon [OPTIONS]

Runs the Berth engine in the foreground, serving the Docker Engine API (the docker CLI and SDKs work against
it: DOCKER_HOST=unix:///run/berth/berth.sock).

Options:
${flagHelp(FLAGS)}`;

/** Runs the daemon; resolves with the exit code once it has stopped. */
export async function daemonMain(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs(argv, FLAGS);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`berth daemon: ${e.message}\n\n${USAGE}`);
      return 125;
    }
    throw e;
  }
  const f = parsed.flags;
  if (bool(f, 'help')) {
    process.stdout.write(USAGE);
    return 0;
  }
  let socket: string | undefined;
  let tcp: TcpListen | undefined;
  for (const h of list(f, 'host')) {
    if (h.startsWith('unix://')) socket = h.slice('unix://'.length);
    else if (h.startsWith('tcp://')) {
      const [host, port] = splitHostPort(h.slice('tcp://'.length));
      const [cert, key, ca] = [str(f, 'tlscert'), str(f, 'tlskey'), str(f, 'tlscacert')];
      if (!cert || !key || !ca) {
        process.stderr.write(`berth daemon: ${h} needs --tlscert, --tlskey and --tlscacert: Berth serves TCP only with TLS client certificates\n`);
        return 125;
      }
      tcp = { host, port, tlsCert: cert, tlsKey: key, tlsCaCert: ca };
    } else {
      process.stderr.write(`berth daemon: invalid -H ${h}: use unix:///path or tcp://host:port\n`);
      return 125;
    }
  }
  let config;
  try {
    config = engineConfig({
      ...(str(f, 'root') ?? str(f, 'data-root') ? { root: (str(f, 'root') ?? str(f, 'data-root'))! } : {}),
      ...(str(f, 'run-root') ?? str(f, 'exec-root') ? { runRoot: (str(f, 'run-root') ?? str(f, 'exec-root'))! } : {}),
      ...(socket ? { socket } : {}),
      ...(str(f, 'cgroup-parent') ? { cgroupParent: str(f, 'cgroup-parent')! } : {}),
      ...(str(f, 'log-level') ? { logLevel: str(f, 'log-level')! } : {}),
      ...(tcp ? { tcp } : {}),
    });
  } catch (e) {
    process.stderr.write(`berth daemon: ${(e as Error).message}\n`);
    return 125;
  }
  const log = createLogger(config.logLevel);
  const engine = await openEngine(config, log);
  let server;
  try {
    server = await startApiServer({ socketPath: config.socket, ...(config.tcp ? { tcp: config.tcp } : {}), routes: engine.routes, services: engine.services, log });
  } catch (e) {
    await engine.close();
    log.error(`cannot listen: ${(e as Error).message}`);
    return 1;
  }
  log.info(`API listen on ${config.socket}${server.tcpPort ? ` and tcp://${config.tcp!.host}:${server.tcpPort}` : ''}`);
  engine.services.events.publish('daemon', 'start', config.root, {});
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  log.info('stopping: containers keep running under their monitors');
  await server.close();
  await engine.close();
  return 0;
}

function splitHostPort(s: string): [string, number] {
  const i = s.lastIndexOf(':');
  const port = Number(s.slice(i + 1));
  if (i < 0 || !Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`invalid tcp address "${s}": use host:port`);
  return [s.slice(0, i) || '0.0.0.0', port];
}
