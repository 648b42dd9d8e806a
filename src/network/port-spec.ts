// Docker's published-port syntax (pure): `-p [ip:][hostPort[-end]:]containerPort[-end][/proto]` and the API's
// HostConfig.PortBindings shape, both turned into publish requests.
import { NetworkError } from './errors.js';
import { parseIPv4 } from './ipv4.js';
import type { PortBindings, PortProtocol, PublishRequest } from './types.js';

/** Parses one `-p` value into Docker's PortBindings shape, expanding ranges as the docker CLI does. */
export function parsePublishSpec(spec: string): PortBindings {
  let rest = spec.trim();
  let proto = 'tcp';
  const slash = rest.lastIndexOf('/');
  if (slash >= 0) {
    proto = rest.slice(slash + 1).toLowerCase();
    rest = rest.slice(0, slash);
  }
  let ip = '';
  let hostPart = '';
  let containerPart = rest;
  const bracket = /^\[([^\]]*)\]:(.*)$/.exec(rest);
  const parts = bracket ? [bracket[1]!, ...bracket[2]!.split(':')] : rest.split(':');
  if (parts.length === 2) [hostPart, containerPart] = parts as [string, string];
  else if (parts.length === 3) [ip, hostPart, containerPart] = parts as [string, string, string];
  else if (parts.length > 3) throw invalid(spec, 'too many colons');
  checkProtocol(proto, spec);
  checkHostIP(ip, spec);
  const [cStart, cEnd] = parseRange(containerPart, spec, false);
  const [hStart, hEnd] = hostPart ? parseRange(hostPart, spec, true) : [0, 0];
  const cLen = cEnd - cStart;
  const hLen = hEnd - hStart;
  if (hostPart && cLen > 0 && hLen !== cLen) {
    throw invalid(spec, `invalid ranges specified for container and host ports: ${containerPart} and ${hostPart} differ in size`);
  }
  const out: PortBindings = {};
  for (let i = 0; i <= cLen; i++) {
    let hostPort = '';
    if (hostPart) hostPort = cLen === 0 && hLen > 0 ? `${hStart}-${hEnd}` : String(hStart + i);
    const key = `${cStart + i}/${proto}`;
    (out[key] ??= []).push({ HostIp: ip, HostPort: hostPort });
  }
  return out;
}

/** Turns HostConfig.PortBindings into publish requests (HostPort "" or "0" = random, "a-b" = first free of a range). */
export function parsePortBindings(bindings: PortBindings | null | undefined): PublishRequest[] {
  const out: PublishRequest[] = [];
  for (const [key, list] of Object.entries(bindings ?? {})) {
    const m = /^(\d+)(?:\/(\w+))?$/.exec(key);
    if (!m) throw new NetworkError(`invalid port "${key}" in PortBindings: expected "<port>/<tcp|udp>"`, 'InvalidArgument');
    const proto = (m[2] ?? 'tcp').toLowerCase();
    checkProtocol(proto, key);
    const containerPort = checkPort(Number(m[1]), key);
    for (const b of list?.length ? list : [{}]) {
      const hostIP = b.HostIp === '0.0.0.0' ? '' : (b.HostIp ?? '');
      checkHostIP(hostIP, key);
      const hp = (b.HostPort ?? '').trim();
      const [start, end] = hp === '' || hp === '0' ? [0, 0] : parseRange(hp, `${key} → ${hp}`, true);
      out.push({ hostIP, hostPort: start, ...(end > start ? { hostPortEnd: end } : {}), containerPort, protocol: proto as PortProtocol });
    }
  }
  return out;
}

function parseRange(text: string, spec: string, host: boolean): [number, number] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (!m) throw invalid(spec, `invalid ${host ? 'host' : 'container'} port "${text}"`);
  const a = checkPort(Number(m[1]), spec);
  const b = m[2] === undefined ? a : checkPort(Number(m[2]), spec);
  if (b < a) throw invalid(spec, `invalid range ${text}: the end is before the start`);
  return [a, b];
}

function checkPort(n: number, spec: string): number {
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw invalid(spec, `port ${n} is out of range 1-65535`);
  return n;
}

function checkProtocol(proto: string, spec: string): void {
  if (proto !== 'tcp' && proto !== 'udp') throw invalid(spec, `protocol "${proto}" is not supported: use tcp or udp`);
}

function checkHostIP(ip: string, spec: string): void {
  if (ip && parseIPv4(ip) === null) {
    throw invalid(spec, `host address "${ip}" is not an IPv4 address (Berth publishes ports on IPv4 only)`);
  }
}

function invalid(spec: string, why: string): NetworkError {
  return new NetworkError(`invalid port specification "${spec}": ${why}`, 'InvalidArgument');
}
