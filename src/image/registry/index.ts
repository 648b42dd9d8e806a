// The registry client: references go in as `domain` + `path`, bytes come out verified where they can be.
export { createRegistryClient, type RegistryClient, type RegistryClientOptions } from './client.js';
export {
  credentialSource,
  credentialsFor,
  readCredentials,
  saveCredentials,
  removeCredentials,
  login,
  dockerConfigDir,
  authKeyFor,
  normalizeAuthKey,
  type CredentialFileOptions,
} from './credentials.js';
export { defaultCertsDirs, defaultInsecureRegistries, isLoopbackHost } from './host-config.js';
export { MAX_MANIFEST_BYTES } from './manifest-ops.js';
export type * from './types.js';
