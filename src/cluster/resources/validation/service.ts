// Service, Endpoints and EndpointSlice.
import { isIP } from 'node:net';
import type { Cause, KubeObject } from '../types.js';
import { childPath as at, duplicate, forbidden, immutable, indexPath, invalid, oneOf, required } from './field.js';
import { validateLabels } from './meta.js';
import { isDNS1123Label, isDNS1123Subdomain, isValidPortName, isValidPortNum } from './names.js';

const isObject = (v: unknown): v is KubeObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): KubeObject[] => (Array.isArray(v) ? v.map((x) => (isObject(x) ? x : {})) : []);

const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const TRAFFIC_POLICIES = ['Cluster', 'Local'];

function validateTargetPort(p: KubeObject, path: string): Cause[] {
  const t = p.targetPort;
  if (t === undefined || t === null) return [];
  if (typeof t === 'number') return isValidPortNum(t).map((m) => invalid(path, t, m));
  return isValidPortName(String(t)).map((m) => invalid(path, t, m));
}

function validateServicePorts(spec: KubeObject): Cause[] {
  const causes: Cause[] = [];
  const ports = list(spec.ports);
  const names = new Set<string>();
  const keys = new Set<string>();
  ports.forEach((p, i) => {
    const pp = indexPath('spec.ports', i);
    if (!p.name) {
      if (ports.length > 1) causes.push(required(at(pp, 'name')));
    } else {
      const msgs = isDNS1123Label(String(p.name));
      for (const m of msgs) causes.push(invalid(at(pp, 'name'), p.name, m));
      if (!msgs.length && names.has(p.name)) causes.push(duplicate(at(pp, 'name'), p.name));
      names.add(p.name);
    }
    for (const m of isValidPortNum(p.port)) causes.push(invalid(at(pp, 'port'), p.port ?? 0, m));
    causes.push(...oneOf(at(pp, 'protocol'), p.protocol, PROTOCOLS));
    causes.push(...validateTargetPort(p, at(pp, 'targetPort')));
    if (p.nodePort) {
      if (spec.type === 'ClusterIP' || spec.type === 'ExternalName') {
        causes.push(forbidden(at(pp, 'nodePort'), `may not be used when \`type\` is '${spec.type}'`));
      } else {
        for (const m of isValidPortNum(p.nodePort)) causes.push(invalid(at(pp, 'nodePort'), p.nodePort, m));
      }
    }
    const key = `${p.port}/${p.protocol}`;
    if (keys.has(key)) causes.push(duplicate(pp, `${p.port}/${p.protocol}`));
    keys.add(key);
  });
  return causes;
}

/** Service on create (and, with the update rules below, on update). */
export function validateService(obj: KubeObject): Cause[] {
  const spec: KubeObject = isObject(obj.spec) ? obj.spec : {};
  const causes: Cause[] = oneOf('spec.type', spec.type, SERVICE_TYPES);
  const headless = spec.clusterIP === 'None';
  if (spec.type === 'ExternalName') {
    const name = spec.externalName;
    if (!name) causes.push(required('spec.externalName'));
    else
      for (const m of isDNS1123Subdomain(String(name).replace(/\.$/, '')))
        causes.push(invalid('spec.externalName', name, m));
  } else if (list(spec.ports).length === 0 && !headless) {
    causes.push(required('spec.ports'));
  }
  causes.push(...validateServicePorts(spec));
  causes.push(...oneOf('spec.sessionAffinity', spec.sessionAffinity, ['ClientIP', 'None']));
  const ips: unknown[] = Array.isArray(spec.clusterIPs) ? spec.clusterIPs : spec.clusterIP ? [spec.clusterIP] : [];
  ips.forEach((ip, i) => {
    if (ip !== 'None' && ip !== '' && isIP(String(ip)) === 0) {
      causes.push(invalid(indexPath('spec.clusterIPs', i), ip, "must be empty, 'None', or a valid IP address"));
    }
  });
  if (headless && spec.type !== 'ClusterIP' && spec.type !== undefined) {
    causes.push(invalid('spec.clusterIPs[0]', 'None', 'may only be set to "None" for ClusterIP services'));
  }
  if (spec.externalTrafficPolicy) {
    if (spec.type !== 'NodePort' && spec.type !== 'LoadBalancer') {
      causes.push(
        invalid(
          'spec.externalTrafficPolicy',
          spec.externalTrafficPolicy,
          "may only be set when `type` is 'NodePort' or 'LoadBalancer'",
        ),
      );
    } else causes.push(...oneOf('spec.externalTrafficPolicy', spec.externalTrafficPolicy, TRAFFIC_POLICIES));
  }
  if (spec.internalTrafficPolicy)
    causes.push(...oneOf('spec.internalTrafficPolicy', spec.internalTrafficPolicy, TRAFFIC_POLICIES));
  causes.push(...validateLabels(spec.selector, 'spec.selector'));
  return causes;
}

