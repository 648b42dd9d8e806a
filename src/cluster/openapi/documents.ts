// GET /openapi/v3 and /openapi/v3/{api/v1 | apis/<group>/<version>}: documents built once, on first request,
// serialized once, and served with a content hash both in the index URLs (kubectl caches by it) and as ETag.
import { createHash } from 'node:crypto';
import { allResources, groupVersions } from '../resources/catalog.js';
import { addResourcePaths, groupVersionTag } from './paths.js';
import { defaultSchemaRegistry, type JsonSchema, type SchemaRegistry } from './schema-registry.js';

/** A serialized document with its validators. */
export interface ServedDocument {
  /** The JSON text. */
  body: string;
  /** Uppercase hex SHA-512 of the body, as kube-apiserver computes it. */
  hash: string;
  /** The ETag header value (quoted hash). */
  etag: string;
}

/** The OpenAPI v3 endpoint's content. */
export interface OpenApiV3 {
  /** The `/openapi/v3` index: `{ paths: { "api/v1": { serverRelativeURL } } }`. */
  index(): ServedDocument;
  /** The document of a group/version path (`api/v1`, `apis/apps/v1`), or undefined if none is served. */
  document(gvPath: string): ServedDocument | undefined;
  /** The parsed document (for in-process users such as tests and the patch code). */
  parsed(gvPath: string): JsonSchema | undefined;
}

/** `api/v1` for core, `apis/<group>/<version>` otherwise. */
export function groupVersionPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

function serve(doc: unknown): ServedDocument {
  const body = JSON.stringify(doc);
  const hash = createHash('sha512').update(body).digest('hex').toUpperCase();
  return { body, hash, etag: `"${hash}"` };
}

/** Builds the OpenAPI document of one group/version from the registry. */
export function buildGroupVersionDocument(group: string, version: string, registry: SchemaRegistry): JsonSchema {
  const paths: Record<string, JsonSchema> = {};
  const roots = new Set<string>();
  for (const r of allResources()) {
    if (r.group !== group || r.version !== version) continue;
    addResourcePaths(paths, r, registry);
  }
  // Every schema an operation refers to, and everything those refer to.
  const collect = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(collect);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === '$ref' && typeof x === 'string') roots.add(x.slice('#/components/schemas/'.length));
        else collect(x);
      }
    }
  };
  collect(paths);
  const schemas: Record<string, JsonSchema> = {};
  for (const name of [...registry.closure(roots)].sort()) schemas[name] = registry.schemas.get(name)!;
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: registry.specVersion },
    paths,
    components: {
      schemas,
      securitySchemes: {
        BearerToken: {
          type: 'apiKey',
          description: 'Bearer Token authentication',
          name: 'authorization',
          in: 'header',
        },
      },
    },
    security: [{ BearerToken: [] }],
    tags: [{ name: groupVersionTag(group, version) }],
  };
}

/** An OpenApiV3 over a registry (default: the shared one built from the client-node package). */
export function createOpenApiV3(registry: () => SchemaRegistry = defaultSchemaRegistry): OpenApiV3 {
  const parsedDocs = new Map<string, JsonSchema>();
  const served = new Map<string, ServedDocument>();
  let indexDoc: ServedDocument | undefined;
  const known = new Map(groupVersions().map((gv) => [groupVersionPath(gv.group, gv.version), gv]));
  const parsed = (gvPath: string): JsonSchema | undefined => {
    const gv = known.get(gvPath);
    if (!gv) return undefined;
    let doc = parsedDocs.get(gvPath);
    if (!doc) parsedDocs.set(gvPath, (doc = buildGroupVersionDocument(gv.group, gv.version, registry())));
    return doc;
  };
  const document = (gvPath: string): ServedDocument | undefined => {
    let s = served.get(gvPath);
    if (!s) {
      const doc = parsed(gvPath);
      if (!doc) return undefined;
      served.set(gvPath, (s = serve(doc)));
    }
    return s;
  };
  return {
    parsed,
    document,
    index() {
      if (!indexDoc) {
        const paths: Record<string, { serverRelativeURL: string }> = {};
        for (const p of known.keys()) paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${document(p)!.hash}` };
        indexDoc = serve({ paths });
      }
      return indexDoc;
    },
  };
}

let shared: OpenApiV3 | undefined;

/** The process-wide OpenApiV3 (documents are built once and shared by all requests). */
export function defaultOpenApiV3(): OpenApiV3 {
  return (shared ??= createOpenApiV3());
}
