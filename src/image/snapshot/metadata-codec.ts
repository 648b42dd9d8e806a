// The on-disk record of one snapshot (one JSON file per key under <root>/metadata/). Decoding validates every
// field: a damaged record is reported as DataLoss naming its file instead of surfacing later as a bad mount.
import { ImageError } from '../errors.js';
import type { SnapshotInfo, SnapshotKind } from './types.js';

export interface SnapshotRecord {
  /** The numbered directory <root>/snapshots/<id>. */
  id: number;
  key: string;
  parent?: string;
  kind: SnapshotKind;
  labels: Record<string, string>;
  createdAt: string;
}

const KINDS: readonly SnapshotKind[] = ['committed', 'active', 'view'];

/** Validates caller-supplied labels (string to string). */
export function checkLabels(labels: unknown, key: string): Record<string, string> {
  if (labels === undefined) return {};
  if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) {
    throw new ImageError(`labels of snapshot "${key}" must be an object of strings`, 'InvalidArgument');
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) {
    if (typeof v !== 'string') {
      throw new ImageError(`label "${k}" of snapshot "${key}" must be a string, not ${typeof v}`, 'InvalidArgument');
    }
    out[k] = v;
  }
  return out;
}

/** The JSON text stored for a record. */
export function encodeRecord(r: SnapshotRecord): string {
  const { id, key, parent, kind, labels, createdAt } = r;
  return `${JSON.stringify({ id, key, ...(parent !== undefined ? { parent } : {}), kind, labels, createdAt }, null, 1)}\n`;
}

/** Parses and validates a record read from `file`; DataLoss when it is damaged. */
export function decodeRecord(text: string, file: string): SnapshotRecord {
  const bad = (why: string) => new ImageError(
    `snapshot metadata ${file} is damaged (${why}); remove the file and the snapshot it describes`, 'DataLoss');
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw bad(`not JSON: ${(e as Error).message}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad('not an object');
  const o = v as Record<string, unknown>;
  if (!Number.isSafeInteger(o.id) || (o.id as number) < 1) throw bad('"id" is not a positive integer');
  if (typeof o.key !== 'string' || o.key === '') throw bad('"key" is not a non-empty string');
  if (o.parent !== undefined && (typeof o.parent !== 'string' || o.parent === '')) throw bad('"parent" is not a string');
  if (!KINDS.includes(o.kind as SnapshotKind)) throw bad(`"kind" is ${JSON.stringify(o.kind)}`);
  if (typeof o.createdAt !== 'string' || Number.isNaN(Date.parse(o.createdAt))) throw bad('"createdAt" is not a date');
  let labels: Record<string, string>;
  try {
    labels = checkLabels(o.labels ?? {}, o.key);
  } catch (e) {
    throw bad((e as Error).message);
  }
  return {
    id: o.id as number, key: o.key, ...(o.parent !== undefined ? { parent: o.parent as string } : {}),
    kind: o.kind as SnapshotKind, labels, createdAt: o.createdAt,
  };
}

/** The public view of a record. */
export function toInfo(r: SnapshotRecord): SnapshotInfo {
  return {
    key: r.key, ...(r.parent !== undefined ? { parent: r.parent } : {}), kind: r.kind, labels: { ...r.labels },
    createdAt: r.createdAt,
  };
}
