// Shared setup for image integration tests: a private Berth root and Docker config dir per test file, the
// `berth` CLI run as a user runs it (asynchronously: the registries' helpers live in this process), and a
// consistency check of the content store.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BERTH = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../bin/berth.cjs');

export interface CliResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export class ImageHarness {
  readonly tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-img-'));
  readonly root = path.join(this.tmp, 'root');
  readonly dockerConfig = path.join(this.tmp, 'docker-config');
  extraEnv: NodeJS.ProcessEnv = {};

  constructor() {
    fs.chmodSync(this.tmp, 0o755);
    fs.mkdirSync(this.dockerConfig);
  }

  env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    return { ...process.env, BERTH_ROOT: this.root, DOCKER_CONFIG: this.dockerConfig, BERTH_CERTS_DIR: path.join(this.tmp, 'no-certs'), ...this.extraEnv, ...extra };
  }

  /** Runs `berth ...args` to completion. */
  berth(args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv; onSpawn?: (pid: number) => void } = {}): Promise<CliResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [BERTH, ...args], { env: this.env(opts.env), stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('error', reject);
      child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
      if (opts.onSpawn && child.pid) opts.onSpawn(child.pid);
      child.stdin.end(opts.input ?? '');
    });
  }

  /** Runs another tool asynchronously (in-process fixtures like the token server must keep serving). */
  run(cmd: string, args: string[]): Promise<CliResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('error', reject);
      child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
    });
  }

  /** Every committed blob hashes to its name, and no partial ingest is left (the store is consistent). */
  checkContentStore(): { blobs: number; ingests: string[] } {
    const blobsDir = path.join(this.root, 'image', 'content', 'blobs', 'sha256');
    const names = fs.existsSync(blobsDir) ? fs.readdirSync(blobsDir) : [];
    for (const n of names) {
      const hex = createHash('sha256').update(fs.readFileSync(path.join(blobsDir, n))).digest('hex');
      if (hex !== n) throw new Error(`blob ${n} does not match its digest (${hex})`);
    }
    const ingestDir = path.join(this.root, 'image', 'content', 'ingest');
    return { blobs: names.length, ingests: fs.existsSync(ingestDir) ? fs.readdirSync(ingestDir) : [] };
  }

  /** Mount points under this harness's temp dir (there should be none after cleanup). */
  mounts(): string[] {
    return fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4] ?? '').filter((m) => m.startsWith(this.tmp));
  }

  cleanup(): void {
    for (const m of this.mounts().reverse()) spawnUmount(m);
    fs.rmSync(this.tmp, { recursive: true, force: true });
  }
}

function spawnUmount(target: string): void {
  // Best effort, only for a failed test's leftovers; tests assert there are none.
  spawnSync('umount', ['-l', target], { stdio: 'ignore' });
}
