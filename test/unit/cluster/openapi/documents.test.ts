import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createOpenApiV3, groupVersionPath } from '../../../../src/cluster/openapi/documents.js';
import { listTypeFor, mergeKeyFor } from '../../../../src/cluster/openapi/merge-keys.js';
import { defaultSchemaRegistry } from '../../../../src/cluster/openapi/schema-registry.js';
import { allResources, groupVersions } from '../../../../src/cluster/resources/catalog.js';

const openapi = createOpenApiV3();

test('the index lists every served group/version with a hash URL', () => {
  const idx = JSON.parse(openapi.index().body);
  const expected = groupVersions()
    .map((gv) => groupVersionPath(gv.group, gv.version))
    .sort();
  assert.deepEqual(Object.keys(idx.paths).sort(), expected);
  assert.ok(
    expected.includes('api/v1') && expected.includes('apis/apps/v1') && expected.includes('apis/autoscaling/v2'),
  );
  for (const [p, entry] of Object.entries<any>(idx.paths)) {
    const doc = openapi.document(p)!;
    assert.equal(entry.serverRelativeURL, `/openapi/v3/${p}?hash=${doc.hash}`);
    assert.match(doc.hash, /^[0-9A-F]{128}$/);
    assert.equal(doc.etag, `"${doc.hash}"`);
  }
  assert.equal(openapi.document('apis/nope/v1'), undefined);
  assert.equal(openapi.index(), openapi.index(), 'built once');
});

test('every kind has a PATCH operation with its GVK and a fieldValidation query parameter', () => {
  for (const r of allResources()) {
    const doc = openapi.parsed(groupVersionPath(r.group, r.version))!;
    const gvk = { group: r.group, version: r.version, kind: r.kind };
    const patches = Object.values<any>(doc.paths).filter(
      (p) => p.patch && JSON.stringify(p.patch['x-kubernetes-group-version-kind']) === JSON.stringify(gvk),
    );
    assert.ok(patches.length >= 1, `${r.kind} ${r.version} has a PATCH`);
    for (const p of patches) {
      assert.ok(
        p.patch.parameters.some((x: any) => x.name === 'fieldValidation' && x.in === 'query'),
        `${r.kind} fieldValidation`,
      );
      assert.ok(
        p.patch.requestBody.content['application/strategic-merge-patch+json'],
        `${r.kind} accepts strategic merge patch`,
      );
      assert.equal(p.patch['x-kubernetes-action'], 'patch');
    }
    // kubectl explain finds the GVK through the collection or item path and the schema through the GVK.
    const prefix = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
    const item = r.namespaced
      ? `${prefix}/namespaces/{namespace}/${r.resource}/{name}`
      : `${prefix}/${r.resource}/{name}`;
    assert.deepEqual(doc.paths[item].get['x-kubernetes-group-version-kind'], gvk, item);
    const schemas = Object.values<any>(doc.components.schemas).filter((s) =>
      (s['x-kubernetes-group-version-kind'] ?? []).some((g: any) => JSON.stringify(g) === JSON.stringify(gvk)),
    );
    assert.equal(schemas.length, 1, `${r.kind} schema`);
  }
});

test('every $ref of a document resolves inside that document', () => {
  for (const gv of groupVersions()) {
    const doc = openapi.parsed(groupVersionPath(gv.group, gv.version))!;
    const refs = new Set<string>();
    JSON.stringify(doc, (k, v) => {
      if (k === '$ref') refs.add(v);
      return v;
    });
    for (const ref of refs)
      assert.ok(doc.components.schemas[ref.replace('#/components/schemas/', '')], `${gv.group}/${gv.version}: ${ref}`);
  }
});

test('scale subresources speak autoscaling/v1 Scale', () => {
  const doc = openapi.parsed('apis/apps/v1')!;
  const scale = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale'];
  assert.deepEqual(scale.patch['x-kubernetes-group-version-kind'], {
    group: 'autoscaling',
    version: 'v1',
    kind: 'Scale',
  });
  assert.ok(doc.components.schemas['io.k8s.api.autoscaling.v1.Scale']);
  assert.equal(doc.paths['/apis/apps/v1/namespaces/{namespace}/daemonsets/{name}/scale'], undefined);
});

