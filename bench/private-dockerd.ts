// A private dockerd for the benchmarks' side-by-side runs: its own config, data and exec roots (so its own
// containerd), socket, cgroup parent and bridge, so it never touches a real Docker on the machine. stop() removes
// everything it left (containers, shims and containerd by pid, mounts, cgroups, the bridge, the temp dir).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { DOCKER, run } from '../test/fixtures/engine-daemon.js';

export interface PrivateDockerdOptions {
  /** Names the temp dir and cgroup parent (berth-bench-<name>-…). */
  name: string;
  /** A bridge the daemon adopts (`--bridge` never creates one): made at start, deleted at stop. */
  bridge: string;
  /** The bridge's gateway address with prefix, e.g. 10.202.0.1/24. */
  bridgeAddr: string;
  /** Extra environment for the docker CLI runs against it (e.g. DOCKER_BUILDKIT=0). */
  cliEnv?: NodeJS.ProcessEnv;
}

const tail = (s: string, n = 3000) => (s.length > n ? `…${s.slice(-n)}` : s);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class PrivateDockerd {
  readonly tmp: string;
  readonly cgroupParent: string;
  readonly log: string;
  child: ChildProcess | undefined;
  private bridgeMade = false;

  constructor(private readonly o: PrivateDockerdOptions) {
    this.tmp = fs.mkdtempSync(path.join(os.tmpdir(), `berth-bench-${o.name}-`));
    this.cgroupParent = `berth-bench-${o.name}-${randomBytes(4).toString('hex')}`;
    this.log = path.join(this.tmp, 'dockerd.log');
  }

  /** Environment for the docker CLI against this daemon. */
  env(dockerConfig: string): NodeJS.ProcessEnv {
    return { ...process.env, DOCKER_HOST: `unix://${this.tmp}/docker.sock`, DOCKER_CONFIG: dockerConfig, DOCKER_CLI_HINTS: 'false', ...this.o.cliEnv };
  }

  /** Makes the bridge, starts dockerd (--iptables=false keeps it out of the host's shared tables) and waits for it. */
  async start(dockerConfig: string): Promise<void> {
    fs.chmodSync(this.tmp, 0o755);
    const br = this.o.bridge;
    for (const args of [['link', 'add', br, 'type', 'bridge'], ['addr', 'add', this.o.bridgeAddr, 'dev', br], ['link', 'set', br, 'up']]) {
      const r = spawnSync('ip', args, { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr.trim()} (a leftover ${br} from an interrupted run? ip link del ${br})`);
      this.bridgeMade = true;
    }
    fs.writeFileSync(path.join(this.tmp, 'daemon.json'), '{}');
    this.child = spawn('dockerd', ['--config-file', path.join(this.tmp, 'daemon.json'), '--data-root', `${this.tmp}/data`, '--exec-root', `${this.tmp}/exec`,
      '--pidfile', `${this.tmp}/docker.pid`, '-H', `unix://${this.tmp}/docker.sock`, '--bridge', br, '--iptables=false', '--ip6tables=false',
      '--storage-driver=overlay2', '--cgroup-parent', this.cgroupParent], { stdio: ['ignore', 'ignore', fs.openSync(this.log, 'w')] });
    for (let i = 0; i < 300 && this.child.exitCode === null; i++) {
      if ((await run(DOCKER, ['version'], { env: this.env(dockerConfig) })).status === 0) return;
      await sleep(100);
    }
    throw new Error(`dockerd did not come up:\n${this.logs()}`);
  }

  /** The end of dockerd's log (for error messages). */
  logs(): string {
    try {
      return tail(fs.readFileSync(this.log, 'utf8'));
    } catch {
      return '';
    }
  }

  /** Stops dockerd and removes what it left; returns what had to be cleaned up by force. */
  async stop(dockerConfig: string): Promise<string[]> {
    const leftovers: string[] = [];
    const c = this.child;
    if (c && c.exitCode === null && c.signalCode === null) {
      const ids = (await run(DOCKER, ['ps', '-aq'], { env: this.env(dockerConfig) })).stdout.split('\n').filter(Boolean);
      if (ids.length) await run(DOCKER, ['rm', '-f', ...ids], { env: this.env(dockerConfig) });
      const gone = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      const timer = setTimeout(() => c.kill('SIGKILL'), 30_000);
      await gone;
      clearTimeout(timer);
    }
    // Processes of this dockerd that outlived it (shims, its containerd): ours, so killed by pid.
    for (const d of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(d)) continue;
      try {
        const cmd = fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
        if (!cmd.includes(this.tmp)) continue;
        leftovers.push(`process ${d} (killed): ${cmd}`);
        process.kill(Number(d), 'SIGKILL');
      } catch {
        // Exited meanwhile.
      }
    }
    if (leftovers.length) await sleep(200);
    const mounts = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4] ?? '').filter((m) => m.startsWith(this.tmp));
    for (const m of mounts.reverse()) {
      leftovers.push(`mount (unmounted): ${m}`);
      spawnSync('umount', ['-l', m]);
    }
    for (const ctrl of fs.readdirSync('/sys/fs/cgroup')) {
      const dir = path.join('/sys/fs/cgroup', ctrl, this.cgroupParent);
      try {
        for (const sub of fs.readdirSync(dir, { withFileTypes: true })) if (sub.isDirectory()) fs.rmdirSync(path.join(dir, sub.name));
        fs.rmdirSync(dir);
      } catch (e) {
        // ENOENT: not in this hierarchy, or already removed through a co-mounted alias (cpu → cpu,cpuacct).
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') leftovers.push(`cgroup ${dir}: ${(e as Error).message}`);
      }
    }
    if (this.bridgeMade) spawnSync('ip', ['link', 'del', this.o.bridge]);
    fs.rmSync(this.tmp, { recursive: true, force: true });
    return leftovers;
  }
}
