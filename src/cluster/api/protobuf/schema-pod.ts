// Field numbers and names from k8s.io/api v0.32.0 (Kubernetes 1.32) core/v1/generated.proto, presence from
// core/v1/types.go: the PodTemplateSpec closure (pod spec, containers, volumes, probes, affinity…), written
// in schema.ts's notation.
// The in-tree volume plugins Kubernetes deprecated for CSI are listed with `-` (known, not decoded → 400).
// EphemeralContainer embeds EphemeralContainerCommon, which has exactly Container's fields and numbers.
import type { SchemaTable } from './schema.js';

/** core/v1 messages reachable from PodTemplateSpec. */
export const POD_MESSAGES: SchemaTable = {
  Affinity: 'nodeAffinity=1:NodeAffinity* podAffinity=2:PodAffinity* podAntiAffinity=3:PodAntiAffinity*',
  AppArmorProfile: 'type=1! localhostProfile=2*',
  CSIVolumeSource: `driver=1! readOnly=2:bool* fsType=3* volumeAttributes=4:{} nodePublishSecretRef=5:LocalObjectReference*`,
  Capabilities: 'add=1:[] drop=2:[]',
  ClusterTrustBundleProjection: 'name=1* signerName=2* labelSelector=3:LabelSelector* optional=5:bool* path=4!',
  ConfigMapEnvSource: '~localObjectReference=1:LocalObjectReference optional=2:bool*',
  ConfigMapKeySelector: '~localObjectReference=1:LocalObjectReference key=2! optional=3:bool*',
  ConfigMapProjection: '~localObjectReference=1:LocalObjectReference items=2:[KeyToPath] optional=4:bool*',
  ConfigMapVolumeSource: `~localObjectReference=1:LocalObjectReference items=2:[KeyToPath] defaultMode=3:i32* optional=4:bool*`,
  Container: `name=1! image=2 command=3:[] args=4:[] workingDir=5 ports=6:[ContainerPort] envFrom=19:[EnvFromSource]
    env=7:[EnvVar] resources=8:ResourceRequirements resizePolicy=23:[ContainerResizePolicy]
    restartPolicy=24* volumeMounts=9:[VolumeMount] volumeDevices=21:[VolumeDevice] livenessProbe=10:Probe*
    readinessProbe=11:Probe* startupProbe=22:Probe* lifecycle=12:Lifecycle* terminationMessagePath=13
    terminationMessagePolicy=20 imagePullPolicy=14 securityContext=15:SecurityContext* stdin=16:bool
    stdinOnce=17:bool tty=18:bool`,
  ContainerPort: 'name=1 hostPort=2:i32 containerPort=3:i32! protocol=4 hostIP=5',
  ContainerResizePolicy: 'resourceName=1! restartPolicy=2!',
  DownwardAPIProjection: 'items=1:[DownwardAPIVolumeFile]',
  DownwardAPIVolumeFile: `path=1! fieldRef=2:ObjectFieldSelector* resourceFieldRef=3:ResourceFieldSelector* mode=4:i32*`,
  DownwardAPIVolumeSource: 'items=1:[DownwardAPIVolumeFile] defaultMode=2:i32*',
  EmptyDirVolumeSource: 'medium=1 sizeLimit=2:Quantity*',
  EnvFromSource: 'prefix=1 configMapRef=2:ConfigMapEnvSource* secretRef=3:SecretEnvSource*',
  EnvVar: 'name=1! value=2 valueFrom=3:EnvVarSource*',
  EnvVarSource: `fieldRef=1:ObjectFieldSelector* resourceFieldRef=2:ResourceFieldSelector*
    configMapKeyRef=3:ConfigMapKeySelector* secretKeyRef=4:SecretKeySelector*`,
  EphemeralContainer: '~ephemeralContainerCommon=1:Container targetContainerName=2',
  EphemeralVolumeSource: 'volumeClaimTemplate=1:PersistentVolumeClaimTemplate*',
  ExecAction: 'command=1:[]',
  GRPCAction: 'port=1:i32! service=2*',
  HTTPGetAction: 'path=1 port=2:IntOrString host=3 scheme=4 httpHeaders=5:[HTTPHeader]',
  HTTPHeader: 'name=1! value=2!',
  HostAlias: 'ip=1! hostnames=2:[]',
  HostPathVolumeSource: 'path=1! type=2*',
  ImageVolumeSource: 'reference=1 pullPolicy=2',
  KeyToPath: 'key=1! path=2! mode=3:i32*',
  Lifecycle: 'postStart=1:LifecycleHandler* preStop=2:LifecycleHandler*',
  LifecycleHandler: `exec=1:ExecAction* httpGet=2:HTTPGetAction* tcpSocket=3:TCPSocketAction* sleep=4:SleepAction*`,
  LocalObjectReference: 'name=1',
  NFSVolumeSource: 'server=1! path=2! readOnly=3:bool',
  NodeAffinity: `requiredDuringSchedulingIgnoredDuringExecution=1:NodeSelector*
    preferredDuringSchedulingIgnoredDuringExecution=2:[PreferredSchedulingTerm]`,
  NodeSelector: 'nodeSelectorTerms=1:[NodeSelectorTerm]!',
  NodeSelectorRequirement: 'key=1! operator=2! values=3:[]',
  NodeSelectorTerm: 'matchExpressions=1:[NodeSelectorRequirement] matchFields=2:[NodeSelectorRequirement]',
  ObjectFieldSelector: 'apiVersion=1 fieldPath=2!',
  PersistentVolumeClaimSpec: `accessModes=1:[] selector=4:LabelSelector* resources=2:VolumeResourceRequirements volumeName=3
    storageClassName=5* volumeMode=6* dataSource=7:TypedLocalObjectReference*
    dataSourceRef=8:TypedObjectReference* volumeAttributesClassName=9*`,
  PersistentVolumeClaimTemplate: 'metadata=1:ObjectMeta spec=2:PersistentVolumeClaimSpec',
  PersistentVolumeClaimVolumeSource: 'claimName=1! readOnly=2:bool',
  PodAffinity: `requiredDuringSchedulingIgnoredDuringExecution=1:[PodAffinityTerm]
    preferredDuringSchedulingIgnoredDuringExecution=2:[WeightedPodAffinityTerm]`,
  PodAffinityTerm: `labelSelector=1:LabelSelector* namespaces=2:[] topologyKey=3! namespaceSelector=4:LabelSelector*
    matchLabelKeys=5:[] mismatchLabelKeys=6:[]`,
  PodAntiAffinity: `requiredDuringSchedulingIgnoredDuringExecution=1:[PodAffinityTerm]
    preferredDuringSchedulingIgnoredDuringExecution=2:[WeightedPodAffinityTerm]`,
  PodDNSConfig: 'nameservers=1:[] searches=2:[] options=3:[PodDNSConfigOption]',
  PodDNSConfigOption: 'name=1 value=2*',
  PodOS: 'name=1!',
  PodReadinessGate: 'conditionType=1!',
  PodResourceClaim: 'name=1! resourceClaimName=3* resourceClaimTemplateName=4*',
  PodSchedulingGate: 'name=1!',
  PodSecurityContext: `seLinuxOptions=1:SELinuxOptions* windowsOptions=8:WindowsSecurityContextOptions* runAsUser=2:i64*
    runAsGroup=6:i64* runAsNonRoot=3:bool* supplementalGroups=4:[i64] supplementalGroupsPolicy=12*
    fsGroup=5:i64* sysctls=7:[Sysctl] fsGroupChangePolicy=9* seccompProfile=10:SeccompProfile*
    appArmorProfile=11:AppArmorProfile* seLinuxChangePolicy=13*`,
  PodSpec: `volumes=1:[Volume] initContainers=20:[Container] containers=2:[Container]!
    ephemeralContainers=34:[EphemeralContainer] restartPolicy=3 terminationGracePeriodSeconds=4:i64*
    activeDeadlineSeconds=5:i64* dnsPolicy=6 nodeSelector=7:{} serviceAccountName=8 serviceAccount=9
    automountServiceAccountToken=21:bool* nodeName=10 hostNetwork=11:bool hostPID=12:bool hostIPC=13:bool
    shareProcessNamespace=27:bool* securityContext=14:PodSecurityContext*
    imagePullSecrets=15:[LocalObjectReference] hostname=16 subdomain=17 affinity=18:Affinity*
    schedulerName=19 tolerations=22:[Toleration] hostAliases=23:[HostAlias] priorityClassName=24
    priority=25:i32* dnsConfig=26:PodDNSConfig* readinessGates=28:[PodReadinessGate] runtimeClassName=29*
    enableServiceLinks=30:bool* preemptionPolicy=31* overhead=32:{Quantity}
    topologySpreadConstraints=33:[TopologySpreadConstraint] setHostnameAsFQDN=35:bool* os=36:PodOS*
    hostUsers=37:bool* schedulingGates=38:[PodSchedulingGate] resourceClaims=39:[PodResourceClaim]
    resources=40:ResourceRequirements*`,
  PodTemplateSpec: 'metadata=1:ObjectMeta spec=2:PodSpec',
  PreferredSchedulingTerm: 'weight=1:i32! preference=2:NodeSelectorTerm',
  Probe: `~handler=1:ProbeHandler initialDelaySeconds=2:i32 timeoutSeconds=3:i32 periodSeconds=4:i32
    successThreshold=5:i32 failureThreshold=6:i32 terminationGracePeriodSeconds=7:i64*`,
  ProbeHandler: 'exec=1:ExecAction* httpGet=2:HTTPGetAction* tcpSocket=3:TCPSocketAction* grpc=4:GRPCAction*',
  ProjectedVolumeSource: 'sources=1:[VolumeProjection]! defaultMode=2:i32*',
  ResourceClaim: 'name=1! request=2',
  ResourceFieldSelector: 'containerName=1 resource=2! divisor=3:Quantity',
  ResourceRequirements: 'limits=1:{Quantity} requests=2:{Quantity} claims=3:[ResourceClaim]',
  SELinuxOptions: 'user=1 role=2 type=3 level=4',
  SeccompProfile: 'type=1! localhostProfile=2*',
  SecretEnvSource: '~localObjectReference=1:LocalObjectReference optional=2:bool*',
  SecretKeySelector: '~localObjectReference=1:LocalObjectReference key=2! optional=3:bool*',
  SecretProjection: '~localObjectReference=1:LocalObjectReference items=2:[KeyToPath] optional=4:bool*',
  SecretVolumeSource: 'secretName=1 items=2:[KeyToPath] defaultMode=3:i32* optional=4:bool*',
  SecurityContext: `capabilities=1:Capabilities* privileged=2:bool* seLinuxOptions=3:SELinuxOptions*
    windowsOptions=10:WindowsSecurityContextOptions* runAsUser=4:i64* runAsGroup=8:i64* runAsNonRoot=5:bool*
    readOnlyRootFilesystem=6:bool* allowPrivilegeEscalation=7:bool* procMount=9*
    seccompProfile=11:SeccompProfile* appArmorProfile=12:AppArmorProfile*`,
  ServiceAccountTokenProjection: 'audience=1 expirationSeconds=2:i64* path=3!',
  SleepAction: 'seconds=1:i64!',
  Sysctl: 'name=1! value=2!',
  TCPSocketAction: 'port=1:IntOrString host=2',
  Toleration: 'key=1 operator=2 value=3 effect=4 tolerationSeconds=5:i64*',
  TopologySpreadConstraint: `maxSkew=1:i32! topologyKey=2! whenUnsatisfiable=3! labelSelector=4:LabelSelector* minDomains=5:i32*
    nodeAffinityPolicy=6* nodeTaintsPolicy=7* matchLabelKeys=8:[]`,
  TypedLocalObjectReference: 'apiGroup=1* kind=2! name=3!',
  TypedObjectReference: 'apiGroup=1* kind=2! name=3! namespace=4*',
  Volume: 'name=1! ~volumeSource=2:VolumeSource',
  VolumeDevice: 'name=1! devicePath=2!',
  VolumeMount: `name=1! readOnly=2:bool recursiveReadOnly=7* mountPath=3! subPath=4 mountPropagation=5* subPathExpr=6`,
  VolumeProjection: `secret=1:SecretProjection* downwardAPI=2:DownwardAPIProjection* configMap=3:ConfigMapProjection*
    serviceAccountToken=4:ServiceAccountTokenProjection* clusterTrustBundle=5:ClusterTrustBundleProjection*`,
  VolumeResourceRequirements: 'limits=1:{Quantity} requests=2:{Quantity}',
  VolumeSource: `hostPath=1:HostPathVolumeSource* emptyDir=2:EmptyDirVolumeSource* -gcePersistentDisk=3
    -awsElasticBlockStore=4 -gitRepo=5 secret=6:SecretVolumeSource* nfs=7:NFSVolumeSource* -iscsi=8
    -glusterfs=9 persistentVolumeClaim=10:PersistentVolumeClaimVolumeSource* -rbd=11 -flexVolume=12
    -cinder=13 -cephfs=14 -flocker=15 downwardAPI=16:DownwardAPIVolumeSource* -fc=17 -azureFile=18
    configMap=19:ConfigMapVolumeSource* -vsphereVolume=20 -quobyte=21 -azureDisk=22 -photonPersistentDisk=23
    projected=26:ProjectedVolumeSource* -portworxVolume=24 -scaleIO=25 -storageos=27 csi=28:CSIVolumeSource*
    ephemeral=29:EphemeralVolumeSource* image=30:ImageVolumeSource*`,
  WeightedPodAffinityTerm: 'weight=1:i32! podAffinityTerm=2:PodAffinityTerm',
  WindowsSecurityContextOptions: `gmsaCredentialSpecName=1* gmsaCredentialSpec=2* runAsUserName=3* hostProcess=4:bool*`,
};
