// apps/v1: Deployment, ReplicaSet, DaemonSet and StatefulSet.
import type { Cause, KubeObject } from '../types.js';
import { deepEqual, forbidden, invalid, nonNegative, notSupported, oneOf, required } from './field.js';
import { goLabelSelector, selectorIsEmpty, validateLabelSelector } from './meta.js';
import { validatePodTemplate } from './template.js';

const isObject = (v: unknown): v is KubeObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const ALWAYS = ['Always'];

function validateSelectorAndTemplate(spec: KubeObject, what: string): Cause[] {
  const causes: Cause[] = [];
  const selector = spec.selector;
  if (!isObject(selector)) causes.push(required('spec.selector'));
  else {
    causes.push(...validateLabelSelector(selector, 'spec.selector'));
    if (selectorIsEmpty(selector)) {
      causes.push({
        reason: 'FieldValueInvalid',
        field: 'spec.selector',
        message: `Invalid value: ${goLabelSelector(selector)}: empty selector is invalid for ${what}`,
      });
    }
  }
  const usable = isObject(selector) && !selectorIsEmpty(selector) ? selector : undefined;
  causes.push(
    ...validatePodTemplate(spec.template, 'spec.template', {
      ...(usable ? { selector: usable } : {}),
      restartPolicies: ALWAYS,
      forbidActiveDeadline: true,
    }),
  );
  return causes;
}

// Go prints the selector struct in these messages; Berth renders the same shape.
function selectorImmutable(spec: KubeObject, old: KubeObject): Cause[] {
  if (deepEqual(spec.selector, old.selector)) return [];
  return [
    {
      reason: 'FieldValueInvalid',
      field: 'spec.selector',
      message: `Invalid value: ${goLabelSelector(spec.selector)}: field is immutable`,
    },
  ];
}

const PERCENT = /^[0-9]+%$/;

function intOrPercent(path: string, v: unknown): Cause[] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'number') return nonNegative(path, v);
  if (typeof v === 'string' && PERCENT.test(v)) {
    return Number(v.slice(0, -1)) > 100 ? [invalid(path, v, 'must not be greater than 100%')] : [];
  }
  return [
    invalid(
      path,
      v,
      "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
    ),
  ];
}

const isZero = (v: unknown) => v === 0 || v === '0%';

function validateDeploymentStrategy(strategy: unknown): Cause[] {
  if (!isObject(strategy)) return [];
  const causes = oneOf('spec.strategy.type', strategy.type, ['Recreate', 'RollingUpdate']);
  if (strategy.type === 'Recreate' && strategy.rollingUpdate != null) {
    causes.push(forbidden('spec.strategy.rollingUpdate', "may not be specified when strategy `type` is 'Recreate'"));
  }
  const ru = strategy.rollingUpdate;
  if (strategy.type === 'RollingUpdate' && isObject(ru)) {
    causes.push(...intOrPercent('spec.strategy.rollingUpdate.maxUnavailable', ru.maxUnavailable));
    causes.push(...intOrPercent('spec.strategy.rollingUpdate.maxSurge', ru.maxSurge));
    if (isZero(ru.maxUnavailable) && isZero(ru.maxSurge)) {
      causes.push(
        invalid('spec.strategy.rollingUpdate.maxUnavailable', ru.maxUnavailable, 'may not be 0 when `maxSurge` is 0'),
      );
    }
  }
  return causes;
}

/** Deployment on create. */
export function validateDeployment(obj: KubeObject): Cause[] {
  const spec: KubeObject = isObject(obj.spec) ? obj.spec : {};
  const causes = [...nonNegative('spec.replicas', spec.replicas), ...validateSelectorAndTemplate(spec, 'deployment')];
  causes.push(...validateDeploymentStrategy(spec.strategy));
  causes.push(...nonNegative('spec.minReadySeconds', spec.minReadySeconds));
  causes.push(...nonNegative('spec.revisionHistoryLimit', spec.revisionHistoryLimit));
  if (typeof spec.progressDeadlineSeconds === 'number') {
    causes.push(...nonNegative('spec.progressDeadlineSeconds', spec.progressDeadlineSeconds));
    if (spec.progressDeadlineSeconds <= (spec.minReadySeconds ?? 0)) {
      causes.push(
        invalid('spec.progressDeadlineSeconds', spec.progressDeadlineSeconds, 'must be greater than minReadySeconds'),
      );
    }
  }
  return causes;
}

