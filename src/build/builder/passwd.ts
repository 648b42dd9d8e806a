// User and group names resolved in an image's /etc/passwd and /etc/group (COPY --chown, RUN's USER), as Docker's
// builder does: numbers are taken as they are, names must exist in the image.
import fs from 'node:fs';
import { BuildError } from './errors.js';
import { resolveInRoot } from './scoped-path.js';

interface Entry {
  name: string;
  id: number;
  gid?: number;
}

function readDb(rootfs: string, file: string): Entry[] {
  let text: string;
  try {
    text = fs.readFileSync(resolveInRoot(rootfs, file), 'utf8');
  } catch {
    return [];
  }
  const out: Entry[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length < 3 || f[0]!.startsWith('#')) continue;
    const id = Number(f[2]);
    if (!Number.isInteger(id)) continue;
    const e: Entry = { name: f[0]!, id };
    if (file === '/etc/passwd' && f[3] !== undefined && Number.isInteger(Number(f[3]))) e.gid = Number(f[3]);
    out.push(e);
  }
  return out;
}

const isNumber = (s: string) => /^\d+$/.test(s);

function lookup(rootfs: string, file: '/etc/passwd' | '/etc/group', name: string, what: string): Entry {
  if (isNumber(name)) return { name, id: Number(name) };
  const hit = readDb(rootfs, file).find((e) => e.name === name);
  if (!hit) throw new BuildError(`unable to find ${what} ${name}: no matching entries in ${what === 'user' ? 'passwd' : 'group'} file`);
  return hit;
}

/** `--chown=user[:group]`: without a group, the user string is looked up as the group too (Docker's rule). */
export function resolveChown(rootfs: string, spec: string): { uid: number; gid: number } {
  const [user, group = user] = spec.split(':', 2) as [string, string?];
  return { uid: lookup(rootfs, '/etc/passwd', user, 'user').id, gid: lookup(rootfs, '/etc/group', group!, 'group').id };
}

/** USER for a process: `user[:group]`; without a group, the user's primary group (root: 0). */
export function resolveUser(rootfs: string, spec: string): { uid: number; gid: number; additionalGids: number[] } {
  if (spec === '') return { uid: 0, gid: 0, additionalGids: [] };
  const [user, group] = spec.split(':', 2) as [string, string?];
  const u = isNumber(user) ? (readDb(rootfs, '/etc/passwd').find((e) => e.id === Number(user)) ?? { name: user, id: Number(user), gid: 0 })
    : lookup(rootfs, '/etc/passwd', user, 'user');
  const gid = group !== undefined ? lookup(rootfs, '/etc/group', group, 'group').id : (u.gid ?? 0);
  return { uid: u.id, gid, additionalGids: [] };
}
