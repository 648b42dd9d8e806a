// Shared setup for network integration tests: a private state root and namespace dir per test file, test-unique
// bridge names and subnets, helpers to run commands inside a namespace, servers in namespaces, the FORWARD policy
// (restored at cleanup), and leak checks (veths, iptables rules, leases, mounts). The shared chains (Berth's
// BERTH-POSTROUTING/BERTH-FORWARD, the CNI plugins' CNI-HOSTPORT-*, CNI-FORWARD, CNI-ADMIN) and the nftables
// tables they live in are removed afterwards only if they did not exist before and are empty again, so a
// real Berth or another test using them at the same time is never disturbed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { NetworkManager, createNetns, removeNetns, isNetnsMounted } from '../../../src/network/index.js';

if (process.getuid?.() !== 0) throw new Error('network integration tests need root (the CI runs them as root)');

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Spawns a command (async: tests run in-process servers) and collects its output. */
export function run(cmd: string, args: string[], timeoutMs = 20_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PATH: `${process.env.PATH}:/usr/sbin:/sbin` } });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, stderr });
    });
  });
}

/** Like run, with stdin. */
function runInput(cmd: string, args: string[], input: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(input);
  });
}

/** Runs argv inside a pinned network namespace (no `ip netns`: nsenter on the path). */
export function inNetns(nsPath: string, argv: string[]): Promise<Run> {
  return run('nsenter', [`--net=${nsPath}`, ...argv]);
}

