// Facts about Kubernetes' API types that the generated client models do not carry: how strategic merge
// patch merges each list (Go struct tags `patchStrategy`/`patchMergeKey`) and the enums kube-apiserver
// publishes. Keyed by client-node model name and JSON field.

/** A field's strategic-merge-patch behaviour. */
export interface PatchMeta {
  /** `merge`, `retainKeys` or `merge,retainKeys`. */
  strategy: string;
  /** For lists of objects merged by key: the key field. */
  key?: string;
}

const byName: PatchMeta = { strategy: 'merge', key: 'name' };
const byType: PatchMeta = { strategy: 'merge', key: 'type' };
const byIP: PatchMeta = { strategy: 'merge', key: 'ip' };
const containerLists: Record<string, PatchMeta> = {
  env: byName,
  ports: { strategy: 'merge', key: 'containerPort' },
  volumeMounts: { strategy: 'merge', key: 'mountPath' },
  volumeDevices: { strategy: 'merge', key: 'devicePath' },
};

/** Patch strategies by model and field. */
export const PATCH_META: Record<string, Record<string, PatchMeta>> = {
  V1ObjectMeta: { finalizers: { strategy: 'merge' }, ownerReferences: { strategy: 'merge', key: 'uid' } },
  V1PodSpec: {
    containers: byName,
    initContainers: byName,
    ephemeralContainers: byName,
    volumes: { strategy: 'merge,retainKeys', key: 'name' },
    imagePullSecrets: byName,
    hostAliases: byIP,
    topologySpreadConstraints: { strategy: 'merge', key: 'topologyKey' },
    schedulingGates: byName,
    resourceClaims: { strategy: 'merge,retainKeys', key: 'name' },
  },
  V1Container: containerLists,
  V1EphemeralContainer: containerLists,
  V1PodStatus: {
    conditions: byType,
    podIPs: byIP,
    hostIPs: byIP,
    resourceClaimStatuses: { strategy: 'merge,retainKeys', key: 'name' },
  },
  V1ServiceSpec: { ports: { strategy: 'merge', key: 'port' } },
  V1ServiceStatus: { conditions: byType },
  V1ServiceAccount: { secrets: byName },
  V1NodeSpec: { podCIDRs: { strategy: 'merge' } },
  V1NodeStatus: { conditions: byType, addresses: byType },
  V1NamespaceStatus: { conditions: byType },
  V1PersistentVolumeClaimStatus: { conditions: byType },
  V1DeploymentSpec: { strategy: { strategy: 'retainKeys' } },
  V1DeploymentStatus: { conditions: byType },
  V1ReplicaSetStatus: { conditions: byType },
  V1DaemonSetStatus: { conditions: byType },
  V1StatefulSetStatus: { conditions: byType },
  V1JobStatus: { conditions: byType },
  V2HorizontalPodAutoscalerStatus: { conditions: byType },
};

/** Closed sets of values kube-apiserver publishes as `enum` (shown by `kubectl explain`). */
export const ENUMS: Record<string, Record<string, string[]>> = {
  V1PodSpec: {
    restartPolicy: ['Always', 'Never', 'OnFailure'],
    dnsPolicy: ['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'],
    preemptionPolicy: ['Never', 'PreemptLowerPriority'],
  },
  V1Container: {
    imagePullPolicy: ['Always', 'IfNotPresent', 'Never'],
    terminationMessagePolicy: ['FallbackToLogsOnError', 'File'],
  },
  V1ContainerPort: { protocol: ['SCTP', 'TCP', 'UDP'] },
  V1ServicePort: { protocol: ['SCTP', 'TCP', 'UDP'] },
  V1ServiceSpec: {
    type: ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'],
    sessionAffinity: ['ClientIP', 'None'],
    externalTrafficPolicy: ['Cluster', 'Local'],
    internalTrafficPolicy: ['Cluster', 'Local'],
  },
  V1DeploymentStrategy: { type: ['Recreate', 'RollingUpdate'] },
  V1DaemonSetUpdateStrategy: { type: ['OnDelete', 'RollingUpdate'] },
  V1StatefulSetUpdateStrategy: { type: ['OnDelete', 'RollingUpdate'] },
  V1StatefulSetSpec: { podManagementPolicy: ['OrderedReady', 'Parallel'] },
  V1CronJobSpec: { concurrencyPolicy: ['Allow', 'Forbid', 'Replace'] },
  V1JobSpec: { completionMode: ['Indexed', 'NonIndexed'], podReplacementPolicy: ['Failed', 'TerminatingOrFailed'] },
  V1PersistentVolumeSpec: {
    persistentVolumeReclaimPolicy: ['Delete', 'Recycle', 'Retain'],
    volumeMode: ['Block', 'Filesystem'],
  },
  V1PersistentVolumeClaimSpec: { volumeMode: ['Block', 'Filesystem'] },
};

/** How server-side apply treats a list (`x-kubernetes-list-type`); lists not named here are atomic. */
export interface ListType {
  type: 'atomic' | 'set' | 'map';
  /** For `map` lists: the fields that identify an element. */
  keys?: string[];
}

const mapBy = (...keys: string[]): ListType => ({ type: 'map', keys });
const containerListTypes: Record<string, ListType> = {
  ports: mapBy('containerPort', 'protocol'),
  env: mapBy('name'),
  volumeMounts: mapBy('mountPath'),
  volumeDevices: mapBy('devicePath'),
};
const conditions = { conditions: mapBy('type') };

/** List types by model and field, for server-side apply's merge of lists owned by several managers. */
export const LIST_TYPES: Record<string, Record<string, ListType>> = {
  V1ObjectMeta: { finalizers: { type: 'set' }, ownerReferences: mapBy('uid') },
  V1PodSpec: {
    containers: mapBy('name'),
    initContainers: mapBy('name'),
    ephemeralContainers: mapBy('name'),
    volumes: mapBy('name'),
    imagePullSecrets: mapBy('name'),
    hostAliases: mapBy('ip'),
    topologySpreadConstraints: mapBy('topologyKey', 'whenUnsatisfiable'),
    schedulingGates: mapBy('name'),
    resourceClaims: mapBy('name'),
  },
  V1Container: containerListTypes,
  V1EphemeralContainer: containerListTypes,
  V1PodStatus: { ...conditions, podIPs: mapBy('ip'), hostIPs: mapBy('ip') },
  V1ServiceSpec: { ports: mapBy('port', 'protocol') },
  V1ServiceStatus: conditions,
  V1NodeStatus: { ...conditions, addresses: mapBy('type') },
  V1NodeSpec: { podCIDRs: { type: 'set' } },
  V1NamespaceStatus: conditions,
  V1PersistentVolumeClaimStatus: conditions,
  V1DeploymentStatus: conditions,
  V1ReplicaSetStatus: conditions,
  V1DaemonSetStatus: conditions,
  V1StatefulSetStatus: conditions,
  V1JobStatus: conditions,
  V2HorizontalPodAutoscalerStatus: conditions,
};
