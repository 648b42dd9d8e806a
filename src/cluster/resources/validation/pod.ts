// PodSpec validation: containers, ports, environment, mounts, resources, volumes and pod-level enums.
import type { Cause, KubeObject } from '../types.js';
import { parseQuantity, compareQuantities } from '../quantity.js';
import {
  childPath as at,
  duplicate,
  forbidden,
  indexPath,
  invalid,
  keyPath,
  nonNegative,
  notFound,
  notSupported,
  oneOf,
  required,
} from './field.js';
import { validateLabels } from './meta.js';
import {
  inclusiveRangeError,
  isConfigMapKey,
  isDNS1123Label,
  isDNS1123Subdomain,
  isEnvVarName,
  isValidPortName,
  isValidPortNum,
} from './names.js';

const isObject = (v: unknown): v is KubeObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): KubeObject[] => (Array.isArray(v) ? v.map((x) => (isObject(x) ? x : {})) : []);

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const DNS_POLICIES = ['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'];
const TERMINATION_MESSAGE_POLICIES = ['File', 'FallbackToLogsOnError'];
const TOLERATION_OPERATORS = ['Equal', 'Exists'];
const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
const STANDARD_CONTAINER_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage']);
const MAX_INT32 = 2147483647;

/** Options that differ between a bare pod and a pod template. */
export interface PodSpecOptions {
  /** Restart policies the owner allows (workload templates restrict it). */
  restartPolicies?: string[];
}

function validatePorts(ports: unknown, path: string): Cause[] {
  const causes: Cause[] = [];
  const names = new Set<string>();
  list(ports).forEach((p, i) => {
    const pp = indexPath(path, i);
    if (p.name) {
      const msgs = isValidPortName(String(p.name));
      for (const m of msgs) causes.push(invalid(at(pp, 'name'), p.name, m));
      if (!msgs.length && names.has(p.name)) causes.push(duplicate(at(pp, 'name'), p.name));
      names.add(p.name);
    }
    if (p.containerPort === undefined || p.containerPort === null || p.containerPort === 0)
      causes.push(required(at(pp, 'containerPort')));
    else
      for (const m of isValidPortNum(p.containerPort))
        causes.push(invalid(at(pp, 'containerPort'), p.containerPort, m));
    if (p.hostPort) for (const m of isValidPortNum(p.hostPort)) causes.push(invalid(at(pp, 'hostPort'), p.hostPort, m));
    causes.push(...oneOf(at(pp, 'protocol'), p.protocol, PROTOCOLS));
  });
  return causes;
}

function validateEnv(env: unknown, path: string): Cause[] {
  const causes: Cause[] = [];
  list(env).forEach((e, i) => {
    const ep = indexPath(path, i);
    if (!e.name) causes.push(required(at(ep, 'name')));
    else for (const m of isEnvVarName(String(e.name))) causes.push(invalid(at(ep, 'name'), e.name, m));
    if (isObject(e.valueFrom)) {
      const sources = ['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef'].filter((k) =>
        isObject(e.valueFrom[k]),
      );
      if (sources.length === 0)
        causes.push(
          invalid(
            at(ep, 'valueFrom'),
            '',
            'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`',
          ),
        );
      else if (sources.length > 1)
        causes.push(invalid(at(ep, 'valueFrom'), '', 'may not have more than one field specified at a time'));
      if (e.value) causes.push(invalid(at(ep, 'valueFrom'), '', 'may not be specified when `value` is not empty'));
      for (const ref of ['configMapKeyRef', 'secretKeyRef']) {
        const r = e.valueFrom[ref];
        if (!isObject(r)) continue;
        if (!r.key) causes.push(required(at(at(at(ep, 'valueFrom'), ref), 'key')));
        else
          for (const m of isConfigMapKey(String(r.key)))
            causes.push(invalid(at(at(at(ep, 'valueFrom'), ref), 'key'), r.key, m));
      }
    }
  });
  return causes;
}