/** iptables-save of all tables, without comments and counters. */
export async function iptablesRules(): Promise<string[]> {
  const r = await run('iptables-save', []);
  if (r.code !== 0) throw new Error(`iptables-save: ${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.replace(/\[\d+:\d+\]/, ''));
}

/** The rules carrying a Berth network's comment. */
export function rulesOfNetwork(lines: string[], networkId: string): string[] {
  return lines.filter((l) => l.includes(`--comment "berth network ${networkId}"`));
}

/** The jumps into Berth's chains, as Berth writes them. */
export const BERTH_JUMPS = [
  '-A POSTROUTING -m comment --comment "berth networks" -j BERTH-POSTROUTING',
  '-A FORWARD -m comment --comment "berth networks" -j BERTH-FORWARD',
  '-A BERTH-FORWARD -m comment --comment "berth networks" -j BERTH-ISOLATION-1',
];

/**
 * What a network's removal left behind: lines new since `before` that mention one of the needles, plus Berth's
 * chains and jumps if they are new and no Berth network (another user's) has rules in them any more.
 */
export function leftovers(before: string[], after: string[], needles: string[]): string[] {
  const added = after.filter((l) => !before.includes(l));
  const othersInUse = after.some((l) => l.includes('--comment "berth network '));
  const berth = othersInUse ? [] : added.filter((l) => /^:BERTH-|^-A BERTH-/.test(l) || BERTH_JUMPS.includes(l));
  return [...new Set([...mentioning(added, needles), ...berth])];
}

/** Rule/chain lines mentioning any needle. */
export function mentioning(lines: string[], needles: string[]): string[] {
  return lines.filter((l) => needles.some((n) => l.includes(n)));
}

/** Host veths enslaved to a bridge. */
export async function portsOf(bridge: string): Promise<string[]> {
  const r = await run('ip', ['-j', 'link', 'show', 'master', bridge]);
  if (r.code !== 0) return [];
  return (JSON.parse(r.stdout || '[]') as { ifname: string }[]).map((l) => l.ifname);
}

/** Lease files host-local holds in a network's IPAM dir (one file per allocated address). */
export function leases(root: string, network: string): string[] {
  const dir = path.join(root, 'network', 'ipam', network);
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => /^\d+\.\d+\.\d+\.\d+$/.test(f));
}

/** Mount points under dir (from /proc/self/mountinfo). */
export function mountsUnder(dir: string): string[] {
  return fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4] ?? '').filter((m) => m.startsWith(dir));
}

/** A TCP connection's whole reply. */
export function fetchTcp(host: string, port: number, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host, port });
    let data = '';
    const timer = setTimeout(() => { s.destroy(); reject(new Error(`no reply from ${host}:${port}`)); }, timeoutMs);
    s.on('data', (b) => (data += b.toString()));
    s.on('error', (e) => { clearTimeout(timer); reject(e); });
    s.on('close', () => { clearTimeout(timer); resolve(data); });
  });
}

/** The host's primary IPv4 address (of the default route's device). */
export function primaryIPv4(): string {
  const route = fs.readFileSync('/proc/net/route', 'utf8').split('\n').slice(1).map((l) => l.trim().split(/\s+/)).find((f) => f[1] === '00000000');
  const dev = route?.[0];
  const addr = dev ? os.networkInterfaces()[dev]?.find((a) => a.family === 'IPv4')?.address : undefined;
  if (!addr) throw new Error('host has no default route with an IPv4 address');
  return addr;
}

const SHARED_CHAINS: Record<string, { chain: string; jumps: string[] }[]> = {
  nat: [
    { chain: 'BERTH-POSTROUTING', jumps: ['POSTROUTING -m comment --comment "berth networks" -j BERTH-POSTROUTING'] },
    { chain: 'CNI-HOSTPORT-DNAT', jumps: ['PREROUTING -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT', 'OUTPUT -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT'] },
    { chain: 'CNI-HOSTPORT-MASQ', jumps: ['POSTROUTING -m comment --comment "CNI portfwd requiring masquerade" -j CNI-HOSTPORT-MASQ'] },
    { chain: 'CNI-HOSTPORT-SETMARK', jumps: [] },
  ],
  filter: [
    { chain: 'BERTH-FORWARD', jumps: ['FORWARD -m comment --comment "berth networks" -j BERTH-FORWARD'] },
    { chain: 'CNI-FORWARD', jumps: ['FORWARD -m comment --comment "CNI firewall plugin rules" -j CNI-FORWARD'] },
    { chain: 'CNI-ADMIN', jumps: [] },
  ],
};
// Rules the plugins put in their shared chains once, whatever the containers.
const FIXED_RULES = [
  /^-A CNI-HOSTPORT-MASQ -m mark --mark 0x2000\/0x2000 -j MASQUERADE$/,
  /^-A CNI-HOSTPORT-SETMARK -m comment --comment "CNI portfwd masquerade mark" -j MARK --set-xmark 0x2000\/0x2000$/,
  /^-A CNI-FORWARD -m comment --comment "CNI firewall plugin admin overrides" -j CNI-ADMIN$/,
];

/** Waits until something listens on a TCP port inside a namespace (from its /proc/net/tcp and tcp6). */
export async function waitListening(nsPath: string, port: number, timeoutMs = 5000): Promise<void> {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await inNetns(nsPath, ['cat', '/proc/net/tcp', '/proc/net/tcp6']);
    if (new RegExp(`:${hex} 0+:0000 0A`).test(r.stdout)) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on port ${port} in ${nsPath}`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

/** The current FORWARD policy of the filter table (ACCEPT or DROP). */
export async function forwardPolicy(): Promise<string> {
  const r = await run('iptables', ['-S', 'FORWARD']);
  const p = /^-P FORWARD (\S+)/m.exec(r.stdout)?.[1];
  if (!p) throw new Error(`cannot read the FORWARD policy: ${r.stderr}`);
  return p;
}

async function nftTables(): Promise<string[]> {
  const r = await run('nft', ['list', 'tables']);
  return r.stdout.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('table '));
}

/** Per test file: temp root, run dir, unique names; `cleanup` removes everything the file created. */
export class NetHarness {
  readonly tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-net-it-'));
  readonly root = path.join(this.tmp, 'root');
  readonly nsDir = path.join(this.tmp, 'netns');
  readonly tag = randomBytes(3).toString('hex');
  private readonly managers: NetworkManager[] = [];
  private readonly netnsPaths: string[] = [];
  private readonly bridges: string[] = [];
  private beforeChains = new Set<string>();
  private beforeTables: string[] = [];
  private readonly subnets: string[] = [];
  private readonly children: ChildProcess[] = [];
  private savedPolicy: string | undefined;

  /** Records which shared chains and tables exist before the test creates anything. */
  async start(): Promise<this> {
    this.beforeChains = new Set((await iptablesRules()).filter((l) => l.startsWith(':')).map((l) => l.slice(1).split(' ')[0]!));
    this.beforeTables = await nftTables();
    return this;
  }

  /** A manager on this file's root; its default bridge uses a test subnet and bridge name, never 172.17/berth0. */
  manager(defaultSubnetThirdOctet: number): NetworkManager {
    const bridge = this.bridgeName('d');
    const m = new NetworkManager({ root: this.root, defaultBridgeName: bridge, defaultSubnet: this.subnet(defaultSubnetThirdOctet) });
    this.managers.push(m);
    return m;
  }

  /** The test subnet 10.123.<octet>.0/24; rules mentioning it are purged at cleanup if a failed test leaked them. */
  subnet(octet: number): string {
    this.subnets.push(`10.123.${octet}.`);
    return `10.123.${octet}.0/24`;
  }

  /** A test-unique bridge name (also removed at cleanup if a test failed half-way). */
  bridgeName(kind: string): string {
    const name = `bt${kind}${this.tag}`;
    this.bridges.push(name);
    return name;
  }

  /** Sets the FORWARD policy; the first call remembers the original, which cleanup (or restoreForwardPolicy) puts back. */
  async setForwardPolicy(policy: 'ACCEPT' | 'DROP'): Promise<void> {
    this.savedPolicy ??= await forwardPolicy();
    const r = await run('iptables', ['-P', 'FORWARD', policy]);
    if (r.code !== 0) throw new Error(`iptables -P FORWARD ${policy}: ${r.stderr}`);
  }

  /** Puts the FORWARD policy back as it was before setForwardPolicy. */
  async restoreForwardPolicy(): Promise<void> {
    if (this.savedPolicy === undefined) return;
    const r = await run('iptables', ['-P', 'FORWARD', this.savedPolicy]);
    if (r.code !== 0) throw new Error(`restoring the FORWARD policy ${this.savedPolicy}: ${r.stderr}: run "iptables -P FORWARD ${this.savedPolicy}"`);
    this.savedPolicy = undefined;
  }

  /** A persistent "hi" TCP server inside a namespace (busybox nc -ll keeps listening), killed at cleanup. */
  async serveHi(nsPath: string, port: number): Promise<void> {
    this.children.push(spawn('nsenter', [`--net=${nsPath}`, 'busybox', 'nc', '-ll', '-p', String(port), '-e', 'echo', 'hi'], { stdio: 'ignore' }));
    await waitListening(nsPath, port);
  }

  /** A TCP server inside a namespace that tells each client the address it came from, killed at cleanup. */
  async servePeerAddress(nsPath: string, host: string, port: number): Promise<void> {
    const py = `import socket\ns=socket.socket()\ns.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)\ns.bind(("${host}",${port}))\ns.listen(8)\nwhile True:\n c,a=s.accept()\n c.sendall((a[0]+"\\n").encode())\n c.close()\n`;
    this.children.push(spawn('nsenter', [`--net=${nsPath}`, 'python3', '-c', py], { stdio: 'ignore' }));
    await waitListening(nsPath, port);
  }

  /** A new pinned namespace in this file's namespace dir. */
  async netns(name: string): Promise<string> {
    const p = path.join(this.nsDir, name);
    this.netnsPaths.push(p);
    await createNetns(p);
    return p;
  }

  /** Detaches whatever is still attached, removes namespaces, bridges, shared chains this file created, temp dirs. */
  async cleanup(): Promise<void> {
    await this.restoreForwardPolicy();
    for (const c of this.children) c.kill('SIGKILL');
    for (const m of this.managers) {
      for (const a of m.attachments()) await m.detachContainer({ containerId: a.containerId, network: a.networkId }).catch(() => undefined);
    }
    for (const p of this.netnsPaths) await removeNetns(p).catch(() => undefined);
    for (const b of this.bridges) await run('ip', ['link', 'del', b]).catch(() => undefined);
    await this.purgeLeakedRules();
    await this.removeSharedChains();
    for (const dir of mountsUnder(this.tmp)) if (isNetnsMounted(dir)) await removeNetns(dir).catch(() => undefined);
    fs.rmSync(this.tmp, { recursive: true, force: true });
  }

  // A test that failed half-way may leave per-container rules (they carry this file's tag in container ids and
  // network names, or its subnets); delete them, and the per-container chains they jump to, in one restore.
  private async purgeLeakedRules(): Promise<void> {
    const needles = [this.tag, ...this.subnets];
    const r = await run('iptables-save', []);
    let table = '';
    const script: Record<string, string[]> = {};
    const chains: Record<string, Set<string>> = {};
    for (const line of r.stdout.split('\n')) {
      if (line.startsWith('*')) table = line.slice(1);
      if (!line.startsWith('-A ') || !needles.some((n) => line.includes(n))) continue;
      (script[table] ??= []).push(`-D ${line.slice(3)}`);
      const target = / -j (CNI-(?:DN-)?[0-9a-f]{20,})$/.exec(line)?.[1];
      if (target && !this.beforeChains.has(target)) (chains[table] ??= new Set()).add(target);
    }
    for (const [t, lines] of Object.entries(script)) {
      const body = [`*${t}`, ...lines, ...[...(chains[t] ?? [])].flatMap((c) => [`-F ${c}`, `-X ${c}`]), 'COMMIT', ''].join('\n');
      await runInput('iptables-restore', ['--noflush'], body);
    }
  }

  private async removeSharedChains(): Promise<void> {
    const rules = await iptablesRules();
    for (const [table, chains] of Object.entries(SHARED_CHAINS)) {
      const mine = chains.filter((c) => !this.beforeChains.has(c.chain) && rules.some((l) => l.startsWith(`:${c.chain} `)));
      const busy = rules.some((l) => mine.some((c) => l.startsWith(`-A ${c.chain} `)) && !FIXED_RULES.some((re) => re.test(l)));
      if (busy || !mine.length) continue;
      for (const c of mine) for (const j of c.jumps) await run('iptables', ['-t', table, '-D', ...splitRule(j)]);
      for (const c of mine) await run('iptables', ['-t', table, '-F', c.chain]);
      for (const c of mine) await run('iptables', ['-t', table, '-X', c.chain]);
    }
    // nft tables iptables-nft created for these chains: deleted only when new and now without any rule or chain of their own.
    for (const t of await nftTables()) {
      if (this.beforeTables.includes(t)) continue;
      const [, family, name] = t.split(' ');
      const body = await run('nft', ['list', 'table', family!, name!]);
      const userChains = /chain (?!PREROUTING|INPUT|FORWARD|OUTPUT|POSTROUTING)\S+ \{/.test(body.stdout);
      const hasRules = body.stdout.split('\n').some((l) => /^\s+(?!type |chain |\}|$)\S/.test(l));
      if (!userChains && !hasRules) await run('nft', ['delete', 'table', family!, name!]);
    }
  }
}

// Splits a rule spec written as iptables-save prints it (quoted comments) into argv.
function splitRule(spec: string): string[] {
  return (spec.match(/"[^"]*"|\S+/g) ?? []).map((t) => t.replace(/^"(.*)"$/, '$1'));
}
