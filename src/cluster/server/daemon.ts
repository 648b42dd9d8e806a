// `berth cluster up|down|status`: the control plane as a background daemon. `up` starts `… cluster serve`
// detached (its output in <state>/apiserver.log, its pid in <state>/apiserver.pid), waits until it is ready,
// and merges an admin kubeconfig into the user's kubeconfig as context `berth`; a second `up` finds it
// running and only refreshes the kubeconfig. `down` stops it (the server stops its embedded etcd; an etcd
// left behind by a crashed server is stopped too) and keeps every byte of data. `status` reports both.
import fs from 'node:fs';
import { spawn } from 'node:child_process';
import { ADMIN_USER, ensurePki, pkiPaths } from '../auth/pki.js';
import { findEtcdUsing, logTail, probeHealth } from '../storage/embedded-etcd.js';
import { EtcdClient } from '../storage/etcd-client.js';
import { mergeKubeconfig } from './kubeconfig.js';
import { updateKubeconfig } from './kubeconfig-file.js';
import { isReady } from './probe.js';
import { terminatePid } from '../../common/process-probe.js';
import {
  DEFAULT_BIND_ADDRESS,
  mergeConfig,
  readConfig,
  readServerInfo,
  runningServerPid,
  servingHostsFor,
  writeConfig,
  type ClusterConfig,
  type StatePaths,
} from './state-dir.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const CONTEXT_NAME = 'berth';
/** Log lines of `serve` that `up` shows as progress. */
const MILESTONES = /(starting etcd|etcd ready|using etcd at|API server listening|controllers started)/;

export interface UpOptions {
  paths: StatePaths;
  /** Settings given on the command line (saved for later starts). */
  config: ClusterConfig;
  /** How to run berth itself: argv before `serve` (e.g. [bin/berth.cjs, 'cluster']). */
  selfCommand: string[];
  kubeconfig: string;
  out: (line: string) => void;
  timeoutMs?: number;
}

/** Merges the admin credentials into the kubeconfig as context `berth` and makes it current. */
export async function writeAdminKubeconfig(paths: StatePaths, url: string, kubeconfig: string): Promise<void> {
  const pki = pkiPaths(paths.pki);
  const entry = {
    name: CONTEXT_NAME,
    server: url,
    caPem: fs.readFileSync(pki.caCert, 'utf8'),
    client: { certPem: fs.readFileSync(pki.adminCert, 'utf8'), keyPem: fs.readFileSync(pki.adminKey, 'utf8') },
  };
  await updateKubeconfig(kubeconfig, (current) => mergeKubeconfig(current, entry));
}