function validateMounts(mounts: unknown, volumes: Set<string>, path: string): Cause[] {
  const causes: Cause[] = [];
  const paths = new Set<string>();
  list(mounts).forEach((m, i) => {
    const mp = indexPath(path, i);
    if (!m.name) causes.push(required(at(mp, 'name')));
    else if (!volumes.has(m.name)) causes.push(notFound(at(mp, 'name'), m.name));
    if (!m.mountPath) causes.push(required(at(mp, 'mountPath')));
    else if (paths.has(m.mountPath)) causes.push(invalid(at(mp, 'mountPath'), m.mountPath, 'must be unique'));
    if (m.mountPath) paths.add(m.mountPath);
  });
  return causes;
}

function validateResourceList(resources: unknown, path: string): Cause[] {
  if (!isObject(resources)) return [];
  const causes: Cause[] = [];
  for (const [name, value] of Object.entries(resources)) {
    const rp = keyPath(path, name);
    if (!name.includes('/') && !STANDARD_CONTAINER_RESOURCES.has(name) && !name.startsWith('hugepages-')) {
      causes.push(invalid(rp, name, 'must be a standard resource for containers'));
      continue;
    }
    const q = parseQuantity(value);
    if (!q.ok) causes.push(invalid(rp, value, q.error));
    else if (q.value < 0) causes.push(invalid(rp, String(value), 'must be greater than or equal to 0'));
  }
  return causes;
}

/** Container resources: quantities parse, are non-negative, and requests do not exceed limits. */
export function validateResources(res: unknown, path: string): Cause[] {
  if (!isObject(res)) return [];
  const causes = [
    ...validateResourceList(res.limits, at(path, 'limits')),
    ...validateResourceList(res.requests, at(path, 'requests')),
  ];
  const limits = isObject(res.limits) ? res.limits : {};
  if (isObject(res.requests)) {
    for (const [name, value] of Object.entries(res.requests)) {
      if (limits[name] === undefined) continue;
      if (compareQuantities(value, limits[name]) === 1) {
        causes.push(
          invalid(
            keyPath(at(path, 'requests'), name),
            String(value),
            `must be less than or equal to ${name} limit of ${limits[name]}`,
          ),
        );
      }
    }
  }
  return causes;
}

function validateContainer(c: KubeObject, path: string, volumes: Set<string>): Cause[] {
  const causes: Cause[] = [];
  if (!c.name) causes.push(required(at(path, 'name')));
  else for (const m of isDNS1123Label(String(c.name))) causes.push(invalid(at(path, 'name'), c.name, m));
  if (typeof c.image !== 'string' || c.image.length === 0) causes.push(required(at(path, 'image')));
  else if (c.image.trim() !== c.image)
    causes.push(invalid(at(path, 'image'), c.image, 'must not have leading or trailing whitespace'));
  causes.push(...oneOf(at(path, 'imagePullPolicy'), c.imagePullPolicy, PULL_POLICIES));
  causes.push(...oneOf(at(path, 'terminationMessagePolicy'), c.terminationMessagePolicy, TERMINATION_MESSAGE_POLICIES));
  causes.push(...validatePorts(c.ports, at(path, 'ports')));
  causes.push(...validateEnv(c.env, at(path, 'env')));
  causes.push(...validateMounts(c.volumeMounts, volumes, at(path, 'volumeMounts')));
  causes.push(...validateResources(c.resources, at(path, 'resources')));
  return causes;
}

function validateVolumes(volumes: unknown, path: string): { causes: Cause[]; names: Set<string> } {
  const causes: Cause[] = [];
  const names = new Set<string>();
  list(volumes).forEach((v, i) => {
    const vp = indexPath(path, i);
    if (!v.name) causes.push(required(at(vp, 'name')));
    else {
      for (const m of isDNS1123Label(String(v.name))) causes.push(invalid(at(vp, 'name'), v.name, m));
      if (names.has(v.name)) causes.push(duplicate(at(vp, 'name'), v.name));
      names.add(v.name);
    }
    const sources = Object.keys(v).filter((k) => k !== 'name' && v[k] !== undefined && v[k] !== null);
    if (sources.length === 0) causes.push(required(vp, 'must specify a volume type'));
    for (const extra of sources.slice(1))
      causes.push(forbidden(at(vp, extra), 'may not specify more than 1 volume type'));
  });
  return { causes, names };
}

