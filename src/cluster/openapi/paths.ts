// The `paths` of a group/version document: one entry per REST endpoint of each resource, each operation
// tagged with `x-kubernetes-group-version-kind` and `x-kubernetes-action`. kubectl relies on two details:
// `explain` finds a kind through its collection or item path, and `create/apply/edit` check that the PATCH
// operation of the kind lists a `fieldValidation` query parameter before trusting the server to validate.
import type { GroupVersionKind, ResourceInfo, SubresourceInfo } from '../resources/types.js';
import { PATCH, refTo, type JsonSchema, type SchemaRegistry } from './schema-registry.js';

const STATUS = 'io.k8s.apimachinery.pkg.apis.meta.v1.Status';
const DELETE_OPTIONS = 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions';
const PATCH_TYPES = [
  'application/apply-patch+yaml',
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
];

const query = (name: string, type: 'string' | 'integer' | 'boolean', description: string) => ({
  name,
  in: 'query',
  description,
  schema: { type, uniqueItems: true },
});
const pathParam = (name: string, description: string) => ({
  name,
  in: 'path',
  description,
  required: true,
  schema: { type: 'string', uniqueItems: true },
});

const PRETTY = query('pretty', 'string', "If 'true', the output is pretty printed.");
const DRY_RUN = query(
  'dryRun',
  'string',
  "When present, the change is validated but not persisted. The only valid value is 'All'.",
);
const FIELD_MANAGER = query(
  'fieldManager',
  'string',
  'The name of the actor making the change, recorded in managedFields.',
);
const FIELD_VALIDATION = query(
  'fieldValidation',
  'string',
  'How the server treats unknown or duplicate fields in the object: Ignore (drop them), Warn (drop them and ' +
    'send a warning header per field) or Strict (refuse the request with 400 BadRequest).',
);
const FORCE = query(
  'force',
  'boolean',
  'Server-side apply only: take ownership of fields other managers own instead of failing with a conflict.',
);
const LIST_PARAMS = [
  query('allowWatchBookmarks', 'boolean', 'Ask for BOOKMARK events on watches.'),
  query('continue', 'string', 'The continue token of the previous page of a paginated list.'),
  query('fieldSelector', 'string', 'Restrict the returned objects by their fields.'),
  query('labelSelector', 'string', 'Restrict the returned objects by their labels.'),
  query(
    'limit',
    'integer',
    'The maximum number of objects of one page; more pages are announced by metadata.continue.',
  ),
  query('resourceVersion', 'string', 'Where a list or watch starts in the history of the collection.'),
  query('resourceVersionMatch', 'string', 'How resourceVersion is applied to a list: Exact or NotOlderThan.'),
  query('sendInitialEvents', 'boolean', 'Start a watch with synthetic ADDED events for the current state.'),
  query('timeoutSeconds', 'integer', 'How long a list or watch call may last.'),
  query('watch', 'boolean', 'Watch for changes instead of listing.'),
];
const DELETE_PARAMS = [
  DRY_RUN,
  query('gracePeriodSeconds', 'integer', 'Seconds before the object is deleted; zero deletes at once.'),
  query('orphanDependents', 'boolean', 'Deprecated: use propagationPolicy.'),
  query('propagationPolicy', 'string', 'What happens to dependents: Orphan, Background or Foreground.'),
];

/** The tag and operationId stem of a group/version: `coreV1`, `appsV1`, `rbacAuthorizationV1`. */
export function groupVersionTag(group: string, version: string): string {
  const words = (group ? group.replace(/\.k8s\.io$/, '') : 'core').split(/[.-]/);
  const stem = words.map((w, i) => (i === 0 ? w : w.charAt(0).toUpperCase() + w.slice(1))).join('');
  return `${stem}${version.charAt(0).toUpperCase()}${version.slice(1)}`;
}

