// AES-256-GCM encryption at rest, in the spirit of Kubernetes' `aesgcm` provider: every write gets a fresh
// random 96-bit nonce, the etcd key is authenticated data (a value copied under another key fails to
// decrypt), and values start with `k8s:enc:aesgcm:v1:berth:` so plaintext written before encryption was
// enabled still reads back. The 32-byte key lives in a file in the state dir, created 0600 on first use.
import fs from 'node:fs';
import path from 'node:path';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Transformer } from './transformer.js';

export const AES_GCM_PREFIX = 'k8s:enc:aesgcm:v1:berth:';
const PREFIX_BYTES = Buffer.from(AES_GCM_PREFIX, 'utf8');
const NONCE = 12;
const TAG = 16;

/** Reads the base64 key in keyFile, creating it (0600, 32 random bytes) when it does not exist. */
export function loadOrCreateKey(keyFile: string): Buffer {
  fs.mkdirSync(path.dirname(keyFile), { recursive: true, mode: 0o700 });
  if (!fs.existsSync(keyFile)) {
    // Written aside, then hard-linked into place: link fails if the file exists, so two starting processes
    // can neither both create a key nor read a half-written one.
    const tmp = `${keyFile}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    fs.writeFileSync(tmp, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    try {
      fs.linkSync(tmp, keyFile);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      fs.unlinkSync(tmp);
    }
  }
  const key = Buffer.from(fs.readFileSync(keyFile, 'utf8').trim(), 'base64');
  if (key.length !== 32) throw new Error(`encryption key ${keyFile} must hold 32 base64-encoded bytes, found ${key.length}`);
  return key;
}

/** An AES-256-GCM transformer using key (32 bytes). */
export function aesGcmTransformer(key: Buffer): Transformer {
  if (key.length !== 32) throw new Error('AES-256-GCM needs a 32-byte key');
  return {
    toStorage(etcdKey, bytes) {
      const nonce = randomBytes(NONCE);
      const cipher = createCipheriv('aes-256-gcm', key, nonce);
      cipher.setAAD(Buffer.from(etcdKey, 'utf8'));
      const sealed = Buffer.concat([cipher.update(bytes), cipher.final()]);
      return Buffer.concat([PREFIX_BYTES, nonce, sealed, cipher.getAuthTag()]);
    },
    fromStorage(etcdKey, bytes) {
      if (bytes.length < PREFIX_BYTES.length || !bytes.subarray(0, PREFIX_BYTES.length).equals(PREFIX_BYTES)) return bytes;
      const body = bytes.subarray(PREFIX_BYTES.length);
      if (body.length < NONCE + TAG) throw new Error(`encrypted value at ${etcdKey} is truncated`);
      const decipher = createDecipheriv('aes-256-gcm', key, body.subarray(0, NONCE));
      decipher.setAAD(Buffer.from(etcdKey, 'utf8'));
      decipher.setAuthTag(body.subarray(body.length - TAG));
      try {
        return Buffer.concat([decipher.update(body.subarray(NONCE, body.length - TAG)), decipher.final()]);
      } catch {
        throw new Error(`cannot decrypt the value at ${etcdKey}: wrong key or tampered data`);
      }
    },
  };
}

/** The transformer for a key file in the state dir (created on first use). */
export function aesGcmTransformerFromFile(keyFile: string): Transformer {
  return aesGcmTransformer(loadOrCreateKey(keyFile));
}
