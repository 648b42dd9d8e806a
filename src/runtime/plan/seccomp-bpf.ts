// Seccomp filters compiled once per profile: libseccomp takes ~15–20 ms to build Docker's default profile, on
// every launch. The helper's `seccomp-export` mode compiles a profile to its BPF program; launches and execs
// with the same profile then load that program as is (the kernel sees the same filter).
import { spawn } from 'node:child_process';
import { seccompLines, type PlanSeccomp } from './launch-plan.js';

/** Longest program sent inline: the plan's lines are read into 64 KiB (hex doubles the size). */
const MAX_BPF_BYTES = 30_000;

const compiled = new Map<string, Promise<Buffer>>();

/** Adds the compiled program to `seccomp` (unchanged when it has a listener, or the export fails). */
export async function withCompiledSeccomp(seccomp: PlanSeccomp | undefined, helperPath: string): Promise<void> {
  if (!seccomp || seccomp.listenerPath || seccomp.bpf) return;
  // The profile as JSON is the cache key: cheaper than encoding its plan lines on every launch.
  const key = `${helperPath}\n${JSON.stringify(seccomp, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))}`;
  let program = compiled.get(key);
  if (!program) {
    program = exportBpf(helperPath, seccompLines(seccomp));
    compiled.set(key, program);
    program.catch(() => compiled.delete(key));
  }
  try {
    const bpf = await program;
    if (bpf.length > 0 && bpf.length <= MAX_BPF_BYTES) seccomp.bpf = bpf.toString('hex');
  } catch {
    // The helper then compiles it itself and reports any profile error with its usual step and errno.
  }
}

function exportBpf(helperPath: string, lines: string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(helperPath, ['seccomp-export'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(Buffer.concat(out)) : reject(new Error(err.trim() || `seccomp-export exited ${code}`))));
    child.stdin.on('error', () => undefined);
    child.stdin.end(['berth-plan 1', ...lines, 'arg true', 'end', ''].join('\n'));
  });
}
