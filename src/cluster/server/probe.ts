// Asking a running API server something over HTTPS as the admin (readiness for `up` and `status`).
import fs from 'node:fs';
import https from 'node:https';
import type { Pki } from '../auth/pki.js';

/** GET url+path with the admin certificate; resolves with status and body, or undefined when unreachable. */
export function adminGet(pki: Pki, url: string, path: string, timeoutMs = 2000): Promise<{ status: number; body: string } | undefined> {
  return new Promise((resolve) => {
    let req: ReturnType<typeof https.get>;
    try {
      req = https.get(
        new URL(path, url),
        {
          ca: fs.readFileSync(pki.caCert),
          cert: fs.readFileSync(pki.adminCert),
          key: fs.readFileSync(pki.adminKey),
          timeout: timeoutMs,
          agent: false,
        },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (body += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          res.on('error', () => resolve(undefined));
        },
      );
    } catch {
      resolve(undefined);
      return;
    }
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
}

/** True when /readyz answers 200. */
export async function isReady(pki: Pki, url: string): Promise<boolean> {
  return (await adminGet(pki, url, '/readyz'))?.status === 200;
}