/** ReplicaSet on create. */
export function validateReplicaSet(obj: KubeObject): Cause[] {
  const spec: KubeObject = isObject(obj.spec) ? obj.spec : {};
  return [
    ...nonNegative('spec.replicas', spec.replicas),
    ...nonNegative('spec.minReadySeconds', spec.minReadySeconds),
    ...validateSelectorAndTemplate(spec, 'deployment'),
  ];
}

/** DaemonSet on create. */
export function validateDaemonSet(obj: KubeObject): Cause[] {
  const spec: KubeObject = isObject(obj.spec) ? obj.spec : {};
  const causes = validateSelectorAndTemplate(spec, 'daemonset');
  const strategy: KubeObject = isObject(spec.updateStrategy) ? spec.updateStrategy : {};
  causes.push(...oneOf('spec.updateStrategy.type', strategy.type, ['OnDelete', 'RollingUpdate']));
  if (isObject(strategy.rollingUpdate)) {
    causes.push(
      ...intOrPercent('spec.updateStrategy.rollingUpdate.maxUnavailable', strategy.rollingUpdate.maxUnavailable),
    );
    causes.push(...intOrPercent('spec.updateStrategy.rollingUpdate.maxSurge', strategy.rollingUpdate.maxSurge));
  }
  causes.push(...nonNegative('spec.revisionHistoryLimit', spec.revisionHistoryLimit));
  return causes;
}

/** StatefulSet on create. */
export function validateStatefulSet(obj: KubeObject): Cause[] {
  const spec: KubeObject = isObject(obj.spec) ? obj.spec : {};
  const causes = [...nonNegative('spec.replicas', spec.replicas), ...validateSelectorAndTemplate(spec, 'statefulset')];
  causes.push(...oneOf('spec.podManagementPolicy', spec.podManagementPolicy, ['OrderedReady', 'Parallel']));
  const strategy: KubeObject = isObject(spec.updateStrategy) ? spec.updateStrategy : {};
  causes.push(...oneOf('spec.updateStrategy.type', strategy.type, ['OnDelete', 'RollingUpdate']));
  if (strategy.type === 'OnDelete' && strategy.rollingUpdate != null) {
    causes.push(invalid('spec.updateStrategy.rollingUpdate', '', "only allowed for updateStrategy 'RollingUpdate'"));
  }
  const retention = spec.persistentVolumeClaimRetentionPolicy;
  if (isObject(retention)) {
    for (const k of ['whenDeleted', 'whenScaled']) {
      if (retention[k] != null && !['Retain', 'Delete'].includes(retention[k])) {
        causes.push(notSupported(`spec.persistentVolumeClaimRetentionPolicy.${k}`, retention[k], ['Retain', 'Delete']));
      }
    }
  }
  return causes;
}

/** Deployment, ReplicaSet and DaemonSet on update: the selector is fixed at creation. */
export function validateSelectorUpdate(obj: KubeObject, old: KubeObject): Cause[] {
  return selectorImmutable(isObject(obj.spec) ? obj.spec : {}, isObject(old.spec) ? old.spec : {});
}

const STS_MUTABLE = [
  'replicas',
  'ordinals',
  'template',
  'updateStrategy',
  'persistentVolumeClaimRetentionPolicy',
  'minReadySeconds',
];

/** StatefulSet on update: only replicas, ordinals, template, updateStrategy, retention and minReadySeconds change. */
export function validateStatefulSetUpdate(obj: KubeObject, old: KubeObject): Cause[] {
  const spec: KubeObject = isObject(obj.spec) ? { ...obj.spec } : {};
  const prev: KubeObject = isObject(old.spec) ? { ...old.spec } : {};
  for (const k of STS_MUTABLE) {
    delete spec[k];
    delete prev[k];
  }
  if (deepEqual(spec, prev)) return [];
  return [
    forbidden(
      'spec',
      "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    ),
  ];
}
