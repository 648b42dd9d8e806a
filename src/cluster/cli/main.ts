// `berth cluster …`: up, down, status, serve, credentials.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { parseArgs, UsageError, bool, list, str, type FlagSpec, type Flags } from '../../common/args.js';
import { ensurePki, issueClientCert } from '../auth/pki.js';
import { formatTokenRecord } from '../auth/token-file.js';
import { parseCidr } from '../admission/cidr.js';
import { parsePortRange } from '../admission/port-range.js';
import { buildKubeconfig, kubeconfigPath } from '../server/kubeconfig.js';
import { formatKubeconfig } from '../server/kubeconfig-file.js';
import { clusterDown, clusterStatus, clusterUp, formatStatus } from '../server/daemon.js';
import { defaultStateDir, readConfig, readServerInfo, runningServerPid, statePaths, type ClusterConfig } from '../server/state-dir.js';

const USAGE = `Usage: berth cluster COMMAND [OPTIONS]

The Kubernetes-compatible control plane (API server on etcd).

Commands:
  up            start the control plane in the background and make kubectl's "berth" context current
  down          stop it (data is kept)
  status        show whether it runs, where, and etcd's members and health
  serve         run the control plane in the foreground
  credentials   print a kubeconfig for another identity (client certificate or token)

Options for up and serve:
  --state-dir DIR                  state directory (default $BERTH_ROOT/cluster or /var/lib/berth/cluster)
  --port N                         HTTPS port (default 6443)
  --bind-address IP                address to listen on (default 127.0.0.1)
  --etcd-endpoints URL[,URL...]    use an existing etcd cluster instead of the embedded one
  --service-cluster-ip-range CIDR  Service IP range (default 10.96.0.0/12)
  --service-node-port-range A-B    NodePort range (default 30000-32767)

Options for status: --format json
Options for credentials: --user NAME [--group G]... [--token] [--namespace NS] [-o FILE]
`;

const STATE: FlagSpec = { name: 'state-dir', kind: 'string' };
const HELP: FlagSpec = { name: 'help', short: 'h', kind: 'bool' };
const SERVER_FLAGS: FlagSpec[] = [
  STATE,
  HELP,
  { name: 'port', kind: 'string' },
  { name: 'bind-address', kind: 'string' },
  { name: 'etcd-endpoints', kind: 'string' },
  { name: 'service-cluster-ip-range', kind: 'string' },
  { name: 'service-node-port-range', kind: 'string' },
];

export interface ClusterCliOptions {
  /** How to run berth for the daemon: argv before `serve` (default: this program + `cluster`). */
  selfCommand?: string[];
  out?: (text: string) => void;
  err?: (text: string) => void;
}

