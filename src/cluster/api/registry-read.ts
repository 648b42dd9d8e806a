// get and list: reads straight from etcd. Lists are consistent snapshots: every page of a paginated list
// is read at the revision of the first (the `continue` token carries it), so a client following
// `metadata.continue` sees one point in time, or a 410 once that revision has been compacted.
import type { KubeObject, ResourceInfo } from '../resources/index.js';
import { isStorageError } from '../storage/errors.js';
import { decodeValue, fromStorage } from './codec.js';
import type { RegistryContext } from './context.js';
import { compileFilter, type ObjectFilter } from './selectors.js';
import { fieldValues, selectableFields } from './selectable-fields.js';
import { badRequest, expired, isFutureRevision, notFound, tooLargeResourceVersion, tooOldResourceVersion } from './status.js';
import { listPrefix, objectKey } from './storage-keys.js';

/** Reads one object; 404 when absent. */
export async function getObject(ctx: RegistryContext, info: ResourceInfo, namespace: string | undefined, name: string): Promise<KubeObject> {
  const stored = await ctx.store.get(objectKey(info, namespace, name));
  if (!stored) throw notFound(info, name);
  return fromStorage(info, stored);
}

/** Reads one object, or undefined when absent. */
export async function findObject(ctx: RegistryContext, info: ResourceInfo, namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
  const stored = await ctx.store.get(objectKey(info, namespace, name));
  return stored ? fromStorage(info, stored) : undefined;
}

export interface ListQuery {
  labelSelector?: string | null;
  fieldSelector?: string | null;
  limit?: number;
  continue?: string | null;
  resourceVersion?: string | null;
  resourceVersionMatch?: string | null;
}

export interface ListOutcome {
  items: KubeObject[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

/** Compiles a list's selectors against the resource's selectable fields (400 on errors). */
export function filterFor(info: ResourceInfo, labelSelector?: string | null, fieldSelector?: string | null): ObjectFilter {
  return compileFilter(labelSelector, fieldSelector, selectableFields(info), (o) => fieldValues(info, o));
}

interface ContinueToken {
  rv: number;
  start: string;
}

/** Kubernetes' continue token: base64url JSON `{"v":"meta.k8s.io/v1","rv":N,"start":"<key after prefix>"}`. */
export function encodeContinue(rv: number, start: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start })).toString('base64url');
}

/** Decodes a continue token (400 when malformed). */
export function decodeContinue(token: string): ContinueToken {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (t.v !== 'meta.k8s.io/v1' || typeof t.rv !== 'number' || typeof t.start !== 'string') throw new Error();
    return { rv: t.rv, start: t.start };
  } catch {
    throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
}

/** Parses a resourceVersion parameter (400 unless a non-negative integer). */
export function parseResourceVersion(rv: string): number {
  if (!/^[0-9]+$/.test(rv)) throw badRequest(`Invalid value: ${JSON.stringify(rv)}: resourceVersion must be an integer`);
  return Number(rv);
}

const CONTINUE_EXPIRED =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

/** Lists a resource (in one namespace, or all), filtered, paginated. */
export async function listObjects(ctx: RegistryContext, info: ResourceInfo, namespace: string | undefined, q: ListQuery = {}): Promise<ListOutcome> {
  const filter = filterFor(info, q.labelSelector, q.fieldSelector);
  const prefix = listPrefix(info, namespace);
  const limit = q.limit && q.limit > 0 ? q.limit : undefined;
  let revision: number | undefined;
  let continueKey: string | undefined;
  if (q.continue) {
    if (q.resourceVersion && q.resourceVersion !== '0') throw badRequest('specifying resource version is not allowed when using continue');
    const t = decodeContinue(q.continue);
    revision = t.rv;
    continueKey = prefix + t.start;
  } else if (q.resourceVersion && q.resourceVersion !== '0') {
    const rv = parseResourceVersion(q.resourceVersion);
    // Exact reads at that revision; NotOlderThan (the default without limit) is satisfied by the latest.
    if (q.resourceVersionMatch === 'Exact' || (limit && !q.resourceVersionMatch)) revision = rv;
  }
  if (q.resourceVersionMatch && !['Exact', 'NotOlderThan'].includes(q.resourceVersionMatch)) {
    throw badRequest(`resourceVersionMatch: Unsupported value: ${JSON.stringify(q.resourceVersionMatch)}: supported values: "Exact", "NotOlderThan"`);
  }

  const items: KubeObject[] = [];
  let nextKey: string | undefined;
  let remaining: number | undefined;
  for (;;) {
    let page;
    try {
      page = await ctx.store.list(prefix, { ...(limit ? { limit: filter.empty ? limit - items.length : Math.max(limit, 100) } : {}), ...(continueKey ? { continueKey } : {}), ...(revision ? { revision } : {}) });
    } catch (err) {
      if (isStorageError(err, 'Expired')) throw q.continue ? expired(CONTINUE_EXPIRED) : tooOldResourceVersion(revision ?? 0, err.compactRevision);
      if (isFutureRevision(err)) throw tooLargeResourceVersion(revision ?? 0);
      if (isStorageError(err, 'Invalid') && q.continue) throw badRequest('continue key is not valid for this list');
      throw err;
    }
    revision = page.revision;
    let stoppedAt = -1;
    for (let i = 0; i < page.items.length; i++) {
      const s = page.items[i]!;
      const obj = decodeValue(info, s.value, s.modRevision);
      if (!filter.matches(obj)) continue;
      items.push(obj);
      if (limit && items.length >= limit) {
        stoppedAt = i;
        break;
      }
    }
    if (stoppedAt >= 0) {
      const more = stoppedAt < page.items.length - 1 || page.more;
      if (more) {
        nextKey = page.items[stoppedAt]!.key + '\0';
        if (filter.empty) remaining = (page.remaining ?? 0) + (page.items.length - stoppedAt - 1);
      }
      break;
    }
    if (!page.more || !page.nextKey) break;
    continueKey = page.nextKey;
  }
  const out: ListOutcome = { items, resourceVersion: String(revision) };
  if (nextKey) {
    out.continue = encodeContinue(revision!, nextKey.slice(prefix.length));
    if (remaining !== undefined && remaining > 0) out.remainingItemCount = remaining;
  }
  return out;
}

/** The List object of a list outcome (`PodList`, …). */
export function listObject(info: ResourceInfo, r: ListOutcome): KubeObject {
  const metadata: KubeObject = { resourceVersion: r.resourceVersion };
  if (r.continue) metadata.continue = r.continue;
  if (r.remainingItemCount !== undefined) metadata.remainingItemCount = r.remainingItemCount;
  return {
    kind: info.listKind,
    apiVersion: info.group ? `${info.group}/${info.version}` : info.version,
    metadata,
    items: r.items,
  };
}
