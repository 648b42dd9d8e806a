// Rows of the workload kinds (apps/v1, batch/v1) with Kubernetes' columns: Deployment Ready/Up-to-date/
// Available, ReplicaSet Desired/Current/Ready, Job Status/Completions/Duration, CronJob Schedule/Suspend/…
// and, for -o wide, the pod template's containers and images and the selector.
import type { KubeObject } from '../resources/index.js';
import { ageOf, ageOrNone, humanDuration } from './age.js';
import { AGE_COLUMN, NAME_COLUMN, col, containerCells, formatLabels, int, type Printer } from './table-columns.js';
import { formatLabelSelector } from './selectors.js';

const CONTAINERS = col('Containers', 'string', 'Names of each container in the template.', 1);
const IMAGES = col('Images', 'string', 'Images referenced by each container in the template.', 1);
const SELECTOR = col('Selector', 'string', 'Label selector for the pods this object manages.', 1);

const name = (o: KubeObject): string => o.metadata?.name ?? '';
const age = (o: KubeObject, now: Date): string => ageOf(o.metadata?.creationTimestamp, now);
const selectorText = (s: KubeObject | undefined): string => (s ? formatLabelSelector(s) : '<none>');

/** Deployments (`kubectl get deploy`). */
const deploymentPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Ready', 'string', 'Number of ready replicas out of the desired number.'),
    col('Up-to-date', 'integer', 'Total number of replicas that run the current pod template.'),
    col('Available', 'integer', 'Total number of available replicas (ready for at least minReadySeconds).'),
    AGE_COLUMN,
    CONTAINERS,
    IMAGES,
    SELECTOR,
  ],
  cells(o, now) {
    const [containers, images] = containerCells(o.spec?.template?.spec);
    return [
      name(o),
      `${int(o.status?.readyReplicas)}/${int(o.spec?.replicas)}`,
      int(o.status?.updatedReplicas),
      int(o.status?.availableReplicas),
      age(o, now),
      containers,
      images,
      selectorText(o.spec?.selector),
    ];
  },
};

/** ReplicaSets (`kubectl get rs`). */
const replicaSetPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Desired', 'integer', 'Number of desired replicas.'),
    col('Current', 'integer', 'Number of replicas that exist.'),
    col('Ready', 'integer', 'Number of ready replicas.'),
    AGE_COLUMN,
    CONTAINERS,
    IMAGES,
    SELECTOR,
  ],
  cells(o, now) {
    const [containers, images] = containerCells(o.spec?.template?.spec);
    return [
      name(o),
      int(o.spec?.replicas),
      int(o.status?.replicas),
      int(o.status?.readyReplicas),
      age(o, now),
      containers,
      images,
      selectorText(o.spec?.selector),
    ];
  },
};

/** StatefulSets. */
const statefulSetPrinter: Printer = {
  columns: [NAME_COLUMN, col('Ready', 'string', 'Number of ready replicas out of the desired number.'), AGE_COLUMN, CONTAINERS, IMAGES],
  cells(o, now) {
    const [containers, images] = containerCells(o.spec?.template?.spec);
    return [name(o), `${int(o.status?.readyReplicas)}/${int(o.spec?.replicas)}`, age(o, now), containers, images];
  },
};

/** DaemonSets. */
const daemonSetPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Desired', 'integer', 'Number of nodes that should run the daemon pod.'),
    col('Current', 'integer', 'Number of nodes running at least one daemon pod.'),
    col('Ready', 'integer', 'Number of nodes with a ready daemon pod.'),
    col('Up-to-date', 'integer', 'Number of nodes running the updated daemon pod.'),
    col('Available', 'integer', 'Number of nodes with an available daemon pod.'),
    col('Node Selector', 'string', 'The node selector of the pod template.'),
    AGE_COLUMN,
    CONTAINERS,
    IMAGES,
    SELECTOR,
  ],
  cells(o, now) {
    const [containers, images] = containerCells(o.spec?.template?.spec);
    const s = o.status ?? {};
    return [
      name(o),
      int(s.desiredNumberScheduled),
      int(s.currentNumberScheduled),
      int(s.numberReady),
      int(s.updatedNumberScheduled),
      int(s.numberAvailable),
      formatLabels(o.spec?.template?.spec?.nodeSelector),
      age(o, now),
      containers,
      images,
      selectorText(o.spec?.selector),
    ];
  },
};