test("Pod's schema: containers with descriptions, required names, merge keys, enums", () => {
  const schemas = openapi.parsed('api/v1')!.components.schemas;
  const pod = schemas['io.k8s.api.core.v1.Pod'];
  assert.deepEqual(pod['x-kubernetes-group-version-kind'], [{ group: '', version: 'v1', kind: 'Pod' }]);
  assert.match(pod.description, /Pod is a collection of containers/);
  const spec = schemas['io.k8s.api.core.v1.PodSpec'];
  const containers = spec.properties.containers;
  assert.equal(containers.type, 'array');
  assert.equal(containers.items.$ref, '#/components/schemas/io.k8s.api.core.v1.Container');
  assert.match(containers.description, /List of containers belonging to the pod/);
  assert.equal(containers['x-kubernetes-patch-merge-key'], 'name');
  assert.equal(containers['x-kubernetes-patch-strategy'], 'merge');
  assert.deepEqual(spec.required, ['containers']);
  const container = schemas['io.k8s.api.core.v1.Container'];
  assert.match(container.properties.image.description, /Container image name/);
  assert.deepEqual(container.required, ['name']);
  assert.deepEqual(container.properties.imagePullPolicy.enum, ['Always', 'IfNotPresent', 'Never']);
  assert.equal(container.properties.ports['x-kubernetes-patch-merge-key'], 'containerPort');
  assert.equal(container.properties.volumeMounts['x-kubernetes-patch-merge-key'], 'mountPath');
  assert.equal(schemas['io.k8s.api.core.v1.ServiceSpec'].properties.ports['x-kubernetes-patch-merge-key'], 'port');
  assert.equal(spec.properties.volumes['x-kubernetes-patch-strategy'], 'merge,retainKeys');
});

test('mergeKeyFor follows field paths through templates and lists', () => {
  const pod = { group: '', version: 'v1', kind: 'Pod' };
  const deploy = { group: 'apps', version: 'v1', kind: 'Deployment' };
  assert.deepEqual(mergeKeyFor(pod, 'spec.containers'), { strategy: 'merge', key: 'name' });
  assert.deepEqual(mergeKeyFor(pod, 'spec.containers[0].ports'), { strategy: 'merge', key: 'containerPort' });
  assert.deepEqual(mergeKeyFor(pod, ['spec', 'containers', 'volumeMounts']), { strategy: 'merge', key: 'mountPath' });
  assert.deepEqual(mergeKeyFor(pod, 'spec.containers.env'), { strategy: 'merge', key: 'name' });
  assert.deepEqual(mergeKeyFor(pod, 'metadata.finalizers'), { strategy: 'merge' });
  assert.deepEqual(mergeKeyFor(pod, 'metadata.ownerReferences'), { strategy: 'merge', key: 'uid' });
  assert.deepEqual(mergeKeyFor(pod, 'status.conditions'), { strategy: 'merge', key: 'type' });
  assert.deepEqual(mergeKeyFor(deploy, 'spec.template.spec.initContainers'), { strategy: 'merge', key: 'name' });
  assert.deepEqual(mergeKeyFor(deploy, 'spec.strategy'), { strategy: 'retainKeys' });
  assert.deepEqual(mergeKeyFor({ group: '', version: 'v1', kind: 'Service' }, 'spec.ports'), {
    strategy: 'merge',
    key: 'port',
  });
  assert.deepEqual(
    mergeKeyFor({ group: 'batch', version: 'v1', kind: 'CronJob' }, 'spec.jobTemplate.spec.template.spec.containers'),
    { strategy: 'merge', key: 'name' },
  );
  assert.equal(mergeKeyFor(pod, 'spec.tolerations'), undefined, 'replaced whole');
  assert.equal(mergeKeyFor(pod, 'spec.nope'), undefined);
  assert.equal(mergeKeyFor({ group: 'x', version: 'v1', kind: 'Nope' }, 'spec'), undefined);
});

test('the schemas come from the Kubernetes 1.32 models', () => {
  assert.equal(defaultSchemaRegistry().specVersion, 'v1.32.0');
  assert.equal(JSON.parse(openapi.document('api/v1')!.body).info.version, 'v1.32.0');
});

test('listTypeFor gives server-side apply its list semantics', () => {
  const pod = { group: '', version: 'v1', kind: 'Pod' };
  assert.deepEqual(listTypeFor(pod, 'spec.containers'), { type: 'map', keys: ['name'] });
  assert.deepEqual(listTypeFor(pod, 'spec.containers[0].ports'), { type: 'map', keys: ['containerPort', 'protocol'] });
  assert.deepEqual(listTypeFor(pod, 'metadata.finalizers'), { type: 'set' });
  assert.deepEqual(listTypeFor(pod, 'spec.containers[0].args'), { type: 'atomic' });
  assert.deepEqual(listTypeFor({ group: '', version: 'v1', kind: 'Service' }, 'spec.ports'), {
    type: 'map',
    keys: ['port', 'protocol'],
  });
  assert.equal(listTypeFor(pod, 'spec.restartPolicy'), undefined);
});
