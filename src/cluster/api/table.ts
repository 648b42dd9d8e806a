// Server-side printing (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`): kubectl's human output is
// whatever Table the server returns, so each kind's columns and cell formats follow Kubernetes' printers.
// The server always fills every column, wide ones (priority 1) included; kubectl hides those without -o wide.
import type { KubeObject, ResourceInfo } from '../resources/index.js';
import { ageOf } from './age.js';
import { AGE_COLUMN, NAME_COLUMN, type Printer } from './table-columns.js';
import { podPrinter } from './table-pods.js';
import { workloadPrinters } from './table-workloads.js';
import { corePrinters } from './table-core.js';

/** Name and Age: what kinds without their own printer show. */
export const defaultPrinter: Printer = {
  columns: [NAME_COLUMN, AGE_COLUMN],
  cells: (obj, now) => [obj.metadata?.name ?? '', ageOf(obj.metadata?.creationTimestamp, now)],
};

const PRINTERS: Record<string, Printer> = {
  '/pods': podPrinter,
  ...workloadPrinters,
  ...corePrinters,
};

/** The printer of a resource (keyed by group and plural; versions of one kind print alike). */
export function printerFor(info: Pick<ResourceInfo, 'group' | 'resource'>): Printer {
  return PRINTERS[`${info.group}/${info.resource}`] ?? defaultPrinter;
}

export type IncludeObject = 'None' | 'Metadata' | 'Object';

/** An object reduced to its metadata, as Table rows carry it by default. */
export function partialObjectMetadata(obj: KubeObject): KubeObject {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata ?? {} };
}

export interface TableOptions {
  now: Date;
  includeObject?: IncludeObject;
  /** List metadata (resourceVersion, continue, remainingItemCount) for the Table's own metadata. */
  listMeta?: KubeObject;
  /** Leave out columnDefinitions (watch events after the first). */
  noColumns?: boolean;
}

/** A metav1.Table of objects of one resource. */
export function buildTable(info: Pick<ResourceInfo, 'group' | 'resource'>, objects: KubeObject[], opts: TableOptions): KubeObject {
  const printer = printerFor(info);
  const include = opts.includeObject ?? 'Metadata';
  const rows = objects.map((obj) => {
    const row: KubeObject = { cells: printer.cells(obj, opts.now) };
    if (include === 'Metadata') row.object = partialObjectMetadata(obj);
    else if (include === 'Object') row.object = obj;
    return row;
  });
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: opts.listMeta ?? {},
    columnDefinitions: opts.noColumns ? [] : printer.columns,
    rows,
  };
}
