// Field numbers and names from k8s.io/api v0.32.0 (Kubernetes 1.32) apps/v1, batch/v1 and autoscaling/v1 generated.proto and
// types.go: Deployment, Job, CronJob, HorizontalPodAutoscaler (kubectl autoscale) and Scale.
import type { SchemaTable } from './schema.js';

/** apps/v1, batch/v1 and autoscaling/v1 messages. */
export const WORKLOAD_MESSAGES: SchemaTable = {
  // batch/v1
  CronJob: 'metadata=1:ObjectMeta spec=2:CronJobSpec status=3:CronJobStatus',
  CronJobSpec: `schedule=1! timeZone=8* startingDeadlineSeconds=2:i64* concurrencyPolicy=3 suspend=4:bool*
    jobTemplate=5:JobTemplateSpec successfulJobsHistoryLimit=6:i32* failedJobsHistoryLimit=7:i32*`,
  CronJobStatus: 'active=1:[ObjectReference] lastScheduleTime=4:Time* lastSuccessfulTime=5:Time*',
  Job: 'metadata=1:ObjectMeta spec=2:JobSpec status=3:JobStatus',
  JobCondition: 'type=1! status=2! lastProbeTime=3:Time lastTransitionTime=4:Time reason=5 message=6',
  JobSpec: `parallelism=1:i32* completions=2:i32* activeDeadlineSeconds=3:i64* podFailurePolicy=11:PodFailurePolicy*
    successPolicy=16:SuccessPolicy* backoffLimit=7:i32* backoffLimitPerIndex=12:i32*
    maxFailedIndexes=13:i32* selector=4:LabelSelector* manualSelector=5:bool* template=6:PodTemplateSpec
    ttlSecondsAfterFinished=8:i32* completionMode=9* suspend=10:bool* podReplacementPolicy=14* managedBy=15*`,
  JobStatus: `conditions=1:[JobCondition] startTime=2:Time* completionTime=3:Time* active=4:i32 succeeded=5:i32
    failed=6:i32 terminating=11:i32* completedIndexes=7 failedIndexes=10*
    uncountedTerminatedPods=8:UncountedTerminatedPods* ready=9:i32*`,
  JobTemplateSpec: 'metadata=1:ObjectMeta spec=2:JobSpec',
  PodFailurePolicy: 'rules=1:[PodFailurePolicyRule]!',
  PodFailurePolicyOnExitCodesRequirement: 'containerName=1* operator=2! values=3:[i32]!',
  PodFailurePolicyOnPodConditionsPattern: 'type=1! status=2!',
  PodFailurePolicyRule: `action=1! onExitCodes=2:PodFailurePolicyOnExitCodesRequirement*
    onPodConditions=3:[PodFailurePolicyOnPodConditionsPattern]`,
  SuccessPolicy: 'rules=1:[SuccessPolicyRule]!',
  SuccessPolicyRule: 'succeededIndexes=1* succeededCount=2:i32*',
  UncountedTerminatedPods: 'succeeded=1:[] failed=2:[]',
  // autoscaling/v1
  CrossVersionObjectReference: 'kind=1! name=2! apiVersion=3',
  HorizontalPodAutoscaler: `metadata=1:ObjectMeta spec=2:HorizontalPodAutoscalerSpec status=3:HorizontalPodAutoscalerStatus`,
  HorizontalPodAutoscalerSpec: `scaleTargetRef=1:CrossVersionObjectReference minReplicas=2:i32* maxReplicas=3:i32!
    targetCPUUtilizationPercentage=4:i32*`,
  HorizontalPodAutoscalerStatus: `observedGeneration=1:i64* lastScaleTime=2:Time* currentReplicas=3:i32! desiredReplicas=4:i32!
    currentCPUUtilizationPercentage=5:i32*`,
  Scale: 'metadata=1:ObjectMeta spec=2:ScaleSpec status=3:ScaleStatus',
  ScaleSpec: 'replicas=1:i32',
  ScaleStatus: 'replicas=1:i32! selector=2',
  // apps/v1
  Deployment: 'metadata=1:ObjectMeta spec=2:DeploymentSpec status=3:DeploymentStatus',
  DeploymentCondition: 'type=1! status=2! lastUpdateTime=6:Time lastTransitionTime=7:Time reason=4 message=5',
  DeploymentSpec: `replicas=1:i32* selector=2:LabelSelector* template=3:PodTemplateSpec strategy=4:DeploymentStrategy
    minReadySeconds=5:i32 revisionHistoryLimit=6:i32* paused=7:bool progressDeadlineSeconds=9:i32*`,
  DeploymentStatus: `observedGeneration=1:i64 replicas=2:i32 updatedReplicas=3:i32 readyReplicas=7:i32
    availableReplicas=4:i32 unavailableReplicas=5:i32 conditions=6:[DeploymentCondition]
    collisionCount=8:i32*`,
  DeploymentStrategy: 'type=1 rollingUpdate=2:RollingUpdateDeployment*',
  RollingUpdateDeployment: 'maxUnavailable=1:IntOrString* maxSurge=2:IntOrString*',
};
