// The Node side of berth-fsops (native/fsops/fsops.c): mknod, extended attributes and mounts, which Node
// has no binding for. One child serves many requests; replies come back in request order.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { packageRoot } from '../../common/package-root.js';
import { ImageError } from '../errors.js';

const hex = (s: string | Buffer): string => Buffer.from(s).toString('hex');

export class FsOpsError extends ImageError {
  constructor(readonly op: string, readonly target: string, readonly errno: number, reason: string) {
    super(`${op} ${target}: ${reason}`, errno === 2 ? 'NotFound' : 'Internal');
    this.name = 'FsOpsError';
  }
}

/** The filesystem calls Node lacks; `close()` ends the child. */
export interface FsOps {
  mknod(file: string, mode: number, major: number, minor: number): Promise<void>;
  setxattr(file: string, name: string, value: Buffer): Promise<void>;
  /** All extended attributes of a file, not following symlinks. */
  xattrs(file: string): Promise<Map<string, Buffer>>;
  mount(type: string, source: string, target: string, options: string[]): Promise<void>;
  /** umount2(target, flags); flags 2 = MNT_DETACH. */
  umount(target: string, flags?: number): Promise<void>;
  /** A new network namespace with lo up, pinned by a bind mount on `file` (which must exist). */
  pinNetns(file: string): Promise<void>;
  /** Runs `bin args…` with exactly `env`, feeding `stdin`; killed after `timeoutMs`. */
  run(bin: string, args: string[], env: Record<string, string>, stdin: string, timeoutMs: number): Promise<RunResult>;
  close(): Promise<void>;
}

export interface RunResult {
  code: number;
  stdout: Buffer;
  stderr: Buffer;
  timedOut: boolean;
}

/** Path of the built berth-fsops binary. */
export function fsopsPath(): string {
  return process.env.BERTH_FSOPS ?? path.join(packageRoot(), 'native', 'build', 'berth-fsops');
}

/** An FsOps that spawns berth-fsops on first use. */
export function openFsOps(binary = fsopsPath()): FsOps {
  let child: ChildProcess | undefined;
  const waiting: ((line: string) => void)[] = [];
  let failed: Error | undefined;

  const ensure = (): ChildProcess => {
    if (child) return child;
    const c = spawn(binary, [], { stdio: ['pipe', 'pipe', 'inherit'] });
    child = c;
    const lines = createInterface({ input: c.stdout! });
    lines.on('line', (line) => waiting.shift()?.(line));
    const fail = (err: Error) => {
      failed = err;
      for (const w of waiting.splice(0)) w(`err 5 ${err.message}`);
    };
    c.on('error', (err) => fail(new ImageError(`cannot run ${binary}: ${err.message} (run scripts/setup.sh to build it)`)));
    c.on('exit', (code, sig) => { if (waiting.length) fail(new Error(`berth-fsops exited (${sig ?? code})`)); });
    return c;
  };

  const request = (op: string, target: string, fields: string[]): Promise<string> => {
    if (failed) return Promise.reject(failed);
    const c = ensure();
    return new Promise((resolve, reject) => {
      waiting.push((line) => {
        if (line === 'ok' || line.startsWith('ok ')) return resolve(line.slice(3));
        const m = /^err (\d+) (.*)$/.exec(line);
        reject(new FsOpsError(op, target, m ? Number(m[1]) : 5, m ? m[2]! : line));
      });
      c.stdin!.write(`${op} ${fields.join(' ')}\n`);
    });
  };

  return {
    async mknod(file, mode, major, minor) {
      await request('mknod', file, [hex(file), mode.toString(8), String(major), String(minor)]);
    },
    async setxattr(file, name, value) {
      await request('setxattr', file, [hex(file), hex(name), value.length ? value.toString('hex') : '-']);
    },
    async xattrs(file) {
      const payload = await request('xattrs', file, [hex(file)]);
      const out = new Map<string, Buffer>();
      for (const pair of payload.split(' ').filter(Boolean)) {
        const [k, v = ''] = pair.split('=');
        out.set(Buffer.from(k!, 'hex').toString(), Buffer.from(v, 'hex'));
      }
      return out;
    },
    async mount(type, source, target, options) {
      await request('mount', target, [hex(type), hex(source), hex(target), hex(options.join(','))]);
    },
    async umount(target, flags = 0) {
      await request('umount', target, [hex(target), String(flags)]);
    },
    async pinNetns(file) {
      await request('netns', file, [hex(file)]);
    },
    async run(bin, args, env, stdin, timeoutMs) {
      const list = (items: string[]) => (items.length ? Buffer.from(items.join('\0')).toString('hex') : '-');
      const envList = Object.entries(env).map(([k, v]) => `${k}=${v}`);
      const reply = await request('run', bin, [hex(bin), list(args), list(envList), stdin ? Buffer.from(stdin).toString('hex') : '-', String(Math.max(1, Math.round(timeoutMs)))]);
      const [code, out, err, timedOut] = reply.split(' ');
      const bytes = (h = '-') => (h === '-' ? Buffer.alloc(0) : Buffer.from(h, 'hex'));
      return { code: Number(code), stdout: bytes(out), stderr: bytes(err), timedOut: timedOut === '1' };
    },
    async close() {
      const c = child;
      if (!c || c.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        c.once('exit', () => resolve());
        c.stdin!.end();
      });
    },
  };
}
