// Executing a CNI plugin binary per the CNI 1.0.0 protocol: CNI_* environment, configuration on stdin,
// result or {code,msg,details} error on stdout.
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { CniPluginError, NetworkError } from '../errors.js';
import { toolPath } from '../run-tool.js';
import type { CniExec, CniInvocation } from './types.js';

export const DEFAULT_CNI_PATH = ['/usr/lib/cni', '/opt/cni/bin'];

export interface CniExecOptions {
  cniPath?: string[];
  /** A plugin stuck this long (e.g. on the xtables lock) is killed and reported. */
  timeoutMs?: number;
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
  return async (inv) => runPlugin(locate(inv.plugin.type), dirs, inv, timeoutMs);
}

function runPlugin(bin: string, dirs: string[], inv: CniInvocation, timeoutMs: number): Promise<unknown> {
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
  return new Promise((resolve, reject) => {
    const child = spawn(bin, [], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, timeoutMs);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.stdin.on('error', () => { /* exit status reports the failure */ });
    child.once('error', (e) => { clearTimeout(timer); reject(new NetworkError(`${what}: cannot run ${bin}: ${e.message}`, 'Internal')); });
    child.once('close', (code) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out).toString('utf8').trim();
      const stderr = Buffer.concat(err).toString('utf8').trim();
      if (timedOut) return reject(new CniPluginError(`${what} timed out after ${timeoutMs} ms and was killed`, plugin.type, command, network, 0, stderr));
      if (code === 0) {
        if (!stdout) return resolve(undefined);
        try {
          return resolve(JSON.parse(stdout));
        } catch {
          return reject(new CniPluginError(`${what}: unparsable result: ${stdout.slice(0, 200)}`, plugin.type, command, network, 0, stdout));
        }
      }
      reject(pluginError(what, inv, code ?? -1, stdout, stderr));
    });
    child.stdin.end(JSON.stringify(inv.stdin));
  });
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