/** Takes <state>/up.lock so two `up`s cannot both start a server; returns its release. */
async function lockUp(paths: StatePaths): Promise<() => void> {
  for (let i = 0; ; i++) {
    try {
      fs.writeFileSync(paths.upLock, String(process.pid), { flag: 'wx', mode: 0o600 });
      return () => fs.rmSync(paths.upLock, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(fs.readFileSync(paths.upLock, 'utf8'));
      let alive = false;
      try {
        process.kill(holder, 0);
        alive = true;
      } catch {
        // stale
      }
      if (!alive) fs.rmSync(paths.upLock, { force: true });
      else if (i > 1200) throw new Error(`another 'berth cluster up' (pid ${holder}) is running`);
      else await sleep(100);
    }
  }
}

/** Starts the daemon unless it runs; returns its URL and whether it was already running. */
export async function clusterUp(o: UpOptions): Promise<{ url: string; alreadyRunning: boolean }> {
  const { paths, out } = o;
  fs.mkdirSync(paths.root, { recursive: true, mode: 0o700 });
  const unlock = await lockUp(paths);
  try {
    const running = runningServerPid(paths);
    const info = readServerInfo(paths);
    if (running !== undefined && info) {
      out(`The Berth control plane is already running (pid ${running}) at ${info.url}`);
      await writeAdminKubeconfig(paths, info.url, o.kubeconfig);
      out(`kubectl context "${CONTEXT_NAME}" is current (kubeconfig ${o.kubeconfig})`);
      return { url: info.url, alreadyRunning: true };
    }
    const config = mergeConfig(readConfig(paths), o.config);
    writeConfig(paths, config);
    const bind = config.bindAddress ?? DEFAULT_BIND_ADDRESS;
    // The certificates exist before the daemon starts, so this process can probe it as the admin.
    ensurePki(paths.pki, { hosts: servingHostsFor(bind) });

    const logStart = fs.existsSync(paths.apiserverLog) ? fs.statSync(paths.apiserverLog).size : 0;
    const fd = fs.openSync(paths.apiserverLog, 'a', 0o600);
    // BERTH_APISERVER_NODE_ARGS (profiling, e.g. --cpu-prof): node flags for the API server process only.
    const nodeArgs = (process.env.BERTH_APISERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const child = spawn(process.execPath, [...nodeArgs, ...o.selfCommand, 'serve', '--state-dir', paths.root], {
      detached: true,
      stdio: ['ignore', fd, fd],
    });
    fs.closeSync(fd);
    let exited: string | undefined;
    child.on('exit', (code, signal) => (exited = `exit ${code ?? signal}`));
    child.on('error', (err) => (exited = err.message));
    child.unref();
    fs.writeFileSync(paths.pidFile, `${child.pid}\n`, { mode: 0o644 });
    out(`Starting the Berth control plane (pid ${child.pid}, log ${paths.apiserverLog})`);

    const deadline = Date.now() + (o.timeoutMs ?? 90_000);
    let shown = logStart;
    let controllers = false;
    for (;;) {
      // Progress: the daemon's milestone lines, as they appear.
      const text = readFrom(paths.apiserverLog, shown);
      const complete = text.slice(0, text.lastIndexOf('\n') + 1);
      shown += Buffer.byteLength(complete);
      for (const line of complete.split('\n')) {
        if (!MILESTONES.test(line)) continue;
        out(`  ${line.replace(/^\S+Z /, '')}`);
        if (line.includes('controllers started')) controllers = true;
      }
      if (exited) {
        fs.rmSync(paths.pidFile, { force: true });
        throw new Error(`the control plane failed to start (${exited}):\n${logTail(paths.apiserverLog, logStart, 20)}`);
      }
      const url = readServerInfo(paths)?.url;
      if (url && controllers && (await isReady(pkiPaths(paths.pki), url))) {
        await writeAdminKubeconfig(paths, url, o.kubeconfig);
        out(`The Berth control plane is running at ${url}`);
        out(`kubectl context "${CONTEXT_NAME}" is now current (kubeconfig ${o.kubeconfig}); try: kubectl get nodes,ns`);
        return { url, alreadyRunning: false };
      }
      if (Date.now() > deadline) {
        throw new Error(`the control plane did not become ready in time; see ${paths.apiserverLog} (it is still starting: 'berth cluster down' stops it)`);
      }
      await sleep(200);
    }
  } finally {
    unlock();
  }
}

function readFrom(file: string, offset: number): string {
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      if (size <= offset) return '';
      const buf = Buffer.alloc(size - offset);
      fs.readSync(fd, buf, 0, buf.length, offset);
      return buf.toString('utf8');
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return '';
  }
}

/** Stops the daemon and any etcd left on its data dir; returns whether anything was running. */
export async function clusterDown(paths: StatePaths, out: (line: string) => void): Promise<boolean> {
  const pid = runningServerPid(paths);
  if (pid !== undefined) {
    out(`Stopping the Berth control plane (pid ${pid})`);
    await terminatePid(pid, 30_000);
  }
  const orphans = findEtcdUsing(paths.etcdData);
  for (const e of orphans) {
    out(`Stopping etcd left running (pid ${e})`);
    await terminatePid(e, 10_000);
  }
  fs.rmSync(paths.pidFile, { force: true });
  fs.rmSync(paths.serverInfoFile, { force: true });
  if (pid === undefined && orphans.length === 0) {
    out('The Berth control plane is not running');
    return false;
  }
  out(`Stopped (data kept in ${paths.root})`);
  return true;
}

export interface EtcdMemberStatus {
  name: string;
  id: string;
  clientURLs: string[];
  healthy: boolean;
}

export interface ClusterStatus {
  running: boolean;
  pid?: number;
  url?: string;
  ready: boolean;
  stateDir: string;
  etcd: {
    mode: 'embedded' | 'external';
    endpoints: string[];
    dataDir?: string;
    pid?: number;
    members: EtcdMemberStatus[];
    healthy: boolean;
    error?: string;
  };
}

/** What runs, where, and whether it is healthy. */
export async function clusterStatus(paths: StatePaths): Promise<ClusterStatus> {
  const pid = runningServerPid(paths);
  const info = pid !== undefined ? readServerInfo(paths) : undefined;
  const config = readConfig(paths);
  const external = !!config.etcdEndpoints?.length;
  const endpoints = info?.etcd.endpoints ?? (external ? config.etcdEndpoints! : config.etcdClientPort ? [`http://127.0.0.1:${config.etcdClientPort}`] : []);
  const etcdPid = external ? undefined : findEtcdUsing(paths.etcdData)[0];
  const status: ClusterStatus = {
    running: pid !== undefined,
    ...(pid !== undefined ? { pid } : {}),
    ...(info ? { url: info.url } : {}),
    ready: false,
    stateDir: paths.root,
    etcd: {
      mode: external ? 'external' : 'embedded',
      endpoints,
      ...(external ? {} : { dataDir: paths.etcdData }),
      ...(etcdPid !== undefined ? { pid: etcdPid } : {}),
      members: [],
      healthy: false,
    },
  };
  if (info && fs.existsSync(pkiPaths(paths.pki).adminCert)) status.ready = await isReady(pkiPaths(paths.pki), info.url);
  if (endpoints.length && (external || etcdPid !== undefined)) {
    const client = new EtcdClient({ endpoints, attemptTimeoutMs: 1000, deadlineMs: 2000 });
    try {
      const reply = await client.call('/v3/cluster/member/list', {}, { idempotent: true });
      const members = Array.isArray(reply.members) ? reply.members : [];
      status.etcd.members = await Promise.all(
        members.map(async (m: { ID?: string; name?: string; clientURLs?: string[] }) => {
          const urls = m.clientURLs ?? [];
          return { name: m.name ?? '', id: BigInt(m.ID ?? 0).toString(16), clientURLs: urls, healthy: urls.length > 0 && (await probeHealth(urls[0]!, 1000)) };
        }),
      );
      status.etcd.healthy = status.etcd.members.some((m) => m.healthy);
    } catch (err) {
      status.etcd.error = (err as Error).message;
    } finally {
      client.close();
    }
  }
  return status;
}

/** The status as the lines `berth cluster status` prints. */
export function formatStatus(s: ClusterStatus): string[] {
  const lines = [
    `Control plane:  ${s.running ? `running (pid ${s.pid})` : 'stopped'}`,
    `API server:     ${s.url ? `${s.url} (${s.ready ? 'ready' : 'not ready'})` : '-'}`,
    `User:           ${ADMIN_USER} (kubectl context "${CONTEXT_NAME}")`,
    `etcd:           ${s.etcd.mode}${s.etcd.pid ? ` (pid ${s.etcd.pid})` : ''}, ${s.etcd.members.length} member(s)${s.etcd.error ? ` — ${s.etcd.error}` : ''}`,
  ];
  for (const m of s.etcd.members) lines.push(`  ${m.name.padEnd(12)} ${m.id.padEnd(17)} ${m.clientURLs.join(',').padEnd(28)} ${m.healthy ? 'healthy' : 'unhealthy'}`);
  lines.push(`Data:           ${s.etcd.dataDir ?? s.etcd.endpoints.join(', ')}`);
  lines.push(`State dir:      ${s.stateDir}`);
  return lines;
}
