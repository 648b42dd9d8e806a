// Value transformers sit between the object store's JSON bytes and etcd, so a resource's values can be
// encrypted at rest without the store knowing how. Each transformer must read back values it did not write
// (plaintext from before encryption was enabled), which is why encrypted values carry a recognisable prefix.

/** Turns stored bytes into etcd bytes and back; key is the etcd key (used as authenticated data). */
export interface Transformer {
  toStorage(key: string, bytes: Buffer): Buffer;
  fromStorage(key: string, bytes: Buffer): Buffer;
}

/** Stores bytes unchanged. */
export const identityTransformer: Transformer = {
  toStorage: (_key, bytes) => bytes,
  fromStorage: (_key, bytes) => bytes,
};

/** Applies inner to writes under the given key prefixes only (e.g. `/registry/secrets/`); reads are always
 *  passed to inner, which recognises its own values and leaves the rest alone. */
export function prefixScopedTransformer(prefixes: string[], inner: Transformer): Transformer {
  return {
    toStorage: (key, bytes) => (prefixes.some((p) => key.startsWith(p)) ? inner.toStorage(key, bytes) : bytes),
    fromStorage: (key, bytes) => inner.fromStorage(key, bytes),
  };
}
