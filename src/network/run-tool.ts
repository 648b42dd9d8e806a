// Runs a host tool (unshare, ip, umount) asynchronously: the daemon's event loop keeps serving meanwhile.
import { spawn } from 'node:child_process';

export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** PATH with the sbin directories, where ip, iptables and umount live. */
export function toolPath(p = process.env.PATH ?? ''): string {
  const parts = p.split(':').filter(Boolean);
  for (const d of ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin']) if (!parts.includes(d)) parts.push(d);
  return parts.join(':');
}

/** Spawns cmd with args, writes input to its stdin, and resolves with its exit code and output (never rejects on exit code). */
export function runTool(cmd: string, args: string[], input = '', env?: NodeJS.ProcessEnv): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: env ?? { ...process.env, PATH: toolPath() }, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.once('error', (e) => reject(new Error(`cannot run ${cmd}: ${e.message}`)));
    child.once('close', (code, signal) => {
      resolve({ code: code ?? (signal ? 128 : 1), stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
    child.stdin.on('error', () => { /* the tool may exit before reading its input; its exit code tells */ });
    child.stdin.end(input);
  });
}
