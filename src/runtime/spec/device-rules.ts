// Device cgroup rules a container gets on top of its spec: the default devices every container has must stay
// usable even under a deny-all rule (runc's default spec starts with one), as must the spec's own devices.
import type { Device, DeviceRule, LinuxResources } from './types.js';

/** runc's allowed-device list: mknod of anything, the default nodes, ptys, /dev/console, /dev/net/tun. */
export const DEFAULT_ALLOWED_DEVICES: DeviceRule[] = [
  { allow: true, type: 'c', access: 'm' },
  { allow: true, type: 'b', access: 'm' },
  { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' }, // null
  { allow: true, type: 'c', major: 1, minor: 8, access: 'rwm' }, // random
  { allow: true, type: 'c', major: 1, minor: 7, access: 'rwm' }, // full
  { allow: true, type: 'c', major: 5, minor: 0, access: 'rwm' }, // tty
  { allow: true, type: 'c', major: 1, minor: 5, access: 'rwm' }, // zero
  { allow: true, type: 'c', major: 1, minor: 9, access: 'rwm' }, // urandom
  { allow: true, type: 'c', major: 5, minor: 1, access: 'rwm' }, // console
  { allow: true, type: 'c', major: 136, access: 'rwm' }, // pts/*
  { allow: true, type: 'c', major: 5, minor: 2, access: 'rwm' }, // ptmx
  { allow: true, type: 'c', major: 10, minor: 200, access: 'rwm' }, // net/tun
];

/** The spec's device rules followed by the defaults and an allow rule per spec device; none added if no rules. */
export function effectiveResources(resources: LinuxResources | undefined, devices: Device[] | undefined): LinuxResources | undefined {
  if (!resources?.devices?.length) return resources;
  const specDevices: DeviceRule[] = (devices ?? [])
    .filter((d) => d.type === 'c' || d.type === 'b' || d.type === 'u')
    .map((d) => ({ allow: true, type: d.type === 'u' ? 'c' : d.type, major: d.major!, minor: d.minor!, access: 'rwm' }));
  return { ...resources, devices: [...resources.devices, ...DEFAULT_ALLOWED_DEVICES, ...specDevices] };
}
