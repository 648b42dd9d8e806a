// The OpenAPI layer's public surface: the served documents, the schemas behind them and patch metadata.
export {
  createOpenApiV3,
  defaultOpenApiV3,
  buildGroupVersionDocument,
  groupVersionPath,
  type OpenApiV3,
  type ServedDocument,
} from './documents.js';
export {
  buildSchemaRegistry,
  catalogRoots,
  defaultSchemaRegistry,
  type JsonSchema,
  type SchemaRegistry,
} from './schema-registry.js';
export {
  fileModelSource,
  memoryModelSource,
  locateModelsDir,
  type ModelSource,
  type ModelFiles,
} from './model-source.js';
export { mergeKeyFor, listTypeFor, fieldSchemaFor } from './merge-keys.js';
export type { ListType, PatchMeta } from './field-extensions.js';
