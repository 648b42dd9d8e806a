// The writing verbs over HTTP: create (POST), update (PUT), patch (PATCH, by Content-Type), delete and
// deletecollection, plus the subresources that write (status, scale, namespace finalize, pod binding).
// Request options (dryRun, fieldManager, fieldValidation) are read here; semantics live in the registry.
import { gvkOf } from './context.js';
import type { KubeObject } from '../resources/index.js';
import { mediaTypeOf } from './negotiate.js';
import { parseJson, parseJsonOrYaml, readBody, warningHeaders, writeJson } from './http-io.js';
import { applyPatch, fieldManagerOf, patchTypeOf, serverSideApply } from './patching.js';
import { deleteCollection, deleteObject, parseDeleteOptions } from './registry-delete.js';
import { listObject } from './registry-read.js';
import { createObject, updateObject, type Subresource } from './registry-write.js';
import {
  checkFieldManager,
  checkUnknownFields,
  deleteOptionsFromQuery,
  listQueryOf,
  parseDryRun,
  parseFieldValidation,
} from './request-options.js';
import { isTrue } from './request-info.js';
import type { ResourceRequest } from './resource-handler.js';
import { respondObject } from './resource-handler.js';
import { applyScale, toScale } from './scale.js';
import { badRequest, methodNotSupported, successStatus, unsupportedMediaType } from './status.js';
import { bindPod } from './binding.js';
import { decodeProtobufRequest, isProtobufMediaType, PROTOBUF_MEDIA_TYPE } from './protobuf/index.js';

const isObject = (v: unknown): v is KubeObject => typeof v === 'object' && v !== null && !Array.isArray(v);

async function objectBody(r: ResourceRequest): Promise<KubeObject> {
  const type = mediaTypeOf(r.req.headers['content-type']);
  // kubectl's typed clients (`kubectl create namespace|secret|deployment…`, `autoscale`) send protobuf; it is
  // decoded to the JSON they would have sent, and everything after this point stays JSON-only.
  if (isProtobufMediaType(type)) return decodeProtobufRequest(await readBody(r.req));
  if (type && type !== 'application/json' && type !== 'application/yaml' && type !== '*/*') {
    throw unsupportedMediaType(type, ['application/json', 'application/yaml', PROTOBUF_MEDIA_TYPE]);
  }
  const body = type === 'application/yaml' ? await parseJsonOrYaml(await readBody(r.req)) : parseJson(await readBody(r.req));
  if (!isObject(body)) throw badRequest('the request body must be a JSON object');
  return body;
}

/** Serves create, update, patch, delete and deletecollection. */
export async function handleWrite(r: ResourceRequest): Promise<void> {
  switch (r.ri.verb) {
    case 'create':
      return r.subresource === 'binding' ? handleBinding(r) : handleCreate(r);
    case 'update':
      return handleUpdate(r);
    case 'patch':
      return handlePatch(r);
    case 'delete':
      return handleDelete(r);
    case 'deletecollection':
      return handleDeleteCollection(r);
    default:
      throw methodNotSupported(r.info, r.ri.verb);
  }
}

function writeOptions(r: ResourceRequest) {
  return {
    user: r.user,
    dryRun: parseDryRun(r.query),
    fieldManager: checkFieldManager(fieldManagerOf(r.query.get('fieldManager'), r.req.headers['user-agent'])),
  };
}

async function handleCreate(r: ResourceRequest): Promise<void> {
  const opts = writeOptions(r);
  const validation = parseFieldValidation(r.query);
  const warnings = new Set<string>();
  const body = checkUnknownFields(validation, gvkOf(r.info), await objectBody(r), warnings, true);
  const created = await createObject(r.ctx, r.info, r.namespace, body, opts);
  respondObject(r, 201, created, warningHeaders([...warnings]));
}

async function handleUpdate(r: ResourceRequest): Promise<void> {
  const opts = writeOptions(r);
  const validation = parseFieldValidation(r.query);
  const body = await objectBody(r);
  const warnings = new Set<string>();
  if (r.subresource === 'scale') {
    const out = await updateObject(r.ctx, r.info, r.namespace, r.name, (current) => applyScale(current, body), { ...opts, managedAs: 'scale' });
    return writeJson(r.res, 200, toScale(out.object));
  }
  const decoded = checkUnknownFields(validation, gvkOf(r.info), body, warnings, true);
  const out = await updateObject(r.ctx, r.info, r.namespace, r.name, () => decoded, { ...opts, subresource: r.subresource as Subresource });
  respondObject(r, out.created ? 201 : 200, out.object, warningHeaders([...warnings]));
}

