// A builder under test: a temporary Berth root with busybox:latest imported (as the engine fixture does), the
// real snapshotter and fsops, and a RunStep chosen by the test. leftovers() lists what a finished build must not
// leave: active snapshots, mounts under the root, files in the build's mnt/ and tmp/ dirs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { makeBusyboxRootfs } from '../../fixtures/busybox-rootfs.js';
import { importImage, mountAll, openFsOps, openImageContext, resolveImage, unmountAll, type FsOps, type ImageContext } from '../../../src/image/index.js';
import { buildImage, ContainerRunStep, type BuildOptions, type BuildResult, type RunStep } from '../../../src/build/index.js';
import { newContext } from '../../../src/runtime/index.js';

function tarOf(dir: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn('tar', ['-C', dir, '-c', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(Buffer.concat(chunks)) : reject(new Error(`tar exited ${code}`))));
  });
}

export class BuildHarness {
  readonly tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-build-'));
  readonly root = path.join(this.tmp, 'root');
  ctx!: ImageContext;
  fsops!: FsOps;
  output = '';

  static async create(snapshotter: 'overlay' | 'copy' = 'overlay'): Promise<BuildHarness> {
    const h = new BuildHarness();
    try {
      h.ctx = await openImageContext({ root: h.root, snapshotter });
      h.fsops = openFsOps();
      const rootfs = makeBusyboxRootfs(path.join(h.tmp, 'busybox'));
      fs.mkdirSync(path.join(rootfs, 'etc'), { recursive: true });
      fs.writeFileSync(path.join(rootfs, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1001:app:/home/app:/bin/sh\n');
      fs.writeFileSync(path.join(rootfs, 'etc/group'), 'root:x:0:\napps:x:1001:\napp:x:1002:\n');
      const tar = await tarOf(rootfs);
      fs.rmSync(rootfs, { recursive: true, force: true });
      const { Readable } = await import('node:stream');
      await importImage(h.ctx, Readable.from([tar]), { reference: 'busybox:latest', changes: ['CMD ["sh"]'] });
      return h;
    } catch (e) {
      await h.close();
      throw e;
    }
  }

  /** Writes the files of a context directory (a trailing `/` makes a directory); returns its path. */
  context(name: string, files: Record<string, string>): string {
    const dir = path.join(this.tmp, 'ctx', name);
    for (const [rel, content] of Object.entries(files)) {
      const p = path.join(dir, rel);
      if (rel.endsWith('/')) fs.mkdirSync(p, { recursive: true });
      else {
        fs.mkdirSync(path.dirname(p), { recursive: true });
        fs.writeFileSync(p, content);
      }
    }
    return dir;
  }

  async build(runStep: RunStep, options: BuildOptions): Promise<BuildResult> {
    this.output = '';
    return buildImage({ image: this.ctx, fsops: this.fsops, runStep }, options, (t) => (this.output += t));
  }

  /** Reads files of an image through a read-only view of its snapshot. */
  async inImage<T>(image: string, read: (rootfs: string) => T): Promise<T> {
    const { group } = await resolveImage(this.ctx, image);
    const key = `test-view-${process.pid}-${Date.now()}`;
    const mnt = path.join(this.tmp, 'view');
    fs.mkdirSync(mnt, { recursive: true });
    const chain = group.image.chainIds;
    const mounts = await this.ctx.snapshots.view(key, chain[chain.length - 1]);
    try {
      await mountAll(mounts, mnt, this.fsops);
      try {
        return read(mnt);
      } finally {
        await unmountAll(mnt, this.fsops);
      }
    } finally {
      await this.ctx.snapshots.remove(key);
    }
  }

  /** What a finished build must not leave behind. */
  async leftovers(): Promise<string[]> {
    const out: string[] = [];
    for (const s of await this.ctx.snapshots.list()) if (s.kind !== 'committed') out.push(`snapshot ${s.key} (${s.kind})`);
    for (const line of fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
      const mp = line.split(' ')[4];
      if (mp && mp.startsWith(this.tmp)) out.push(`mount ${mp}`);
    }
    for (const sub of ['mnt', 'tmp']) {
      const dir = path.join(this.root, 'build', sub);
      for (const f of fs.existsSync(dir) ? fs.readdirSync(dir) : []) out.push(`file build/${sub}/${f}`);
    }
    return out;
  }

  async close(): Promise<void> {
    const mounts = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4]).filter((m): m is string => !!m && m.startsWith(this.tmp));
    for (const m of mounts.reverse()) await this.fsops?.umount(m, 2).catch(() => undefined);
    await this.fsops?.close();
    fs.rmSync(this.tmp, { recursive: true, force: true });
  }
}

/** The real RunStep (runtime containers) with its runtime state and bundles under the harness's temp dir. */
export function realRunStep(h: BuildHarness, cgroupParent: string): ContainerRunStep {
  return new ContainerRunStep({ runtime: newContext({ root: path.join(h.tmp, 'runtime'), cgroupParent }), bundleRoot: path.join(h.tmp, 'bundles') });
}

/** Child cgroups still under `cgroupParent` in any hierarchy; the (empty) parent directories are removed. */
export function leftoverCgroups(cgroupParent: string): string[] {
  const out: string[] = [];
  for (const c of fs.readdirSync('/sys/fs/cgroup')) {
    const p = path.join('/sys/fs/cgroup', c, cgroupParent);
    if (fs.existsSync(p)) {
      const kids = fs.readdirSync(p, { withFileTypes: true }).filter((d) => d.isDirectory());
      if (kids.length) out.push(`${p}: ${kids.map((k) => k.name).join(',')}`);
      fs.rmdirSync(p);
    }
  }
  return out;
}

/** A RunStep that does not start a process: it interprets `write PATH TEXT`, `rm PATH`, `fail N TEXT` lines. */
export class FakeRunStep implements RunStep {
  readonly requests: { argv: string[]; env: string[]; user: string; cwd: string; network: string }[] = [];

  run(req: Parameters<RunStep['run']>[0]): Promise<number> {
    this.requests.push({ argv: req.argv, env: req.env, user: req.user, cwd: req.cwd, network: req.network });
    const script = req.argv[req.argv.length - 1] ?? '';
    for (const line of script.split(/\s*&&\s*|\n/)) {
      const [cmd, a = '', ...rest] = line.trim().split(' ');
      const target = path.join(req.rootfs, a.startsWith('/') ? a : path.posix.join(req.cwd, a));
      if (cmd === 'write') {
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, rest.join(' '));
      } else if (cmd === 'rm') fs.rmSync(target, { recursive: true });
      else if (cmd === 'fail') {
        req.output(Buffer.from(`${rest.join(' ')}\n`));
        return Promise.resolve(Number(a));
      } else if (cmd === 'echo') req.output(Buffer.from(`${[a, ...rest].join(' ')}\n`));
    }
    return Promise.resolve(0);
  }
}