interface OpSpec {
  verb: string;
  action: string;
  gvk: GroupVersionKind;
  name: string;
  description: string;
  params?: unknown[];
  body?: JsonSchema;
  responses: Record<string, JsonSchema | undefined>;
}

function operation(tag: string, s: OpSpec): JsonSchema {
  const upper = tag.charAt(0).toUpperCase() + tag.slice(1);
  const responses: Record<string, unknown> = {};
  for (const [code, schema] of Object.entries(s.responses)) {
    responses[code] = schema
      ? {
          description: code === '201' ? 'Created' : code === '202' ? 'Accepted' : 'OK',
          content: { 'application/json': { schema } },
        }
      : { description: 'OK' };
  }
  responses['401'] = { description: 'Unauthorized' };
  return {
    tags: [tag],
    description: s.description,
    operationId: `${s.verb}${upper}${s.name}`,
    parameters: s.params ?? [],
    ...(s.body ? { requestBody: s.body } : {}),
    responses,
    'x-kubernetes-action': s.action,
    'x-kubernetes-group-version-kind': { ...s.gvk },
  };
}

const jsonBody = (name: string) => ({
  content: { 'application/json': { schema: { $ref: refTo(name) } } },
  required: true,
});
const patchBody = () => ({
  content: Object.fromEntries(PATCH_TYPES.map((t) => [t, { schema: { $ref: refTo(PATCH) } }])),
  required: true,
});

/** Adds every path of one resource (collection, item, subresources) to `paths`. */
export function addResourcePaths(paths: Record<string, JsonSchema>, r: ResourceInfo, registry: SchemaRegistry): void {
  const tag = groupVersionTag(r.group, r.version);
  const prefix = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  const base = r.namespaced ? `${prefix}/namespaces/{namespace}/${r.resource}` : `${prefix}/${r.resource}`;
  const ns = r.namespaced ? 'Namespaced' : '';
  const gvk = { group: r.group, version: r.version, kind: r.kind };
  const kindName = registry.kindSchemaName(gvk)!;
  const listName = registry.kindSchemaName({ ...gvk, kind: r.listKind })!;
  const ref = (n: string) => ({ $ref: refTo(n) });
  const scopeParams = [
    ...(r.namespaced ? [pathParam('namespace', 'object name and auth scope, such as for teams and projects')] : []),
    PRETTY,
  ];
  const write = [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION];
  paths[base] = {
    parameters: scopeParams,
    get: operation(tag, {
      verb: 'list',
      action: 'list',
      gvk,
      name: `${ns}${r.kind}`,
      description: `list or watch objects of kind ${r.kind}`,
      params: LIST_PARAMS,
      responses: { '200': ref(listName) },
    }),
    post: operation(tag, {
      verb: 'create',
      action: 'post',
      gvk,
      name: `${ns}${r.kind}`,
      description: `create a ${r.kind}`,
      params: write,
      body: jsonBody(kindName),
      responses: { '200': ref(kindName), '201': ref(kindName), '202': ref(kindName) },
    }),
    ...(r.verbs.includes('deletecollection')
      ? {
          delete: operation(tag, {
            verb: 'deletecollection',
            action: 'deletecollection',
            gvk,
            name: `${ns}${r.kind}`,
            description: `delete collection of ${r.kind}`,
            params: [...DELETE_PARAMS, ...LIST_PARAMS.filter((p) => p.name !== 'watch')],
            body: { content: { 'application/json': { schema: ref(DELETE_OPTIONS) } } },
            responses: { '200': ref(STATUS) },
          }),
        }
      : {}),
  };
  if (r.namespaced) {
    paths[`${prefix}/${r.resource}`] = {
      parameters: [PRETTY],
      get: operation(tag, {
        verb: 'list',
        action: 'list',
        gvk,
        name: `${r.kind}ForAllNamespaces`,
        description: `list or watch objects of kind ${r.kind}`,
        params: LIST_PARAMS,
        responses: { '200': ref(listName) },
      }),
    };
  }
  const itemParams = [pathParam('name', `name of the ${r.kind}`), ...scopeParams];
  paths[`${base}/{name}`] = {
    parameters: itemParams,
    get: operation(tag, {
      verb: 'read',
      action: 'get',
      gvk,
      name: `${ns}${r.kind}`,
      description: `read the specified ${r.kind}`,
      responses: { '200': ref(kindName) },
    }),
    put: operation(tag, {
      verb: 'replace',
      action: 'put',
      gvk,
      name: `${ns}${r.kind}`,
      description: `replace the specified ${r.kind}`,
      params: write,
      body: jsonBody(kindName),
      responses: { '200': ref(kindName), '201': ref(kindName) },
    }),
    patch: operation(tag, {
      verb: 'patch',
      action: 'patch',
      gvk,
      name: `${ns}${r.kind}`,
      description: `partially update the specified ${r.kind}`,
      params: [...write, FORCE],
      body: patchBody(),
      responses: { '200': ref(kindName), '201': ref(kindName) },
    }),
    delete: operation(tag, {
      verb: 'delete',
      action: 'delete',
      gvk,
      name: `${ns}${r.kind}`,
      description: `delete a ${r.kind}`,
      params: DELETE_PARAMS,
      body: { content: { 'application/json': { schema: ref(DELETE_OPTIONS) } } },
      responses: { '200': ref(STATUS), '202': ref(STATUS) },
    }),
  };
  for (const sub of r.subresources)
    addSubresourcePath(paths, `${base}/{name}/${sub.name}`, tag, `${ns}${r.kind}`, sub, itemParams, registry);
}