async function handlePatch(r: ResourceRequest): Promise<void> {
  const opts = writeOptions(r);
  const validation = parseFieldValidation(r.query);
  const type = patchTypeOf(mediaTypeOf(r.req.headers['content-type']));
  const raw = await readBody(r.req);
  const warnings = new Set<string>();
  const gvk = gvkOf(r.info);

  if (type === 'application/apply-patch+yaml') {
    if (!r.query.get('fieldManager')) throw badRequest('PATCH, application/apply-patch+yaml requires fieldManager parameter');
    if (r.subresource === 'scale') throw unsupportedMediaType(type, ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json']);
    const applied = await parseJsonOrYaml(raw);
    if (!isObject(applied)) throw badRequest('the body of an apply patch must be an object');
    if (!applied.apiVersion || !applied.kind) throw badRequest('apiVersion and kind must be set in an apply patch');
    if (applied.metadata?.name !== undefined && applied.metadata.name !== r.name) {
      throw badRequest(`the name of the object (${applied.metadata.name}) does not match the name on the URL (${r.name})`);
    }
    const decoded = checkUnknownFields(validation, gvk, applied, warnings);
    const sso = { manager: opts.fieldManager, force: isTrue(r.query.get('force')), gvk, now: r.ctx.now(), ...(r.subresource ? { subresource: r.subresource } : {}) };
    const withName = { ...decoded, metadata: { ...(decoded.metadata ?? {}), name: r.name } };
    const out = await updateObject(r.ctx, r.info, r.namespace, r.name, (current) => serverSideApply(current, withName, sso), {
      user: r.user,
      dryRun: opts.dryRun,
      subresource: r.subresource as Subresource,
      ...(r.subresource ? {} : { createIfMissing: async () => serverSideApply(undefined, withName, sso) }),
    });
    return respondObject(r, out.created ? 201 : 200, out.object, warningHeaders([...warnings]));
  }

  const patch = parseJson(raw);
  if (r.subresource === 'scale') {
    const scaleGvk = { group: 'autoscaling', version: 'v1', kind: 'Scale' };
    const out = await updateObject(r.ctx, r.info, r.namespace, r.name, (current) => applyScale(current, applyPatch(type, toScale(current), patch, scaleGvk)), { ...opts, managedAs: 'scale' });
    return writeJson(r.res, 200, toScale(out.object));
  }
  const out = await updateObject(
    r.ctx,
    r.info,
    r.namespace,
    r.name,
    (current) => {
      const patched = applyPatch(type, current, patch, gvk);
      if (!isObject(patched)) throw badRequest('the patch did not produce an object');
      return checkUnknownFields(validation, gvk, patched, warnings);
    },
    { ...opts, subresource: r.subresource as Subresource },
  );
  respondObject(r, 200, out.object, warningHeaders([...warnings]));
}

async function deleteOptionsOf(r: ResourceRequest): Promise<{ raw: KubeObject; dryRun: boolean }> {
  // `kubectl drain` deletes pods through a typed client, with DeleteOptions as protobuf.
  const bytes = await readBody(r.req);
  const body = isProtobufMediaType(mediaTypeOf(r.req.headers['content-type'])) && bytes.length ? decodeProtobufRequest(bytes) : parseJson(bytes);
  const raw: KubeObject = isObject(body) ? { ...body } : {};
  if (body !== undefined && !isObject(body)) throw badRequest('DeleteOptions must be a JSON object');
  if (raw.kind && raw.kind !== 'DeleteOptions') throw badRequest(`the kind in the data (${raw.kind}) does not match the expected kind (DeleteOptions)`);
  Object.assign(raw, deleteOptionsFromQuery(r.query));
  const bodyDryRun: unknown[] = Array.isArray(raw.dryRun) ? raw.dryRun : [];
  for (const v of bodyDryRun) if (v !== 'All') throw badRequest(`Invalid dry run value: ${JSON.stringify(v)}: supported values: "All"`);
  return { raw, dryRun: parseDryRun(r.query) || bodyDryRun.length > 0 };
}

async function handleDelete(r: ResourceRequest): Promise<void> {
  const { raw, dryRun } = await deleteOptionsOf(r);
  const options = parseDeleteOptions(raw);
  const out = await deleteObject(r.ctx, r.info, r.namespace, r.name, options, { user: r.user, dryRun });
  // Kubernetes answers 202 when dependents will be removed after the response (orphanDependents=false).
  const code = !out.deleted && raw.orphanDependents === false ? 202 : 200;
  writeJson(r.res, code, out.object);
}

async function handleDeleteCollection(r: ResourceRequest): Promise<void> {
  const { raw, dryRun } = await deleteOptionsOf(r);
  const options = parseDeleteOptions(raw);
  const q = listQueryOf(r.query);
  const out = await deleteCollection(r.ctx, r.info, r.namespace, q, options, { user: r.user, dryRun });
  writeJson(r.res, 200, listObject(r.info, { items: out.items, resourceVersion: out.resourceVersion }));
}

async function handleBinding(r: ResourceRequest): Promise<void> {
  const opts = writeOptions(r);
  const body = await objectBody(r);
  await bindPod(r.ctx, r.info, r.namespace!, r.name, body, opts);
  writeJson(r.res, 201, successStatus());
}
