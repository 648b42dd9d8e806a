// The embedded default: a private single-member etcd (Debian's /usr/bin/etcd) on loopback, its data under
// Berth's state dir. Berth compacts history itself (compactor.ts), so etcd's auto-compaction stays off.
// etcd runs in its own process group with its output in a log file (never a pipe: it must not die with us
// of SIGPIPE), and an etcd left behind by a crashed API server on the same data dir is stopped first.
import fs from 'node:fs';
import net from 'node:net';
import http from 'node:http';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { readProcStat, terminatePid } from '../../common/process-probe.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface EmbeddedEtcdOptions {
  dataDir: string;
  /** Loopback client port; omitted: a free one. */
  clientPort?: number;
  /** Loopback peer port; omitted: a free one. */
  peerPort?: number;
  /** Member name (default "berth"). */
  name?: string;
  /** Where etcd's output goes (default `<dataDir>.log`, beside the data dir: etcd warns about foreign files in it). */
  logFile?: string;
  etcdBinary?: string;
  /** How long to wait for /health (default 30 s). */
  startTimeoutMs?: number;
  /** etcd's watch progress notifications, which drive bookmarks (default 5 s). */
  progressNotifyIntervalMs?: number;
}

export interface EtcdExit { code: number | null; signal: NodeJS.Signals | null }

export interface EmbeddedEtcd {
  endpoints: string[];
  pid: number;
  clientPort: number;
  peerPort: number;
  logFile: string;
  /** Resolves when the process exits, for whatever reason. */
  exited: Promise<EtcdExit>;
  /** SIGTERM, then SIGKILL after a grace period; resolves once it has exited. */
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (the kernel's choice; free when asked, not reserved). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Rejects when 127.0.0.1:port cannot be bound. Checked before starting etcd: otherwise our health probe
 *  could be answered by whatever holds the port (another etcd!) while our member dies of the bind error. */
export function assertPortFree(port: number, which: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', (err: NodeJS.ErrnoException) => {
      reject(new Error(err.code === 'EADDRINUSE' ? `etcd could not start: ${which} port 127.0.0.1:${port} is already in use` : `etcd could not start: ${which} port 127.0.0.1:${port}: ${err.message}`));
    });
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve()));
  });
}

/** etcd's command line for a private single loopback member. */
export function etcdArgs(o: { name: string; dataDir: string; clientPort: number; peerPort: number; progressNotifyIntervalMs: number }): string[] {
  const client = `http://127.0.0.1:${o.clientPort}`;
  const peer = `http://127.0.0.1:${o.peerPort}`;
  return [
    `--name=${o.name}`,
    `--data-dir=${o.dataDir}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=${o.name}=${peer}`,
    '--initial-cluster-state=new',
    '--auto-compaction-retention=0',
    // etcd 3.4 defaults to 100,000 and keeps that many raft entries in memory; 3.5's 10,000 bounds RSS.
    '--snapshot-count=10000',
    `--experimental-watch-progress-notify-interval=${Math.max(1, Math.round(o.progressNotifyIntervalMs / 1000))}s`,
    '--logger=zap',
    '--log-outputs=stderr',
  ];
}

/** The last lines of file written after byte offset `from`. */
export function logTail(file: string, from = 0, lines = 15): string {
  try {
    const text = fs.readFileSync(file).subarray(from).toString('utf8');
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Why etcd failed to start, in one sentence, from its log. */
export function explainStartFailure(log: string, o: { clientPort: number; peerPort: number; dataDir: string }): string {
  const inUse = /listen tcp ([\d.]+):(\d+): bind: address already in use/.exec(log);
  if (inUse) {
    const port = Number(inUse[2]);
    const which = port === o.clientPort ? 'client' : port === o.peerPort ? 'peer' : 'a';
    return `etcd could not start: ${which} port ${inUse[1]}:${port} is already in use`;
  }
  if (/permission denied/i.test(log)) return `etcd could not start: permission denied on its data dir ${o.dataDir}`;
  if (/not a directory|cannot access data directory|mkdir/i.test(log)) return `etcd could not start: unusable data dir ${o.dataDir}`;
  return 'etcd could not start';
}

/** Pids of etcd processes running with --data-dir=dataDir (left behind by a crashed Berth). */
export function findEtcdUsing(dataDir: string, procRoot = '/proc'): number[] {
  const want = `--data-dir=${dataDir}`;
  const pids: number[] = [];
  for (const entry of fs.readdirSync(procRoot)) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = fs.readFileSync(path.join(procRoot, entry, 'cmdline'), 'utf8').split('\0');
      if (argv[0] && path.basename(argv[0]) === 'etcd' && argv.includes(want)) pids.push(Number(entry));
    } catch {
      // raced with its exit
    }
  }
  return pids;
}

