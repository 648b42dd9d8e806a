// ADD <url>: the file is downloaded (redirects followed) into the build's scratch dir; it gets mode 0600 and the
// server's Last-Modified as its mtime, and is named after the URL path's last element, as Docker does.
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BuildError } from './errors.js';
import type { CopySource } from './copy-sources.js';

export function isUrl(src: string): boolean {
  return /^https?:\/\//i.test(src);
}

/** Downloads `url` into `dir`; the caller removes the file. */
export async function downloadSource(url: string, dir: string): Promise<CopySource> {
  let res: Response;
  try {
    res = await fetch(url, { redirect: 'follow' });
  } catch (e) {
    throw new BuildError(`ADD failed: cannot download ${url}: ${(e as Error).message}`, undefined, { cause: e });
  }
  if (!res.ok || !res.body) throw new BuildError(`ADD failed: cannot download ${url}: the server answered ${res.status} ${res.statusText}`);
  const name = path.posix.basename(new URL(res.url || url).pathname);
  if (!name) throw new BuildError(`ADD failed: cannot determine a filename from the URL ${url}: give a destination file name`);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, `download-${randomBytes(8).toString('hex')}`);
  await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), fs.createWriteStream(file, { mode: 0o600 }));
  const lastModified = res.headers.get('last-modified');
  const mtime = lastModified ? new Date(lastModified) : undefined;
  const source: CopySource = { abs: file, name, isDir: false, mode: 0o600 };
  if (mtime && !Number.isNaN(mtime.getTime())) source.mtime = mtime;
  return source;
}