/**
 * Service on update: an allocated cluster IP may not change (an update that omits it keeps the old one, so
 * only a different non-empty value is refused).
 */
export function validateServiceUpdate(obj: KubeObject, old: KubeObject): Cause[] {
  const spec: KubeObject = isObject(obj.spec) ? obj.spec : {};
  const prev: KubeObject = isObject(old.spec) ? old.spec : {};
  if (prev.type === 'ExternalName' || spec.type === 'ExternalName' || !prev.clusterIP) return [];
  const next: string[] =
    Array.isArray(spec.clusterIPs) && spec.clusterIPs.length ? spec.clusterIPs : spec.clusterIP ? [spec.clusterIP] : [];
  if (next.length === 0 || next[0] === prev.clusterIP) return [];
  return [invalid('spec.clusterIPs[0]', next, 'may not change once set')];
}

/** Endpoints: valid addresses and ports. */
export function validateEndpoints(obj: KubeObject): Cause[] {
  const causes: Cause[] = [];
  list(obj.subsets).forEach((s, i) => {
    const sp = indexPath('subsets', i);
    for (const key of ['addresses', 'notReadyAddresses']) {
      list(s[key]).forEach((a, j) => {
        if (isIP(String(a.ip ?? '')) === 0)
          causes.push(invalid(at(indexPath(at(sp, key), j), 'ip'), a.ip ?? '', 'must be a valid IP address'));
      });
    }
    list(s.ports).forEach((p, j) => {
      const pp = indexPath(at(sp, 'ports'), j);
      for (const m of isValidPortNum(p.port)) causes.push(invalid(at(pp, 'port'), p.port ?? 0, m));
      causes.push(...oneOf(at(pp, 'protocol'), p.protocol, PROTOCOLS));
    });
  });
  return causes;
}

const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'];

/** EndpointSlice: address type, endpoints with 1–100 addresses, named ports. */
export function validateEndpointSlice(obj: KubeObject): Cause[] {
  const causes = oneOf('addressType', obj.addressType, ADDRESS_TYPES);
  list(obj.endpoints).forEach((e, i) => {
    const ep = indexPath('endpoints', i);
    const addrs = Array.isArray(e.addresses) ? e.addresses : [];
    if (addrs.length === 0) causes.push(required(at(ep, 'addresses'), 'must contain at least 1 address'));
    else if (addrs.length > 100)
      causes.push({
        reason: 'FieldValueTooMany',
        field: at(ep, 'addresses'),
        message: `Too many: ${addrs.length}: must have at most 100 items`,
      });
  });
  list(obj.ports).forEach((p, i) => {
    const pp = indexPath('ports', i);
    if (p.name) for (const m of isDNS1123Label(String(p.name))) causes.push(invalid(at(pp, 'name'), p.name, m));
    if (p.port != null) for (const m of isValidPortNum(p.port)) causes.push(invalid(at(pp, 'port'), p.port, m));
    if (p.protocol != null) causes.push(...oneOf(at(pp, 'protocol'), p.protocol, PROTOCOLS));
  });
  return causes;
}

/** EndpointSlice on update: the address type is fixed. */
export function validateEndpointSliceUpdate(obj: KubeObject, old: KubeObject): Cause[] {
  return immutable('addressType', obj.addressType, old.addressType);
}
