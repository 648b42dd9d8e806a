// Facts about the host that /version and /info report, read once from the kernel and /etc/os-release.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Go's GOARCH name for this machine (what clients compare platforms with). */
export function goArch(arch: string = os.arch()): string {
  const map: Record<string, string> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };
  return map[arch] ?? arch;
}

/** The distribution's PRETTY_NAME (e.g. "Debian GNU/Linux 12 (bookworm)"), else "Linux". */
export function operatingSystem(osRelease = '/etc/os-release'): string {
  try {
    const m = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(fs.readFileSync(osRelease, 'utf8'));
    if (m?.[1]) return m[1];
  } catch {
    /* no os-release: fall through */
  }
  return 'Linux';
}

/** The distribution's VERSION_ID, or "". */
export function osVersion(osRelease = '/etc/os-release'): string {
  try {
    return /^VERSION_ID="?([^"\n]*)"?$/m.exec(fs.readFileSync(osRelease, 'utf8'))?.[1] ?? '';
  } catch {
    return '';
  }
}

/**
 * Docker's CgroupVersion: "2" only on a pure cgroup2 host. Hybrid hosts (v1 controllers plus a cgroup2
 * mount) are "1", as dockerd reports them.
 */
export function cgroupVersion(mountinfo?: string): '1' | '2' {
  let text = mountinfo;
  if (text === undefined) {
    try {
      text = fs.readFileSync('/proc/self/mountinfo', 'utf8');
    } catch {
      return '1';
    }
  }
  return /\s-\scgroup\s/.test(text) ? '1' : '2';
}

/** The engine's persistent id (dockerd's engine-id): made once, kept in `<root>/engine-id`. */
export function engineId(root: string): string {
  const file = path.join(root, 'engine-id');
  try {
    const id = fs.readFileSync(file, 'utf8').trim();
    if (id) return id;
  } catch {
    /* first start */
  }
  const id = randomUUID();
  fs.mkdirSync(root, { recursive: true });
  fs.writeFileSync(file, `${id}\n`, { mode: 0o600 });
  return id;
}
