// batch/v1: Job and CronJob.
import type { Cause, KubeObject } from '../types.js';
import { childPath as at, deepEqual, immutable, invalid, nonNegative, oneOf, positive, required } from './field.js';
import { goLabelSelector, selectorIsEmpty, validateLabelSelector } from './meta.js';
import { maxLenError } from './names.js';
import { validatePodTemplate } from './template.js';
import { cronScheduleError } from './cron.js';

const isObject = (v: unknown): v is KubeObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const JOB_RESTART = ['OnFailure', 'Never'];
// CronJob names leave room for the 11-character suffix of the Jobs it creates.
const CRONJOB_NAME_MAX = 52;

/** A JobSpec at `path` (`spec` of a Job, `spec.jobTemplate.spec` of a CronJob). */
export function validateJobSpec(spec: unknown, path: string, opts: { generatedSelector: boolean }): Cause[] {
  if (!isObject(spec)) return [required(path)];
  const causes: Cause[] = [];
  for (const f of ['parallelism', 'completions', 'backoffLimit', 'ttlSecondsAfterFinished'])
    causes.push(...nonNegative(at(path, f), spec[f]));
  causes.push(...positive(at(path, 'activeDeadlineSeconds'), spec.activeDeadlineSeconds));
  causes.push(...oneOf(at(path, 'completionMode'), spec.completionMode, ['NonIndexed', 'Indexed'], false));
  if (spec.completionMode === 'Indexed' && spec.completions == null) {
    causes.push(required(at(path, 'completions'), 'when completion mode is Indexed'));
  }
  let selector: KubeObject | undefined;
  if (spec.manualSelector === true || !opts.generatedSelector) {
    if (isObject(spec.selector)) {
      causes.push(...validateLabelSelector(spec.selector, at(path, 'selector')));
      if (!selectorIsEmpty(spec.selector)) selector = spec.selector;
    } else if (spec.manualSelector === true) {
      causes.push(required(at(path, 'selector')));
    }
  } else if (isObject(spec.selector)) {
    // The registry generated this selector from the uid; it must still select the template.
    selector = spec.selector;
  }
  causes.push(
    ...validatePodTemplate(spec.template, at(path, 'template'), {
      ...(selector ? { selector } : {}),
      restartPolicies: JOB_RESTART,
    }),
  );
  return causes;
}

/** Job on create. */
export function validateJob(obj: KubeObject): Cause[] {
  return validateJobSpec(obj.spec, 'spec', { generatedSelector: true });
}

/** Job on update: selector, completion mode and (non-elastic) completions and the template are fixed. */
export function validateJobUpdate(obj: KubeObject, old: KubeObject): Cause[] {
  const spec: KubeObject = isObject(obj.spec) ? obj.spec : {};
  const prev: KubeObject = isObject(old.spec) ? old.spec : {};
  const causes: Cause[] = [];
  if (!deepEqual(spec.selector, prev.selector)) {
    causes.push({
      reason: 'FieldValueInvalid',
      field: 'spec.selector',
      message: `Invalid value: ${goLabelSelector(spec.selector)}: field is immutable`,
    });
  }
  causes.push(...immutable('spec.completionMode', spec.completionMode, prev.completionMode));
  // Indexed Jobs are elastic: completions may follow parallelism.
  const elastic =
    spec.completionMode === 'Indexed' && spec.completions === spec.parallelism && prev.completions === prev.parallelism;
  if (!elastic) causes.push(...immutable('spec.completions', spec.completions, prev.completions));
  // A suspended Job that never started may have its template adjusted (scheduling directives).
  if (!(prev.suspend === true && !old.status?.startTime))
    causes.push(...immutable('spec.template', spec.template, prev.template));
  return causes;
}

/** CronJob on create. */
export function validateCronJob(obj: KubeObject): Cause[] {
  const causes: Cause[] = [];
  const name = obj.metadata?.name;
  if (typeof name === 'string' && name.length > CRONJOB_NAME_MAX)
    causes.push(invalid('metadata.name', name, maxLenError(CRONJOB_NAME_MAX)));
  const spec: KubeObject = isObject(obj.spec) ? obj.spec : {};
  causes.push(...validateCronJobSpec(spec));
  return causes;
}

function validateCronJobSpec(spec: KubeObject): Cause[] {
  const causes: Cause[] = [];
  const schedule = spec.schedule;
  if (typeof schedule !== 'string' || schedule.length === 0) causes.push(required('spec.schedule'));
  else if (schedule.includes('TZ'))
    causes.push(invalid('spec.schedule', schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
  else {
    const err = cronScheduleError(schedule);
    if (err) causes.push(invalid('spec.schedule', schedule, err));
  }
  if (spec.timeZone != null && (typeof spec.timeZone !== 'string' || !/^[A-Za-z0-9_+\-/]+$/.test(spec.timeZone))) {
    causes.push(invalid('spec.timeZone', spec.timeZone, 'unknown time zone ' + String(spec.timeZone)));
  }
  causes.push(...oneOf('spec.concurrencyPolicy', spec.concurrencyPolicy, ['Allow', 'Forbid', 'Replace']));
  for (const f of ['startingDeadlineSeconds', 'successfulJobsHistoryLimit', 'failedJobsHistoryLimit'])
    causes.push(...nonNegative(at('spec', f), spec[f]));
  const jobTemplate = isObject(spec.jobTemplate) ? spec.jobTemplate : undefined;
  if (!jobTemplate) causes.push(required('spec.jobTemplate'));
  else causes.push(...validateJobSpec(jobTemplate.spec, 'spec.jobTemplate.spec', { generatedSelector: true }));
  return causes;
}

/** CronJob on update: the same rules as on create (every field is mutable). */
export function validateCronJobUpdate(obj: KubeObject): Cause[] {
  return validateCronJobSpec(isObject(obj.spec) ? obj.spec : {});
}
