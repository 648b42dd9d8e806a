// -p/--publish and --expose as docker's nat.ParsePortSpecs reads them: [ip:][hostPort:]containerPort[/proto],
// ranges ("8000-8001:80-81"), IPv6 addresses in brackets; the result is ExposedPorts + PortBindings.
import { UsageError } from '../../common/args.js';

export interface PortBinding {
  HostIp: string;
  HostPort: string;
}

export interface PortSpecs {
  exposed: Record<string, Record<string, never>>;
  bindings: Record<string, PortBinding[]>;
}

const PROTOS = new Set(['tcp', 'udp', 'sctp']);

/** "80" → [80, 80]; "80-90" → [80, 90]; throws `invalid <what>: <text>`. */
function portRange(text: string, what: string): [number, number] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text);
  const lo = m ? Number(m[1]) : NaN;
  const hi = m ? Number(m[2] ?? m[1]) : NaN;
  if (!m || lo < 0 || hi > 65535 || hi < lo || (what === 'containerPort' && lo === 0)) throw new UsageError(`invalid ${what}: ${text}`);
  return [lo, hi];
}

/** Splits "proto" off "80/udp" (default tcp). */
function splitProto(text: string): [string, string] {
  const i = text.lastIndexOf('/');
  if (i < 0) return [text, 'tcp'];
  const proto = text.slice(i + 1).toLowerCase();
  if (!PROTOS.has(proto)) throw new UsageError(`invalid proto: ${proto}`);
  return [text.slice(0, i), proto];
}

/** Splits ip:host:container with an optional [v6] address first. */
function splitSpec(raw: string): { ip: string; host: string; container: string } {
  let rest = raw;
  let ip = '';
  if (rest.startsWith('[')) {
    const end = rest.indexOf(']');
    if (end < 0 || rest[end + 1] !== ':') throw new UsageError(`invalid IP address: ${raw}`);
    ip = rest.slice(1, end);
    rest = rest.slice(end + 2);
    const i = rest.indexOf(':');
    return i < 0 ? { ip, host: '', container: rest } : { ip, host: rest.slice(0, i), container: rest.slice(i + 1) };
  }
  const parts = rest.split(':');
  if (parts.length === 1) return { ip, host: '', container: parts[0]! };
  if (parts.length === 2) return { ip, host: parts[0]!, container: parts[1]! };
  // More colons: an IPv6 address without brackets — the last two parts are the ports.
  return { ip: parts.slice(0, -2).join(':'), host: parts[parts.length - 2]!, container: parts[parts.length - 1]! };
}

function validIp(ip: string): boolean {
  if (ip === '') return true;
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)) return ip.split('.').every((o) => Number(o) <= 255);
  return /^[0-9a-fA-F:]+$/.test(ip) && ip.includes(':');
}

/** Adds one -p value to `out`. */
export function addPublish(out: PortSpecs, raw: string): void {
  const { ip, host, container: containerWithProto } = splitSpec(raw);
  if (!validIp(ip)) throw new UsageError(`invalid IP address: ${ip}`);
  const [containerText, proto] = splitProto(containerWithProto);
  if (!containerText) throw new UsageError(`no port specified: ${raw}<empty>`);
  const [cLo, cHi] = portRange(containerText, 'containerPort');
  let hLo = 0;
  let hHi = 0;
  if (host) [hLo, hHi] = portRange(host, 'hostPort');
  const cLen = cHi - cLo;
  const hLen = hHi - hLo;
  if (host && hLen !== cLen && cLen !== 0) {
    throw new UsageError(`invalid ranges specified for container and host Ports: ${containerText} and ${host}`);
  }
  for (let i = 0; i <= cLen; i++) {
    const key = `${cLo + i}/${proto}`;
    let hostPort = '';
    if (host) hostPort = cLen === 0 && hLen > 0 ? `${hLo}-${hHi}` : String(hLo + i);
    out.exposed[key] = {};
    (out.bindings[key] ??= []).push({ HostIp: ip, HostPort: hostPort });
  }
}

/** Adds one --expose value ("80", "8000-8010/udp"). */
export function addExpose(out: PortSpecs, raw: string): void {
  const [text, proto] = splitProto(raw);
  const [lo, hi] = portRange(text, 'range format for --expose');
  for (let p = lo; p <= hi; p++) out.exposed[`${p}/${proto}`] = {};
}

/** Every -p and --expose value as Config.ExposedPorts and HostConfig.PortBindings. */
export function parsePorts(publish: string[], expose: string[]): PortSpecs {
  const out: PortSpecs = { exposed: {}, bindings: {} };
  for (const e of expose) addExpose(out, e);
  for (const p of publish) addPublish(out, p);
  return out;
}
