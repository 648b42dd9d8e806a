// The image half of `berth demo`: a busybox root filesystem imported as an image, pushed to a local
// registry, removed, pulled back (layers verified and unpacked into an overlay snapshot), and run.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { packageRoot } from '../common/package-root.js';
import { defaultSpec } from '../runtime/spec/default-spec.js';
import { openImageContext, prepareRootfs, mountAll, unmountAll, openFsOps } from '../image/index.js';
import { makeBusyboxRootfs } from './busybox.js';
import { startDemoRegistry } from './demo-registry.js';

/** Runs the image demo in `tmp`; returns false when a step failed. */
export async function runImageDemo(tmp: string): Promise<boolean> {
  const bin = path.join(packageRoot(), 'bin/berth.cjs');
  const env = { ...process.env, BERTH_ROOT: path.join(tmp, 'berth-root') };
  const berth = (args: string[], input?: Buffer): boolean => {
    console.log(`\n$ berth ${args.join(' ')}`);
    const r = spawnSync(process.execPath, [bin, ...args], { env, stdio: [input ? 'pipe' : 'ignore', 'inherit', 'inherit'], ...(input ? { input } : {}) });
    return r.status === 0;
  };
  const registry = await startDemoRegistry(path.join(tmp, 'registry'));
  const image = `${registry.host}/demo/busybox:1`;
  const rootfs = path.join(tmp, 'ctr', 'rootfs');
  const fsops = openFsOps();
  try {
    console.log(`\n== images: a local registry at ${registry.host}; a busybox root filesystem becomes an image`);
    const tar = spawnSync('tar', ['-C', makeBusyboxRootfs(path.join(tmp, 'busybox')), '-c', '.'], { maxBuffer: 1 << 28 }).stdout;
    const steps = [
      () => berth(['import', '-c', 'CMD ["sh", "-c", "echo hello from an image; cat /etc/hostname"]', '-', image], tar),
      () => berth(['push', image]),
      () => berth(['rmi', image]),
      () => berth(['pull', image]),
      () => berth(['images']),
    ];
    for (const step of steps) if (!step()) return false;

    console.log(`\n== the image's layers, mounted through an overlay snapshot, as a container's root`);
    const ctx = await openImageContext({ root: env.BERTH_ROOT });
    const { mounts, image: img } = await prepareRootfs(ctx, image, 'demo-container');
    fs.mkdirSync(rootfs, { recursive: true });
    await mountAll(mounts, rootfs, fsops);
    const spec = defaultSpec({ args: img.config.config?.Cmd ?? ['sh'] });
    spec.process!.terminal = false;
    spec.hostname = 'from-an-image';
    spec.root = { path: 'rootfs', readonly: false };
    fs.writeFileSync(path.join(rootfs, 'etc/hostname'), 'from-an-image\n');
    fs.writeFileSync(path.join(tmp, 'ctr', 'config.json'), JSON.stringify(spec));
    const ok = berth(['runtime', '--root', path.join(tmp, 'rt'), 'run', '-b', path.join(tmp, 'ctr'), 'image-demo']);
    return ok;
  } finally {
    await unmountAll(rootfs, fsops).catch(() => {});
    await fsops.close();
    await registry.stop();
  }
}
