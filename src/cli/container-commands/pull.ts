// Pulling through the daemon as `docker run` does when an image is missing: POST /images/create with
// fromImage/tag and the caller's registry credentials in X-Registry-Auth (base64url JSON), progress shown
// from the jsonmessage stream.
import { displayJsonMessages, type EngineClient } from '../../engine/client/index.js';

/** The X-Registry-Auth header for a registry from ~/.docker/config.json (an empty object when none are stored). */
async function registryAuth(domain: string): Promise<string> {
  const { readCredentials } = await import('../../image/registry/credentials.js');
  const c = await readCredentials(domain).catch(() => undefined);
  const doc = c
    ? { ...(c.username ? { username: c.username } : {}), ...(c.password ? { password: c.password } : {}), ...(c.identityToken ? { identitytoken: c.identityToken } : {}), ...(c.registryToken ? { registrytoken: c.registryToken } : {}), serveraddress: domain }
    : {};
  return Buffer.from(JSON.stringify(doc)).toString('base64url');
}

/** Pulls `image` through the daemon, drawing progress on `out` (nothing when quiet). */
export async function pullThroughDaemon(client: EngineClient, image: string, out: NodeJS.WriteStream, opts: { quiet?: boolean; platform?: string } = {}): Promise<void> {
  const { parseReference } = await import('../../image/reference/parse.js');
  const ref = parseReference(image);
  const fromImage = `${ref.domain}/${ref.path}`;
  const res = await client.request('POST', '/images/create', {
    query: { fromImage, tag: ref.digest ?? ref.tag ?? 'latest', ...(opts.platform ? { platform: opts.platform } : {}) },
    headers: { 'X-Registry-Auth': await registryAuth(ref.domain) },
  });
  await displayJsonMessages(res, out, { quiet: opts.quiet ?? false });
}

/** Docker's display of a reference the user typed: "busybox" → "busybox:latest". */
export async function withDefaultTag(image: string): Promise<string> {
  const { parseReference, familiarString, withDefaultTag: addTag } = await import('../../image/reference/parse.js');
  try {
    return familiarString(addTag(parseReference(image)));
  } catch {
    return image;
  }
}