/** The configuration flags of up/serve, validated. */
export function configFromFlags(flags: Flags): ClusterConfig {
  const c: ClusterConfig = {};
  const port = str(flags, 'port');
  if (port !== undefined) {
    const n = Number(port);
    if (!Number.isInteger(n) || n < 1 || n > 65535) throw new UsageError(`invalid --port ${JSON.stringify(port)}`);
    c.port = n;
  }
  const bind = str(flags, 'bind-address');
  if (bind !== undefined) c.bindAddress = bind;
  const endpoints = str(flags, 'etcd-endpoints');
  if (endpoints !== undefined) {
    c.etcdEndpoints = endpoints.split(',').map((e) => e.trim()).filter(Boolean);
    for (const e of c.etcdEndpoints) if (!/^https?:\/\//.test(e)) throw new UsageError(`invalid etcd endpoint ${JSON.stringify(e)} (use http://host:port)`);
  }
  const cidr = str(flags, 'service-cluster-ip-range');
  if (cidr !== undefined) {
    try {
      c.serviceClusterIpRange = parseCidr(cidr).text;
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  }
  const ports = str(flags, 'service-node-port-range');
  if (ports !== undefined) {
    try {
      c.serviceNodePortRange = parsePortRange(ports).text;
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  }
  return c;
}

/** Runs `berth cluster ARGS`; returns the exit code. */
export async function clusterMain(argv: string[], o: ClusterCliOptions = {}): Promise<number> {
  const out = o.out ?? ((t: string) => void process.stdout.write(t));
  const err = o.err ?? ((t: string) => void process.stderr.write(t));
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'up': {
        const { flags } = parseArgs(rest, SERVER_FLAGS);
        if (bool(flags, 'help')) return help(out);
        const paths = statePaths(str(flags, 'state-dir') ?? defaultStateDir());
        const selfCommand = o.selfCommand ?? [process.argv[1]!, 'cluster'];
        await clusterUp({ paths, config: configFromFlags(flags), selfCommand, kubeconfig: kubeconfigPath(process.env, os.homedir()), out: (l) => out(`${l}\n`) });
        return 0;
      }
      case 'down': {
        const { flags } = parseArgs(rest, [STATE, HELP]);
        if (bool(flags, 'help')) return help(out);
        await clusterDown(statePaths(str(flags, 'state-dir') ?? defaultStateDir()), (l) => out(`${l}\n`));
        return 0;
      }
      case 'status': {
        const { flags } = parseArgs(rest, [STATE, HELP, { name: 'format', kind: 'string' }]);
        if (bool(flags, 'help')) return help(out);
        const s = await clusterStatus(statePaths(str(flags, 'state-dir') ?? defaultStateDir()));
        if (str(flags, 'format') === 'json') out(JSON.stringify(s, null, 2) + '\n');
        else if (str(flags, 'format') !== undefined) throw new UsageError(`unsupported --format ${JSON.stringify(str(flags, 'format'))} (use json)`);
        else out(formatStatus(s).join('\n') + '\n');
        return s.running && s.ready ? 0 : 1;
      }
      case 'serve': {
        const { flags } = parseArgs(rest, SERVER_FLAGS);
        if (bool(flags, 'help')) return help(out);
        const { runServe } = await import('./serve-command.js');
        return await runServe(str(flags, 'state-dir') ?? defaultStateDir(), configFromFlags(flags), err);
      }
      case 'credentials':
        return credentials(rest, out);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        out(USAGE);
        return cmd === undefined ? 1 : 0;
      default:
        err(`berth cluster: unknown command "${cmd}" (see 'berth cluster --help')\n`);
        return 1;
    }
  } catch (e) {
    if (e instanceof UsageError) {
      err(`berth cluster ${cmd}: ${e.message}\n`);
      return 125;
    }
    err(`Error: ${(e as Error).message}\n`);
    if (process.env.BERTH_DEBUG) err(`${(e as Error).stack}\n`);
    return 1;
  }
}

function help(out: (t: string) => void): number {
  out(USAGE);
  return 0;
}

/** `credentials`: a kubeconfig for --user with --group memberships, by client certificate or (--token) token. */
function credentials(argv: string[], out: (t: string) => void): number {
  const { flags } = parseArgs(argv, [
    STATE,
    HELP,
    { name: 'user', kind: 'string' },
    { name: 'group', kind: 'list' },
    { name: 'token', kind: 'bool' },
    { name: 'namespace', short: 'n', kind: 'string' },
    { name: 'output', short: 'o', kind: 'string' },
    { name: 'server', kind: 'string' },
  ]);
  if (bool(flags, 'help')) return help(out);
  const user = str(flags, 'user');
  if (!user) throw new UsageError('--user is required');
  const groups = list(flags, 'group');
  const paths = statePaths(str(flags, 'state-dir') ?? defaultStateDir());
  const pki = ensurePki(paths.pki);
  const config = readConfig(paths);
  const info = runningServerPid(paths) !== undefined ? readServerInfo(paths) : undefined;
  const server = str(flags, 'server') ?? info?.url ?? `https://${config.bindAddress && config.bindAddress !== '0.0.0.0' ? config.bindAddress : '127.0.0.1'}:${config.port ?? 6443}`;
  const entry = {
    name: 'berth',
    userName: user,
    contextName: `${user}@berth`,
    server,
    caPem: fs.readFileSync(pki.caCert, 'utf8'),
    ...(str(flags, 'namespace') ? { namespace: str(flags, 'namespace')! } : {}),
  };
  let doc;
  if (bool(flags, 'token')) {
    const token = randomBytes(24).toString('base64url');
    // The server re-reads the token file when it changes: the token works at once.
    fs.appendFileSync(paths.tokensFile, formatTokenRecord(token, { name: user, uid: user, groups }) + '\n', { mode: 0o600 });
    doc = buildKubeconfig({ ...entry, token });
  } else {
    doc = buildKubeconfig({ ...entry, client: issueClientCert(pki, user, groups) });
  }
  const text = formatKubeconfig(doc);
  const file = str(flags, 'output');
  if (file) {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    fs.writeFileSync(file, text, { mode: 0o600 });
  } else out(text);
  return 0;
}
