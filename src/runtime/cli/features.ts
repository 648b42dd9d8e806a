// The runtime-spec features document: only what Berth really does (callers act on it).
import { SPEC_VERSION } from '../version.js';
import { MOUNT_OPTION_NAMES } from '../plan/mount-options.js';
import { CAPABILITY_NAMES } from '../plan/capabilities.js';
import { SECCOMP_ACTIONS, SECCOMP_ARCHES, SECCOMP_KNOWN_FLAGS, SECCOMP_OPERATORS, SECCOMP_SUPPORTED_FLAGS } from '../plan/seccomp.js';
import { detectCgroupLayout } from '../cgroup/index.js';

export async function featuresDocument(): Promise<Record<string, unknown>> {
  const layout = detectCgroupLayout();
  return {
    ociVersionMin: '1.0.0',
    ociVersionMax: SPEC_VERSION,
    hooks: ['prestart', 'createRuntime', 'poststart', 'poststop'],
    mountOptions: [...MOUNT_OPTION_NAMES].sort(),
    linux: {
      namespaces: ['cgroup', 'ipc', 'mount', 'network', 'pid', 'time', 'user', 'uts'],
      capabilities: CAPABILITY_NAMES,
      cgroup: { v1: layout.mode !== 'v2', v2: layout.mode !== 'v1', systemd: false, systemdUser: false, rdma: false },
      seccomp: {
        enabled: true,
        actions: SECCOMP_ACTIONS,
        operators: SECCOMP_OPERATORS,
        archs: SECCOMP_ARCHES,
        knownFlags: SECCOMP_KNOWN_FLAGS,
        supportedFlags: SECCOMP_SUPPORTED_FLAGS,
      },
      apparmor: { enabled: false },
      selinux: { enabled: false },
      intelRdt: { enabled: false },
      mountExtensions: { idmap: { enabled: false } },
    },
    annotations: { 'io.github.berth.runtime.version': SPEC_VERSION },
  };
}
