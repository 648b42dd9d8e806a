// The /etc/hosts and /etc/resolv.conf a RUN step sees (bind-mounted over the rootfs, so they never land in the
// layer): the engine's generated files on the default bridge, the host's own with --network=host, and a
// loopback-only hosts file with --network=none.
import fs from 'node:fs';

export interface EtcFiles {
  hosts: string;
  resolvConf: string;
}

function read(file: string, fallback: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return fallback;
  }
}

/** The files for `none` (loopback only) or `host` (the host's files), with the step's hostname. */
export function localEtcFiles(mode: 'none' | 'host', hostname: string): EtcFiles {
  if (mode === 'host') return { hosts: read('/etc/hosts', '127.0.0.1\tlocalhost\n'), resolvConf: read('/etc/resolv.conf', '') };
  return {
    hosts: `127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.0.1\t${hostname}\n`,
    resolvConf: read('/etc/resolv.conf', ''),
  };
}