function addSubresourcePath(
  paths: Record<string, JsonSchema>,
  path: string,
  tag: string,
  stem: string,
  sub: SubresourceInfo,
  params: unknown[],
  registry: SchemaRegistry,
): void {
  const name = `${stem}${sub.name.charAt(0).toUpperCase()}${sub.name.slice(1)}`;
  const schema = registry.kindSchemaName(sub.kind);
  const ref = schema ? { $ref: refTo(schema) } : undefined;
  const write = [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION];
  const entry: JsonSchema = { parameters: params };
  const gvk = sub.kind;
  if (sub.nodeFacing) {
    // Streaming endpoints (log, exec, attach, portforward): a raw stream, or a protocol upgrade.
    for (const v of sub.verbs) {
      const method = v === 'create' ? 'post' : 'get';
      entry[method] = operation(tag, {
        verb: 'connect',
        action: sub.name === 'log' ? 'get' : 'connect',
        gvk,
        name: `${method === 'post' ? 'Post' : 'Get'}${name}`,
        description: `connect to ${sub.name} of the specified object`,
        responses: { '200': { type: 'string' } },
      });
    }
  } else {
    if (sub.verbs.includes('get'))
      entry.get = operation(tag, {
        verb: 'read',
        action: 'get',
        gvk,
        name,
        description: `read ${sub.name} of the specified object`,
        responses: { '200': ref },
      });
    if (sub.verbs.includes('update'))
      entry.put = operation(tag, {
        verb: 'replace',
        action: 'put',
        gvk,
        name,
        description: `replace ${sub.name} of the specified object`,
        params: write,
        ...(ref ? { body: jsonBody(schema!) } : {}),
        responses: { '200': ref, '201': ref },
      });
    if (sub.verbs.includes('patch'))
      entry.patch = operation(tag, {
        verb: 'patch',
        action: 'patch',
        gvk,
        name,
        description: `partially update ${sub.name} of the specified object`,
        params: [...write, FORCE],
        body: patchBody(),
        responses: { '200': ref, '201': ref },
      });
    if (sub.verbs.includes('create'))
      entry.post = operation(tag, {
        verb: 'create',
        action: 'post',
        gvk,
        name,
        description: `create ${sub.name} of the specified object`,
        params: write,
        responses: { '200': ref, '201': ref, '202': ref },
      });
  }
  paths[path] = entry;
}
