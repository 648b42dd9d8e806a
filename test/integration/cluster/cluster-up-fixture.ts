// Shared by the cluster-up, auth and controllers integration tests: a real control plane started the way a
// user starts it — `berth cluster up` (the CLI entry, detached daemon, embedded etcd or --etcd-endpoints) —
// in a temp dir with its own HOME, kubeconfig and a free port; `stop()` runs `berth cluster down`, kills
// anything left (server, etcd) by pid, and removes the dir. kubectl is the real /usr/bin/kubectl.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import https from 'node:https';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort, findEtcdUsing } from '../../../src/cluster/storage/embedded-etcd.js';
import { statePaths, readPid, type StatePaths } from '../../../src/cluster/server/state-dir.js';
import { pkiPaths } from '../../../src/cluster/auth/pki.js';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

// The `berth` command as users run it (dist/test/integration/cluster → bin/berth.cjs).
const BERTH = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../bin/berth.cjs');

/** Runs a program; never rejects (the exit code is in the result). */
export function run(file: string, args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {}): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = execFile(file, args, { env: opts.env ?? process.env, timeout: opts.timeoutMs ?? 90_000, maxBuffer: 32 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
    // stdin is always closed: kubectl prompts for a user name on an open stdin when it has no credentials.
    child.stdin!.end(opts.input ?? '');
  });
}

export interface BerthCluster {
  dir: string;
  home: string;
  /** The kubeconfig `up` merges into (KUBECONFIG of every command). */
  kubeconfig: string;
  state: StatePaths;
  port: number;
  /** `berth cluster ARGS --state-dir <state>` (state-dir appended when the command takes it). */
  berth(...args: string[]): Promise<CommandResult>;
  kubectl(...args: string[]): Promise<CommandResult>;
  /** kubectl with stdin and/or another kubeconfig. */
  kubectlWith(o: { input?: string; kubeconfig?: string }, ...args: string[]): Promise<CommandResult>;
  /** A request to the API server with the admin certificate (or none: `anonymous`). */
  request(method: string, p: string, body?: unknown, o?: { anonymous?: boolean }): Promise<{ status: number; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Pids of server and etcd processes still running for this state dir. */
  processes(): number[];
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Prepares a temp dir (HOME, kubeconfig with an unrelated context) and, unless `start` is false, runs `up`. */
export async function startBerthCluster(o: { flags?: string[]; start?: boolean } = {}): Promise<BerthCluster> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-cluster-'));
  const home = path.join(dir, 'home');
  fs.mkdirSync(path.join(home, '.kube'), { recursive: true });
  const kubeconfig = path.join(home, '.kube', 'config');
  // Someone else's cluster is already configured: `up` must keep it.
  fs.writeFileSync(kubeconfig, [
    'apiVersion: v1', 'kind: Config',
    'clusters:', '- name: other', '  cluster:', '    server: https://127.0.0.1:1',
    'users:', '- name: other', '  user:', '    token: abc',
    'contexts:', '- name: other', '  context:', '    cluster: other', '    user: other',
    'current-context: other', '',
  ].join('\n'));
  const state = statePaths(path.join(dir, 'state'));
  const port = await freePort();
  const env = { ...process.env, HOME: home, KUBECONFIG: kubeconfig, BERTH_ROOT: path.join(dir, 'unused-root') };
  const withState = new Set(['up', 'down', 'status', 'serve', 'credentials']);
  const seen = new Set<number>();
  const track = () => {
    const pid = readPid(state);
    if (pid) seen.add(pid);
    for (const p of findEtcdUsing(state.etcdData)) seen.add(p);
  };

  const c: BerthCluster = {
    dir,
    home,
    kubeconfig,
    state,
    port,
    async berth(...args) {
      const full = withState.has(args[0]!) ? [...args, '--state-dir', state.root] : args;
      const r = await run(process.execPath, [BERTH, 'cluster', ...full], { env });
      track();
      return r;
    },
    kubectl: (...args) => run('kubectl', args, { env }),
    kubectlWith: (w, ...args) => run('kubectl', args, { env: { ...env, ...(w.kubeconfig ? { KUBECONFIG: w.kubeconfig } : {}) }, ...(w.input !== undefined ? { input: w.input } : {}) }),
    request(method, p, body, ro = {}) {
      const pki = pkiPaths(state.pki);
      return new Promise((resolve, reject) => {
        const req = https.request(
          { host: '127.0.0.1', port, path: p, method, ca: fs.readFileSync(pki.caCert), agent: false,
            ...(ro.anonymous ? {} : { cert: fs.readFileSync(pki.adminCert), key: fs.readFileSync(pki.adminKey) }),
            headers: { 'content-type': 'application/json', accept: 'application/json' } },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (d: string) => (text += d));
            res.on('end', () => {
              let parsed: unknown = text;
              try {
                parsed = JSON.parse(text);
              } catch {
                // not JSON
              }
              resolve({ status: res.statusCode ?? 0, body: parsed });
            });
          },
        );
        req.on('error', reject);
        req.end(body === undefined ? undefined : JSON.stringify(body));
      });
    },
    processes() {
      track();
      return [...seen].filter(alive);
    },
    async stop() {
      try {
        await c.berth('down');
      } finally {
        track();
        for (const pid of seen) {
          if (!alive(pid)) continue;
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // gone
          }
          for (let i = 0; i < 100 && alive(pid); i++) await sleep(50);
        }
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
  if (o.start !== false) {
    const up = await c.berth('up', '--port', String(port), ...(o.flags ?? []));
    if (up.code !== 0) {
      await c.stop();
      throw new Error(`berth cluster up failed (${up.code}):\n${up.stdout}\n${up.stderr}`);
    }
  }
  return c;
}

/** Retries fn until it returns true (or throws the last failure after timeoutMs). */
export async function eventually(what: string, fn: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await fn()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}