/** True when ppid is a live process other than an init-like reaper (which adopts orphans). */
function isSupervisedElsewhere(ppid: number): boolean {
  try {
    const comm = fs.readFileSync(`/proc/${ppid}/comm`, 'utf8').trim();
    return !/^(systemd|init|tini|dumb-init)$/.test(comm);
  } catch {
    return false;
  }
}

/** Stops our own child: SIGTERM, SIGKILL after graceMs, done when `exited` resolves. */
async function stopChild(pid: number, exited: Promise<EtcdExit>, graceMs: number): Promise<void> {
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(pid, sig);
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), graceMs)));
  const outcome = await Promise.race([exited, grace]);
  clearTimeout(timer);
  if (outcome === 'timeout') signal('SIGKILL');
  await exited;
}

/** GET /health on a client URL: true when etcd reports {"health":"true"}. */
export function probeHealth(endpoint: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(`${endpoint}/health`, { timeout: timeoutMs, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => {
        try {
          resolve(res.statusCode === 200 && JSON.parse(body).health === 'true');
        } catch {
          resolve(false);
        }
      });
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

/** Creates dataDir (0700) when missing; a clear error when it cannot be one. */
function prepareDataDir(dataDir: string): void {
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(dataDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`etcd data dir ${dataDir} is unusable: ${(err as Error).message}`);
  }
  if (st && !st.isDirectory()) throw new Error(`etcd data dir ${dataDir} exists and is not a directory`);
  if (!st) {
    try {
      fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    } catch (err) {
      throw new Error(`cannot create etcd data dir ${dataDir}: ${(err as Error).message}`);
    }
  }
}

/** Starts a private single-member etcd and waits until it is healthy. */
export async function startEmbeddedEtcd(opts: EmbeddedEtcdOptions): Promise<EmbeddedEtcd> {
  const dataDir = path.resolve(opts.dataDir);
  const name = opts.name ?? 'berth';
  const logFile = opts.logFile ?? `${dataDir}.log`;
  const clientPort = opts.clientPort ?? (await freePort());
  let peerPort = opts.peerPort ?? (await freePort());
  while (opts.peerPort === undefined && peerPort === clientPort) peerPort = await freePort(); // the kernel may hand one out twice
  const timeoutMs = opts.startTimeoutMs ?? 30_000;

  for (const pid of findEtcdUsing(dataDir)) {
    // Only an orphan (its supervisor died; adopted by init or a subreaper) is ours to reclaim.
    const ppid = readProcStat(pid)?.ppid;
    if (ppid !== undefined && ppid !== 1 && ppid !== process.pid && isSupervisedElsewhere(ppid)) {
      throw new Error(`etcd for ${dataDir} is already running (pid ${pid}, started by pid ${ppid})`);
    }
    await terminatePid(pid, 10_000);
  }
  prepareDataDir(dataDir);
  await assertPortFree(clientPort, 'client');
  await assertPortFree(peerPort, 'peer');
  fs.mkdirSync(path.dirname(logFile), { recursive: true });

  const logStart = fs.existsSync(logFile) ? fs.statSync(logFile).size : 0;
  const logFd = fs.openSync(logFile, 'a', 0o600);
  const args = etcdArgs({ name, dataDir, clientPort, peerPort, progressNotifyIntervalMs: opts.progressNotifyIntervalMs ?? 5000 });
  const child = spawn(opts.etcdBinary ?? '/usr/bin/etcd', args, { stdio: ['ignore', logFd, logFd], detached: true });
  fs.closeSync(logFd);
  let spawnError: Error | undefined;
  let hasExited = false;
  const exited = new Promise<EtcdExit>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
    child.on('error', (err) => {
      spawnError = err;
      resolve({ code: -1, signal: null });
    });
  });
  void exited.then(() => (hasExited = true));

  const endpoint = `http://127.0.0.1:${clientPort}`;
  const fail = (why: string) => {
    const tail = logTail(logFile, logStart);
    return new Error(`${why}\n(etcd ${args.join(' ')}; log ${logFile}${tail ? `:\n${tail}` : ''})`);
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (hasExited) {
      if (spawnError) throw fail(`etcd could not be run: ${spawnError.message}`);
      const { code, signal } = await exited;
      throw fail(`${explainStartFailure(logTail(logFile, logStart, 200), { clientPort, peerPort, dataDir })} (exit ${code ?? signal})`);
    }
    if ((await probeHealth(endpoint, 500)) && !hasExited) break;
    if (Date.now() > deadline) {
      await stopChild(child.pid!, exited, 2000);
      throw fail(`etcd did not become healthy within ${timeoutMs} ms`);
    }
    await sleep(50);
  }

  const pid = child.pid!;
  return {
    endpoints: [endpoint],
    pid,
    clientPort,
    peerPort,
    logFile,
    exited,
    async stop() {
      if (!hasExited) await stopChild(pid, exited, 10_000);
      await exited;
    },
  };
}
