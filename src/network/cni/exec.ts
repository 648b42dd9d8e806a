// Executing a CNI plugin binary per the CNI 1.0.0 protocol: CNI_* environment, configuration on stdin,
// result or {code,msg,details} error on stdout.
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { CniPluginError, NetworkError } from '../errors.js';
import { toolPath } from '../run-tool.js';
import type { CniExec, CniInvocation } from './types.js';

export const DEFAULT_CNI_PATH = ['/usr/lib/cni', '/opt/cni/bin'];

/** How a plugin process is run: the default spawns from this process; the engine hands in a resident runner. */
export type PluginRunner = (bin: string, env: Record<string, string>, stdin: string, timeoutMs: number) => Promise<{ code: number; stdout: string; stderr: string; timedOut: boolean }>;

export interface CniExecOptions {
  cniPath?: string[];
  /** A plugin stuck this long (e.g. on the xtables lock) is killed and reported. */
  timeoutMs?: number;
  /** Runs the plugin binary (default: child_process.spawn from this process). */
  run?: PluginRunner;
}

/** The real CniExec: finds the plugin in cniPath and runs it. */
export function createCniExec(o: CniExecOptions = {}): CniExec {
  const dirs = o.cniPath ?? DEFAULT_CNI_PATH;
  const timeoutMs = o.timeoutMs ?? 60_000;
  const found = new Map<string, string>();
  const locate = (type: string): string => {
    const hit = found.get(type);
    if (hit) return hit;
    if (!/^[a-zA-Z0-9_.-]+$/.test(type)) throw new NetworkError(`invalid CNI plugin type "${type}"`, 'InvalidArgument');
    for (const d of dirs) {
      const p = path.join(d, type);
      try {
        fs.accessSync(p, fs.constants.X_OK);
        found.set(type, p);
        return p;
      } catch { /* next directory */ }
    }
    throw new NetworkError(`CNI plugin "${type}" not found in ${dirs.join(':')}: install containernetworking-plugins`, 'FailedPrecondition');
  };
  const run = o.run ?? spawnPlugin;
  return async (inv) => runPlugin(locate(inv.plugin.type), dirs, inv, timeoutMs, run);
}

/** The default PluginRunner: a child of this process. */
export const spawnPlugin: PluginRunner = (bin, env, stdin, timeoutMs) =>
  new Promise((resolve, reject) => {
    const child = spawn(bin, [], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, timeoutMs);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.stdin.on('error', () => { /* exit status reports the failure */ });
    child.once('error', (e) => { clearTimeout(timer); reject(e); });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), timedOut });
    });
    child.stdin.end(stdin);
  });

async function runPlugin(bin: string, dirs: string[], inv: CniInvocation, timeoutMs: number, run: PluginRunner): Promise<unknown> {
  const { runtime: rt, command, plugin, network } = inv;
  const env = {
    PATH: toolPath(),
    CNI_COMMAND: command,
    CNI_CONTAINERID: rt.containerId,
    CNI_NETNS: rt.netns,
    CNI_IFNAME: rt.ifName,
    CNI_PATH: dirs.join(':'),
  };
  const what = `network ${network}: CNI plugin ${plugin.type} ${command} for container ${rt.containerId.slice(0, 12)}`;
  let r: Awaited<ReturnType<PluginRunner>>;
  try {
    r = await run(bin, env, JSON.stringify(inv.stdin), timeoutMs);
  } catch (e) {
    throw new NetworkError(`${what}: cannot run ${bin}: ${(e as Error).message}`, 'Internal');
  }
  const stdout = r.stdout.trim();
  const stderr = r.stderr.trim();
  if (r.timedOut) throw new CniPluginError(`${what} timed out after ${timeoutMs} ms and was killed`, plugin.type, command, network, 0, stderr);
  if (r.code === 0) {
    if (!stdout) return undefined;
    try {
      return JSON.parse(stdout);
    } catch {
      throw new CniPluginError(`${what}: unparsable result: ${stdout.slice(0, 200)}`, plugin.type, command, network, 0, stdout);
    }
  }
  throw pluginError(what, inv, r.code, stdout, stderr);
}

/** Turns a plugin's error output into an error naming the plugin, command, network and container. */
export function pluginError(what: string, inv: CniInvocation, exitCode: number, stdout: string, stderr: string): CniPluginError {
  let code = 0;
  let msg = '';
  let details = '';
  try {
    const e = JSON.parse(stdout) as { code?: number; msg?: string; details?: string };
    code = Number(e.code ?? 0);
    msg = e.msg ?? '';
    details = e.details ?? '';
  } catch {
    msg = stdout || stderr || `exited with status ${exitCode}`;
  }
  const text = `${what} failed: ${msg}${details && details !== msg ? `: ${details}` : ''}${code ? ` (CNI error code ${code})` : ''}`;
  return new CniPluginError(text, inv.plugin.type, inv.command, inv.network, code, details);
}
