// What every kind's Table printer is built from: column definitions and the cell formats kubectl prints
// (`<none>`, comma-joined containers and images, sorted label lists).
import type { KubeObject } from '../resources/index.js';

/** One column definition (metav1.TableColumnDefinition). */
export interface Column {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format: string;
  description: string;
  priority: number;
}

/** How one kind prints: its columns, and one row's cells for an object at `now`. */
export interface Printer {
  columns: Column[];
  cells(obj: KubeObject, now: Date): unknown[];
}

/** A column; priority 1 makes it wide-only. */
export function col(name: string, type: Column['type'], description: string, priority = 0, format = ''): Column {
  return { name, type, format, description, priority };
}

/** The Name column every kind starts with (format `name` lets kubectl print `pod/x`). */
export const NAME_COLUMN = col('Name', 'string', 'Name must be unique within a namespace.', 0, 'name');
/** The Age column, from metadata.creationTimestamp. */
export const AGE_COLUMN = col('Age', 'string', 'Time since the object was created.');

/** `a,b,c` of the containers' names and images (`-o wide` Containers and Images columns). */
export function containerCells(podSpec: KubeObject | undefined): [string, string] {
  const containers: KubeObject[] = Array.isArray(podSpec?.containers) ? podSpec!.containers : [];
  return [containers.map((c) => c.name ?? '').join(','), containers.map((c) => c.image ?? '').join(',')];
}

/** `k=v,k2=v2` sorted by key, or `<none>` (labels.FormatLabels). */
export function formatLabels(labels: Record<string, string> | undefined): string {
  const entries = Object.entries(labels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return entries.length ? entries.map(([k, v]) => `${k}=${v}`).join(',') : '<none>';
}

/** An integer cell: absent numbers print as 0. */
export function int(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : 0;
}