function validateTolerations(tolerations: unknown, path: string): Cause[] {
  const causes: Cause[] = [];
  list(tolerations).forEach((t, i) => {
    const tp = indexPath(path, i);
    if (t.key) causes.push(...isQualifiedKey(String(t.key), at(tp, 'key')));
    const op = t.operator || 'Equal';
    if (!t.key && op !== 'Exists') {
      causes.push(
        invalid(
          at(tp, 'operator'),
          op,
          'operator must be Exists when `key` is empty, which means "match all values and all keys"',
        ),
      );
    }
    if (!TOLERATION_OPERATORS.includes(op)) causes.push(notSupported(at(tp, 'operator'), op, TOLERATION_OPERATORS));
    if (op === 'Exists' && t.value)
      causes.push(invalid(at(tp, 'value'), t.value, "value must be empty when `operator` is 'Exists'"));
    if (t.tolerationSeconds != null && t.effect !== 'NoExecute') {
      causes.push(
        invalid(at(tp, 'effect'), t.effect ?? '', "effect must be 'NoExecute' when `tolerationSeconds` is set"),
      );
    }
    if (t.effect) causes.push(...oneOf(at(tp, 'effect'), t.effect, TAINT_EFFECTS));
  });
  return causes;
}

function isQualifiedKey(key: string, path: string): Cause[] {
  return validateLabels({ [key]: '' }, path);
}

/** Validates a PodSpec found at `path` (`spec`, or `spec.template.spec` for workloads). */
export function validatePodSpec(spec: unknown, path: string, opts: PodSpecOptions = {}): Cause[] {
  if (!isObject(spec)) return [required(path)];
  const { causes, names: volumes } = validateVolumes(spec.volumes, at(path, 'volumes'));
  const containerNames = new Set<string>();
  const checkList = (key: string) =>
    list(spec[key]).forEach((c, i) => {
      const cp = indexPath(at(path, key), i);
      causes.push(...validateContainer(c, cp, volumes));
      if (c.name && containerNames.has(c.name)) causes.push(duplicate(at(cp, 'name'), c.name));
      if (c.name) containerNames.add(c.name);
    });
  checkList('initContainers');
  if (list(spec.containers).length === 0) causes.push(required(at(path, 'containers')));
  checkList('containers');
  const restart = opts.restartPolicies ?? RESTART_POLICIES;
  causes.push(...oneOf(at(path, 'restartPolicy'), spec.restartPolicy, restart));
  causes.push(...oneOf(at(path, 'dnsPolicy'), spec.dnsPolicy, DNS_POLICIES));
  if (
    spec.activeDeadlineSeconds != null &&
    !(spec.activeDeadlineSeconds >= 1 && spec.activeDeadlineSeconds <= MAX_INT32)
  ) {
    causes.push(
      invalid(at(path, 'activeDeadlineSeconds'), spec.activeDeadlineSeconds, inclusiveRangeError(1, MAX_INT32)),
    );
  }
  causes.push(...nonNegative(at(path, 'terminationGracePeriodSeconds'), spec.terminationGracePeriodSeconds));
  causes.push(...validateLabels(spec.nodeSelector, at(path, 'nodeSelector')));
  if (spec.serviceAccountName) {
    for (const m of isDNS1123Subdomain(String(spec.serviceAccountName)))
      causes.push(invalid(at(path, 'serviceAccountName'), spec.serviceAccountName, m));
  }
  if (spec.hostname)
    for (const m of isDNS1123Label(String(spec.hostname))) causes.push(invalid(at(path, 'hostname'), spec.hostname, m));
  if (spec.subdomain)
    for (const m of isDNS1123Label(String(spec.subdomain)))
      causes.push(invalid(at(path, 'subdomain'), spec.subdomain, m));
  causes.push(...validateTolerations(spec.tolerations, at(path, 'tolerations')));
  return causes;
}
