// `berth demo`: a busybox container with its own pid 1, hostname, mounts and network, under memory and CPU limits;
// then the image layer: import, push to a local registry, pull back, and run from an overlay snapshot; then the
// engine driven by the docker CLI.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { packageRoot } from '../common/package-root.js';
import { makeBusyboxBundle } from './busybox.js';
import { runImageDemo } from './image-demo.js';
import { runEngineDemo } from './engine-demo.js';

const SCRIPT = `
echo "== inside the container"
echo "my pid:            $$"
echo "hostname:          $(hostname)"
echo "network links:     $(ls /sys/class/net | tr '\\n' ' ')"
echo "root filesystem:   $(ls / | tr '\\n' ' ')"
echo "mount points:      $(cut -d' ' -f2 /proc/self/mounts | grep -v '^/sys/fs/cgroup/' | tr '\\n' ' ')"
echo "memory limit:      $(cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max) bytes"
echo "cpu quota/period:  $(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us 2>/dev/null)/$(cat /sys/fs/cgroup/cpu/cpu.cfs_period_us 2>/dev/null) us"
echo "every process I can see:"
ps -o pid,comm
echo "allocating 200 MiB under the 64 MiB limit..."
dd if=/dev/zero of=/dev/null bs=200M count=1 2>/dev/null
echo "dd exited with status $? (137: killed by the kernel's OOM killer)"
`;

/** Runs the demo through the real CLI; returns the exit code. */
export async function runDemo(): Promise<number> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-demo-'));
  const root = path.join(tmp, 'state');
  try {
    const bundle = makeBusyboxBundle(path.join(tmp, 'bundle'), ['sh', '-c', SCRIPT], (spec) => {
      spec.hostname = 'berth-demo';
      spec.process!.env = [...(spec.process!.env ?? []), `HOST_MOUNTS=${fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').length - 1}`];
      spec.linux!.resources = { memory: { limit: 64 * 1024 * 1024, swap: 64 * 1024 * 1024 }, cpu: { quota: 50000, period: 100000 } };
    });
    console.log(`== host: pid ${process.pid}, hostname ${os.hostname()}, ${fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p)).length} processes, links: ${fs.readdirSync('/sys/class/net').join(' ')}`);
    console.log(`== bundle ${bundle}: busybox rootfs + config.json (memory 64 MiB, CPU 50%)`);
    console.log(`== berth runtime run -b ${bundle} demo`);
    const bin = path.join(packageRoot(), 'bin/berth.cjs');
    const r = spawnSync(process.execPath, [bin, 'runtime', '--root', root, 'run', '-b', bundle, 'demo'], { stdio: 'inherit' });
    console.log(`== the container exited with status ${r.status}; host pid 1 is still ${fs.readFileSync('/proc/1/comm', 'utf8').trim()}, hostname still ${os.hostname()}`);
    const imagesOk = await runImageDemo(tmp);
    const engineOk = await runEngineDemo(tmp);
    return imagesOk && engineOk ? 0 : 1;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
