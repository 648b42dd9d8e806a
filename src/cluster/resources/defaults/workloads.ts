// apps/v1 and batch/v1 defaulting, as the v1 schemes of those groups do it.
import type { KubeObject } from '../types.js';
import { defaultPodTemplate } from './pod.js';
import { defaultPersistentVolumeClaim } from './platform.js';
import { child, isObject, items, setDefault, setDefaultString } from './util.js';

const MAX_INT32 = 2147483647;

/** Deployment: one replica, a 25%/25% rolling update, ten old ReplicaSets kept, ten minutes to progress. */
export function defaultDeployment(obj: KubeObject): void {
  const spec = child(obj, 'spec');
  setDefault(spec, 'replicas', 1);
  const strategy = child(spec, 'strategy');
  setDefaultString(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') {
    const ru = child(strategy, 'rollingUpdate');
    setDefault(ru, 'maxUnavailable', '25%');
    setDefault(ru, 'maxSurge', '25%');
  }
  setDefault(spec, 'revisionHistoryLimit', 10);
  setDefault(spec, 'progressDeadlineSeconds', 600);
  defaultPodTemplate(spec.template);
}

/** ReplicaSet: one replica. */
export function defaultReplicaSet(obj: KubeObject): void {
  const spec = child(obj, 'spec');
  setDefault(spec, 'replicas', 1);
  defaultPodTemplate(spec.template);
}

/** DaemonSet: rolling update one node at a time, ten revisions kept. */
export function defaultDaemonSet(obj: KubeObject): void {
  const spec = child(obj, 'spec');
  const strategy = child(spec, 'updateStrategy');
  setDefaultString(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') {
    const ru = child(strategy, 'rollingUpdate');
    setDefault(ru, 'maxUnavailable', 1);
    setDefault(ru, 'maxSurge', 0);
  }
  setDefault(spec, 'revisionHistoryLimit', 10);
  defaultPodTemplate(spec.template);
}

/** StatefulSet: one replica, ordered pod management, rolling update from partition 0, PVCs retained. */
export function defaultStatefulSet(obj: KubeObject): void {
  const spec = child(obj, 'spec');
  setDefault(spec, 'replicas', 1);
  setDefaultString(spec, 'podManagementPolicy', 'OrderedReady');
  const strategy = child(spec, 'updateStrategy');
  setDefaultString(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') setDefault(child(strategy, 'rollingUpdate'), 'partition', 0);
  setDefault(spec, 'revisionHistoryLimit', 10);
  const retention = child(spec, 'persistentVolumeClaimRetentionPolicy');
  setDefaultString(retention, 'whenDeleted', 'Retain');
  setDefaultString(retention, 'whenScaled', 'Retain');
  for (const pvc of items(spec, 'volumeClaimTemplates')) {
    setDefaultString(pvc, 'apiVersion', 'v1');
    setDefaultString(pvc, 'kind', 'PersistentVolumeClaim');
    defaultPersistentVolumeClaim(pvc);
  }
  defaultPodTemplate(spec.template);
}

/** Job: one completion at parallelism one, six retries, non-indexed, running, pods replaced once gone. */
export function defaultJob(obj: KubeObject): void {
  const spec = child(obj, 'spec');
  if (spec.completions == null && spec.parallelism == null) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  setDefault(spec, 'parallelism', 1);
  setDefault(spec, 'backoffLimit', spec.backoffLimitPerIndex != null ? MAX_INT32 : 6);
  setDefaultString(spec, 'completionMode', 'NonIndexed');
  setDefault(spec, 'suspend', false);
  setDefaultString(spec, 'podReplacementPolicy', spec.podFailurePolicy != null ? 'Failed' : 'TerminatingOrFailed');
  defaultPodTemplate(spec.template);
}

/** CronJob: concurrent runs allowed, three successful and one failed Job kept. */
export function defaultCronJob(obj: KubeObject): void {
  const spec = child(obj, 'spec');
  setDefaultString(spec, 'concurrencyPolicy', 'Allow');
  setDefault(spec, 'suspend', false);
  setDefault(spec, 'successfulJobsHistoryLimit', 3);
  setDefault(spec, 'failedJobsHistoryLimit', 1);
  const jobSpec = isObject(spec.jobTemplate) ? spec.jobTemplate.spec : undefined;
  if (isObject(jobSpec)) defaultPodTemplate(jobSpec.template);
}

/**
 * What the Job registry does on create when `spec.manualSelector` is not true: select the Job's pods by its
 * uid and label the template accordingly. Needs the uid, so the API layer calls it after assigning one.
 */
export function prepareJobForCreate(job: KubeObject, uid: string): void {
  const spec = child(job, 'spec');
  if (spec.manualSelector === true) return;
  const name = job.metadata?.name ?? '';
  const template = child(spec, 'template');
  const labels = child(child(template, 'metadata'), 'labels');
  const generated: Record<string, string> = {
    'batch.kubernetes.io/controller-uid': uid,
    'batch.kubernetes.io/job-name': name,
    'controller-uid': uid,
    'job-name': name,
  };
  for (const [k, v] of Object.entries(generated)) setDefault(labels, k, v);
  if (spec.selector == null) spec.selector = { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } };
}
