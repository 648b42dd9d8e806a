// Builds OCI bundles from Debian's static busybox: the base of the demo, tests and benchmarks (no internet).
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { defaultSpec, type Spec } from '../runtime/index.js';

const BUSYBOX = '/bin/busybox';

let applets: string[] | undefined;

/** Creates a minimal root filesystem at dir (busybox and its applets, /etc/passwd, mount points); returns dir. */
export function makeBusyboxRootfs(dir: string): string {
  if (!fs.existsSync(BUSYBOX)) {
    throw new Error(`${BUSYBOX} not found: install Debian's busybox-static (scripts/setup.sh does)`);
  }
  for (const d of ['bin', 'dev', 'proc', 'sys', 'tmp', 'etc', 'root', 'var', 'run', 'mnt']) {
    fs.mkdirSync(path.join(dir, d), { recursive: true });
  }
  fs.chmodSync(path.join(dir, 'tmp'), 0o1777);
  fs.copyFileSync(BUSYBOX, path.join(dir, 'bin/busybox'));
  fs.chmodSync(path.join(dir, 'bin/busybox'), 0o755);
  applets ??= execFileSync(BUSYBOX, ['--list'], { encoding: 'utf8' }).split('\n').filter((a) => /^[\w.[\]-]+$/.test(a));
  for (const a of applets) {
    if (a === 'busybox') continue;
    try {
      fs.symlinkSync('busybox', path.join(dir, 'bin', a));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  fs.writeFileSync(path.join(dir, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n');
  fs.writeFileSync(path.join(dir, 'etc/group'), 'root:x:0:\ntty:x:5:\nnobody:x:65534:\n');
  return dir;
}

/** Creates bundleDir/rootfs and bundleDir/config.json (default spec, non-terminal, changed by edit). */
export function makeBusyboxBundle(bundleDir: string, args: string[], edit?: (spec: Spec) => void): string {
  makeBusyboxRootfs(path.join(bundleDir, 'rootfs'));
  const spec = defaultSpec({ args });
  spec.process!.terminal = false;
  edit?.(spec);
  fs.writeFileSync(path.join(bundleDir, 'config.json'), JSON.stringify(spec, null, 2));
  return bundleDir;
}
