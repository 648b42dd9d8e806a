// Image references: parsing, normalization and display (Docker's rules).
export {
  type ImageReference,
  DEFAULT_DOMAIN,
  DEFAULT_TAG,
  parseReference,
  formatReference,
  familiarName,
  familiarString,
  withDefaultTag,
  normalizeReference,
  registryEndpointHost,
} from './parse.js';
