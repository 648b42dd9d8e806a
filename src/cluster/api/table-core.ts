// Rows of the core and platform kinds: Services (Type, Cluster-IP, External-IP, Port(s)), Nodes (Status,
// Roles, Version), Events (Last Seen, Type, Reason, Object, Message), Namespaces (Status) and the smaller
// ones whose columns kubectl users know (ConfigMap Data, Secret Type/Data, HPA Reference/Targets…).
import type { KubeObject } from '../resources/index.js';
import { ageOf } from './age.js';
import { AGE_COLUMN, NAME_COLUMN, col, formatLabels, int, type Printer } from './table-columns.js';

const list = (v: unknown): KubeObject[] => (Array.isArray(v) ? v.filter((x) => x && typeof x === 'object') : []);
const name = (o: KubeObject): string => o.metadata?.name ?? '';
const age = (o: KubeObject, now: Date): string => ageOf(o.metadata?.creationTimestamp, now);

/** `80/TCP,443:30443/TCP`, or `<none>`. */
export function servicePorts(ports: unknown): string {
  const out = list(ports).map((p) => (p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol ?? 'TCP'}` : `${p.port}/${p.protocol ?? 'TCP'}`));
  return out.length ? out.join(',') : '<none>';
}

/** The External-IP cell of a Service. */
export function serviceExternalIP(svc: KubeObject): string {
  const external: string[] = Array.isArray(svc.spec?.externalIPs) ? svc.spec.externalIPs : [];
  switch (svc.spec?.type ?? 'ClusterIP') {
    case 'ClusterIP':
    case 'NodePort':
      return external.length ? external.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = list(svc.status?.loadBalancer?.ingress)
        .map((i) => i.ip || i.hostname || '')
        .filter(Boolean);
      const all = [...lb, ...external];
      return all.length ? all.join(',') : '<pending>';
    }
    case 'ExternalName':
      return svc.spec?.externalName ?? '';
    default:
      return '<unknown>';
  }
}

const servicePrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Type', 'string', 'The type of the service.'),
    col('Cluster-IP', 'string', 'The IP address of the service inside the cluster.'),
    col('External-IP', 'string', 'The addresses the service is reachable at from outside the cluster.'),
    col('Port(s)', 'string', 'The ports the service exposes.'),
    AGE_COLUMN,
    col('Selector', 'string', 'Pods with labels matching this selector receive the traffic.', 1),
  ],
  cells(o, now) {
    const clusterIP = (Array.isArray(o.spec?.clusterIPs) && o.spec.clusterIPs[0]) || o.spec?.clusterIP || '<none>';
    return [name(o), o.spec?.type ?? '', clusterIP, serviceExternalIP(o), servicePorts(o.spec?.ports), age(o, now), formatLabels(o.spec?.selector)];
  },
};

/** The Status cell of a Node: Ready/NotReady/Unknown, plus SchedulingDisabled when cordoned. */
export function nodeStatus(node: KubeObject): string {
  const ready = list(node.status?.conditions).find((c) => c.type === 'Ready');
  const parts = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
  if (node.spec?.unschedulable) parts.push('SchedulingDisabled');
  return parts.join(',');
}

/** The Roles cell of a Node, from `node-role.kubernetes.io/<role>` and `kubernetes.io/role` labels. */
export function nodeRoles(node: KubeObject): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries((node.metadata?.labels ?? {}) as Record<string, string>)) {
    if (k.startsWith('node-role.kubernetes.io/') && k.length > 'node-role.kubernetes.io/'.length) roles.add(k.slice('node-role.kubernetes.io/'.length));
    else if (k === 'kubernetes.io/role' && v) roles.add(v);
  }
  return roles.size ? [...roles].sort().join(',') : '<none>';
}

const nodeAddress = (node: KubeObject, type: string): string =>
  list(node.status?.addresses).find((a) => a.type === type)?.address || '<none>';

const nodePrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Status', 'string', 'The readiness of the node.'),
    col('Roles', 'string', 'The roles of the node.'),
    AGE_COLUMN,
    col('Version', 'string', 'Kubelet version reported by the node.'),
    col('Internal-IP', 'string', 'The node address reachable inside the cluster.', 1),
    col('External-IP', 'string', 'The node address reachable from outside.', 1),
    col('OS-Image', 'string', 'OS image reported by the node.', 1),
    col('Kernel-Version', 'string', 'Kernel version reported by the node.', 1),
    col('Container-Runtime', 'string', 'Container runtime version reported by the node.', 1),
  ],
  cells(o, now) {
    const info = o.status?.nodeInfo ?? {};
    return [
      name(o),
      nodeStatus(o),
      nodeRoles(o),
      age(o, now),
      info.kubeletVersion ?? '',
      nodeAddress(o, 'InternalIP'),
      nodeAddress(o, 'ExternalIP'),
      info.osImage || '<unknown>',
      info.kernelVersion || '<unknown>',
      info.containerRuntimeVersion || '<unknown>',
    ];
  },
};

const eventPrinter: Printer = {
  columns: [
    col('Last Seen', 'string', 'Time since the event was last seen.'),
    col('Type', 'string', 'Type of the event (Normal or Warning).'),
    col('Reason', 'string', 'Why the event happened, in CamelCase.'),
    col('Object', 'string', 'The object the event is about.'),
    col('Subobject', 'string', 'The part of the object the event is about.', 1),
    col('Source', 'string', 'The component that reported the event.', 1),
    col('Message', 'string', 'A human-readable description of the event.'),
    col('First Seen', 'string', 'Time since the event was first seen.', 1),
    col('Count', 'integer', 'The number of times the event occurred.', 1),
    col('Name', 'string', 'Name of the event.', 1, 'name'),
  ],
  cells(o, now) {
    const first = o.firstTimestamp ? ageOf(o.firstTimestamp, now) : ageOf(o.eventTime, now);
    let last = o.lastTimestamp ? ageOf(o.lastTimestamp, now) : first;
    let count = int(o.count);
    if (o.series) {
      last = ageOf(o.series.lastObservedTime, now);
      count = int(o.series.count);
    } else if (count === 0) count = 1;
    const inv = o.involvedObject ?? {};
    const kind = String(inv.kind ?? '').toLowerCase();
    const target = inv.name ? `${kind}/${inv.name}` : kind;
    const component = o.source?.component || o.reportingComponent || '';
    const host = o.source?.host || o.reportingInstance || '';
    const source = host ? `${component}, ${host}` : component;
    return [last, o.type ?? '', o.reason ?? '', target, inv.fieldPath ?? '', source, String(o.message ?? '').trim(), first, count, name(o)];
  },
};

const namespacePrinter: Printer = {
  columns: [NAME_COLUMN, col('Status', 'string', 'The phase of the namespace.'), AGE_COLUMN],
  cells: (o, now) => [name(o), o.status?.phase ?? '', age(o, now)],
};

const count = (v: unknown): number => (v && typeof v === 'object' ? Object.keys(v).length : 0);

const configMapPrinter: Printer = {
  columns: [NAME_COLUMN, col('Data', 'integer', 'Number of entries.'), AGE_COLUMN],
  cells: (o, now) => [name(o), count(o.data) + count(o.binaryData), age(o, now)],
};

const secretPrinter: Printer = {
  columns: [NAME_COLUMN, col('Type', 'string', 'The type of the secret.'), col('Data', 'integer', 'Number of entries.'), AGE_COLUMN],
  cells: (o, now) => [name(o), o.type ?? '', count(o.data), age(o, now)],
};

const serviceAccountPrinter: Printer = {
  columns: [NAME_COLUMN, col('Secrets', 'integer', 'Number of secrets.'), AGE_COLUMN],
  cells: (o, now) => [name(o), list(o.secrets).length, age(o, now)],
};

const endpointsPrinter: Printer = {
  columns: [NAME_COLUMN, col('Endpoints', 'string', 'The addresses and ports of the endpoints.'), AGE_COLUMN],
  cells(o, now) {
    const eps: string[] = [];
    for (const s of list(o.subsets)) {
      for (const a of list(s.addresses)) {
        const ports = list(s.ports);
        if (ports.length === 0) eps.push(a.ip);
        for (const p of ports) eps.push(`${a.ip}:${p.port}`);
      }
    }
    const shown = eps.length > 3 ? `${eps.slice(0, 3).join(',')} + ${eps.length - 3} more...` : eps.join(',');
    return [name(o), shown || '<none>', age(o, now)];
  },
};

const hpaPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Reference', 'string', 'The object whose scale the autoscaler controls.'),
    col('Targets', 'string', 'Current and target values of the metrics.'),
    col('MinPods', 'string', 'Lower limit of replicas.'),
    col('MaxPods', 'integer', 'Upper limit of replicas.'),
    col('Replicas', 'integer', 'Current number of replicas.'),
    AGE_COLUMN,
  ],
  cells(o, now) {
    const ref = o.spec?.scaleTargetRef ?? {};
    const targets = list(o.spec?.metrics).map((m) => {
      const t = m.resource?.target ?? m.containerResource?.target;
      const current = list(o.status?.currentMetrics).find((c) => c.type === m.type && c.resource?.name === m.resource?.name);
      const value = current?.resource?.current?.averageUtilization;
      return t?.averageUtilization !== undefined ? `${m.resource?.name ?? 'resource'}: ${value === undefined ? '<unknown>' : `${value}%`}/${t.averageUtilization}%` : '<unknown>';
    });
    return [name(o), `${ref.kind ?? ''}/${ref.name ?? ''}`, targets.length ? targets.join(', ') : '<none>', String(o.spec?.minReplicas ?? '<unset>'), int(o.spec?.maxReplicas), int(o.status?.currentReplicas), age(o, now)];
  },
};

const leasePrinter: Printer = {
  columns: [NAME_COLUMN, col('Holder', 'string', 'The current holder of the lease.'), AGE_COLUMN],
  cells: (o, now) => [name(o), o.spec?.holderIdentity ?? '', age(o, now)],
};

const pvcPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Status', 'string', 'The phase of the claim.'),
    col('Volume', 'string', 'The bound volume.'),
    col('Capacity', 'string', 'The capacity of the bound volume.'),
    col('Access Modes', 'string', 'How the volume can be mounted.'),
    col('StorageClass', 'string', 'The storage class of the claim.'),
    AGE_COLUMN,
  ],
  cells: (o, now) => [
    name(o),
    o.status?.phase ?? '',
    o.spec?.volumeName ?? '',
    o.status?.capacity?.storage ?? '',
    accessModes(o.status?.accessModes),
    o.spec?.storageClassName || '<unset>',
    age(o, now),
  ],
};

function accessModes(modes: unknown): string {
  const short: Record<string, string> = { ReadWriteOnce: 'RWO', ReadOnlyMany: 'ROX', ReadWriteMany: 'RWX', ReadWriteOncePod: 'RWOP' };
  return (Array.isArray(modes) ? modes : []).map((m) => short[m] ?? m).join(',');
}

const roleBindingPrinter: Printer = {
  columns: [NAME_COLUMN, col('Role', 'string', 'The role the subjects are bound to.'), AGE_COLUMN],
  cells: (o, now) => [name(o), `${o.roleRef?.kind ?? ''}/${o.roleRef?.name ?? ''}`, age(o, now)],
};

const createdAtPrinter: Printer = {
  columns: [NAME_COLUMN, col('Created At', 'date', 'When the object was created.')],
  cells: (o) => [name(o), o.metadata?.creationTimestamp ?? ''],
};

/** Printers of the core and platform kinds, keyed by `group/resource`. */
export const corePrinters: Record<string, Printer> = {
  '/services': servicePrinter,
  '/nodes': nodePrinter,
  '/events': eventPrinter,
  '/namespaces': namespacePrinter,
  '/configmaps': configMapPrinter,
  '/secrets': secretPrinter,
  '/serviceaccounts': serviceAccountPrinter,
  '/endpoints': endpointsPrinter,
  '/persistentvolumeclaims': pvcPrinter,
  'autoscaling/horizontalpodautoscalers': hpaPrinter,
  'coordination.k8s.io/leases': leasePrinter,
  'rbac.authorization.k8s.io/rolebindings': roleBindingPrinter,
  'rbac.authorization.k8s.io/clusterrolebindings': roleBindingPrinter,
  'rbac.authorization.k8s.io/roles': createdAtPrinter,
  'rbac.authorization.k8s.io/clusterroles': createdAtPrinter,
};