const hasCondition = (o: KubeObject, type: string): boolean =>
  Array.isArray(o.status?.conditions) && o.status.conditions.some((c: KubeObject) => c.type === type && c.status === 'True');

/** The Status cell of a Job. */
export function jobStatus(o: KubeObject): string {
  if (hasCondition(o, 'Complete')) return 'Complete';
  if (hasCondition(o, 'Failed')) return 'Failed';
  if (o.metadata?.deletionTimestamp) return 'Terminating';
  if (hasCondition(o, 'Suspended')) return 'Suspended';
  if (hasCondition(o, 'FailureTarget')) return 'FailureTarget';
  if (hasCondition(o, 'SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  return 'Running';
}

/** The Completions cell of a Job: `1/3`, or `0/1 of 2` for parallel jobs without a completion count. */
export function jobCompletions(o: KubeObject): string {
  const succeeded = int(o.status?.succeeded);
  if (typeof o.spec?.completions === 'number') return `${succeeded}/${o.spec.completions}`;
  const parallelism = int(o.spec?.parallelism);
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

function jobDuration(o: KubeObject, now: Date): string {
  const start = Date.parse(o.status?.startTime ?? '');
  if (Number.isNaN(start)) return '';
  const end = Date.parse(o.status?.completionTime ?? '');
  return humanDuration((Number.isNaN(end) ? now.getTime() : end) - start);
}

/** Jobs. */
const jobPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Status', 'string', 'Status of the job.'),
    col('Completions', 'string', 'The number of successfully completed pods out of the desired number.'),
    col('Duration', 'string', 'Time the job took (or has been running) to complete.'),
    AGE_COLUMN,
    CONTAINERS,
    IMAGES,
    SELECTOR,
  ],
  cells(o, now) {
    const [containers, images] = containerCells(o.spec?.template?.spec);
    return [name(o), jobStatus(o), jobCompletions(o), jobDuration(o, now), age(o, now), containers, images, selectorText(o.spec?.selector)];
  },
};

/** CronJobs. */
const cronJobPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Schedule', 'string', 'The schedule in Cron format.'),
    col('Timezone', 'string', 'The time zone the schedule is interpreted in.'),
    col('Suspend', 'boolean', 'Whether subsequent executions are suspended.'),
    col('Active', 'integer', 'Number of currently running jobs.'),
    col('Last Schedule', 'string', 'When the job was last scheduled.'),
    AGE_COLUMN,
    CONTAINERS,
    IMAGES,
    SELECTOR,
  ],
  cells(o, now) {
    const jobSpec = o.spec?.jobTemplate?.spec;
    const [containers, images] = containerCells(jobSpec?.template?.spec);
    const suspend = o.spec?.suspend;
    return [
      name(o),
      o.spec?.schedule ?? '',
      o.spec?.timeZone || '<none>',
      suspend === undefined || suspend === null ? '<unset>' : suspend ? 'True' : 'False',
      Array.isArray(o.status?.active) ? o.status.active.length : 0,
      ageOrNone(o.status?.lastScheduleTime, now),
      age(o, now),
      containers,
      images,
      selectorText(jobSpec?.selector),
    ];
  },
};

/** Printers of the workload kinds, keyed by `group/resource`. */
export const workloadPrinters: Record<string, Printer> = {
  'apps/deployments': deploymentPrinter,
  'apps/replicasets': replicaSetPrinter,
  'apps/statefulsets': statefulSetPrinter,
  'apps/daemonsets': daemonSetPrinter,
  'batch/jobs': jobPrinter,
  'batch/cronjobs': cronJobPrinter,
};
