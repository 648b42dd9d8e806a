// The resources layer's public surface: catalog, defaulting, validation and unknown-field detection.
export * from './types.js';
export {
  allResources,
  apiVersionOf,
  findByKind,
  findByShortName,
  findKind,
  findResource,
  groupVersions,
  gvkOf,
  parseApiVersion,
  qualifiedKind,
  qualifiedResource,
  resolveResource,
  resourcesInCategory,
} from './catalog.js';
export { applyDefaults, defaultPullPolicy, podQOSClass, prepareJobForCreate } from './defaults/index.js';
export {
  validateCreate,
  validateUpdate,
  invalidMessage,
  invalidStatus,
  causeText,
  cronScheduleError,
  selectorMatches,
} from './validation/index.js';
export { unknownFields, strictDecodingMessage, unknownFieldWarnings } from './schema.js';
export { generateObjectName } from './generate-name.js';
export { nextGeneration, preserveSystemMetadata, specChanged } from './generation.js';
export { SCALE_KIND, STANDARD_VERBS } from './groups/define.js';
export { parseQuantity, compareQuantities, quantityValue } from './quantity.js';
