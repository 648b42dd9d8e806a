// Linux capability names and numbers (linux/capability.h), and the masks the plan carries.
import { SpecError } from '../spec/errors.js';

/** Every capability the kernel knows, indexed by its number (CAP_CHOWN = 0 … CAP_CHECKPOINT_RESTORE = 40). */
export const CAPABILITIES: readonly string[] = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL',
  'CAP_SETGID', 'CAP_SETUID', 'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST', 'CAP_NET_ADMIN', 'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER', 'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE', 'CAP_SYS_PACCT', 'CAP_SYS_ADMIN', 'CAP_SYS_BOOT',
  'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME', 'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE',
  'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL', 'CAP_SETFCAP', 'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG',
  'CAP_WAKE_ALARM', 'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ', 'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
];

/** Alias of CAPABILITIES for the features document. */
export const CAPABILITY_NAMES: readonly string[] = CAPABILITIES;

const BY_NAME = new Map(CAPABILITIES.map((name, i) => [name, i]));

/** The number of a capability name (`CAP_` prefix and upper case required, as in runc), or undefined. */
export function capNumber(name: string): number | undefined {
  return BY_NAME.get(name);
}

/** The name of a capability number, or undefined beyond CAP_CHECKPOINT_RESTORE. */
export function capName(num: number): string | undefined {
  return CAPABILITIES[num];
}

/** The bitmask of the named capabilities; an unknown name throws a SpecError naming `field[i]`. */
export function capMask(names: string[], field: string): bigint {
  let mask = 0n;
  names.forEach((name, i) => {
    const num = capNumber(name);
    if (num === undefined) {
      throw new SpecError(`${field}[${i}]`, `unknown capability ${JSON.stringify(name)}` +
        ' (use a CAP_* name from capabilities(7), e.g. CAP_NET_BIND_SERVICE; CAP_CHOWN … CAP_CHECKPOINT_RESTORE)');
    }
    mask |= 1n << BigInt(num);
  });
  return mask;
}

/** The names in `names` that the running kernel lacks (number above /proc/sys/kernel/cap_last_cap). */
export function capsBeyond(names: string[], lastCap: number): string[] {
  return names.filter((name) => {
    const num = capNumber(name);
    return num !== undefined && num > lastCap;
  });
}

/** A mask with every capability up to `lastCap` set (what "keep everything" means on this kernel). */
export function fullMask(lastCap: number = CAPABILITIES.length - 1): bigint {
  return (1n << BigInt(lastCap + 1)) - 1n;
}
