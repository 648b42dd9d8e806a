import { test } from 'node:test';
import assert from 'node:assert/strict';
import { innerType, parseModel, referencedModels } from '../../../../src/cluster/openapi/model-parse.js';
import { buildSchemaRegistry } from '../../../../src/cluster/openapi/schema-registry.js';
import { memoryModelSource } from '../../../../src/cluster/openapi/model-source.js';

// The shape of client-node's generated files, trimmed.
function files(
  cls: string,
  doc: string,
  props: { name: string; type: string; format?: string; doc?: string; optional?: boolean }[],
) {
  const js = `export class ${cls} {}\n${cls}.attributeTypeMap = [\n${props
    .map(
      (p) =>
        `    {\n        "name": "${p.name}",\n        "baseName": "${p.name}",\n        "type": "${p.type}",\n        "format": "${p.format ?? ''}"\n    }`,
    )
    .join(',\n')}\n];\n`;
  const dts = `/**\n * Kubernetes\n * OpenAPI spec version: v1.32.0\n */\n/**\n* ${doc}\n*/\nexport declare class ${cls} {\n${props
    .map(
      (p) =>
        `${p.doc ? `    /**\n    * ${p.doc}\n    */\n` : ''}    '${p.name}'${p.optional === false ? '' : '?'}: ${p.type};`,
    )
    .join('\n')}\n    static readonly discriminator: string | undefined;\n}\n`;
  return { js, dts };
}

test('parses the field table and the doc comments', () => {
  const def = parseModel(
    'V1Thing',
    files('V1Thing', 'Thing is a thing.', [
      { name: 'name', type: 'string', doc: "The thing\\'s name.", optional: false },
      { name: 'size', type: 'number', format: 'int32', doc: 'How big.' },
      { name: 'labels', type: '{ [key: string]: string; }' },
      { name: 'parts', type: 'Array<V1Part>', doc: 'Its parts.' },
    ]),
  );
  assert.equal(def.description, 'Thing is a thing.');
  assert.deepEqual(def.properties, [
    { name: 'name', type: 'string', format: '', description: "The thing's name.", required: true },
    { name: 'size', type: 'number', format: 'int32', description: 'How big.', required: false },
    { name: 'labels', type: '{ [key: string]: string; }', format: '', required: false },
    { name: 'parts', type: 'Array<V1Part>', format: '', description: 'Its parts.', required: false },
  ]);
});

test('type helpers', () => {
  assert.equal(innerType('Array<V1Container>'), 'V1Container');
  assert.equal(innerType('{ [key: string]: Array<string>; }'), 'Array<string>');
  assert.deepEqual(referencedModels('{ [key: string]: V1Foo; }'), ['V1Foo']);
  assert.deepEqual(referencedModels('Array<string>'), []);
  assert.deepEqual(referencedModels('V1MicroTime'), []);
  assert.deepEqual(referencedModels('IntOrString'), []);
});

test('a registry over in-memory models: names, refs, required, GVK, descriptions of referenced types', () => {
  const source = memoryModelSource(
    {
      V1Widget: files('V1Widget', 'Widget is a test kind.', [
        { name: 'apiVersion', type: 'string' },
        { name: 'metadata', type: 'V1ObjectMeta' },
        { name: 'spec', type: 'V1WidgetSpec' },
      ]),
      V1WidgetList: files('V1WidgetList', 'A list.', [{ name: 'items', type: 'Array<V1Widget>', optional: false }]),
      V1WidgetSpec: files('V1WidgetSpec', 'WidgetSpec is the desired state.', [
        { name: 'port', type: 'IntOrString' },
        { name: 'when', type: 'Date' },
        { name: 'data', type: 'any' },
        { name: 'count', type: 'number', format: 'int64' },
        { name: 'ratio', type: 'number', format: 'double' },
      ]),
      V1ObjectMeta: files('V1ObjectMeta', 'ObjectMeta is metadata.', [{ name: 'name', type: 'string' }]),
    },
    'v1.32.0',
  );
  const reg = buildSchemaRegistry(source, [
    { model: 'V1Widget', group: 'example.com', gvk: { group: 'example.com', version: 'v1', kind: 'Widget' } },
    { model: 'V1WidgetList', group: 'example.com', gvk: { group: 'example.com', version: 'v1', kind: 'WidgetList' } },
  ]);
  const name = reg.kindSchemaName({ group: 'example.com', version: 'v1', kind: 'Widget' });
  assert.equal(name, 'io.k8s.api.example.v1.Widget');
  assert.equal(reg.nameOf('V1ObjectMeta'), 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
  const w = reg.schemas.get(name!)!;
  assert.deepEqual(w['x-kubernetes-group-version-kind'], [{ group: 'example.com', version: 'v1', kind: 'Widget' }]);
  assert.deepEqual(w.properties.spec, {
    $ref: '#/components/schemas/io.k8s.api.example.v1.WidgetSpec',
    description: 'WidgetSpec is the desired state.',
  });
  const spec = reg.resolve(w.properties.spec)!;
  assert.deepEqual(spec.properties.port, {
    $ref: '#/components/schemas/io.k8s.apimachinery.pkg.util.intstr.IntOrString',
  });
  assert.deepEqual(spec.properties.when, { type: 'string', format: 'date-time' });
  assert.equal(spec.properties.data['x-kubernetes-preserve-unknown-fields'], true);
  assert.deepEqual(spec.properties.count, { type: 'integer', format: 'int64' });
  assert.deepEqual(spec.properties.ratio, { type: 'number', format: 'double' });
  assert.deepEqual(reg.schemas.get('io.k8s.api.example.v1.WidgetList')!.required, ['items']);
  assert.deepEqual([...reg.closure(['io.k8s.api.example.v1.WidgetList'])].sort(), [
    'io.k8s.api.example.v1.Widget',
    'io.k8s.api.example.v1.WidgetList',
    'io.k8s.api.example.v1.WidgetSpec',
    'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
    'io.k8s.apimachinery.pkg.util.intstr.IntOrString',
  ]);
  assert.equal(reg.specVersion, 'v1.32.0');
});

test('a missing model is a clear error', () => {
  assert.throws(
    () => buildSchemaRegistry(memoryModelSource({}), [{ model: 'V1Nope', group: '' }]),
    /model V1Nope not found in the client-node package/,
  );
});
