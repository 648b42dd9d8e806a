// `--user name|uid[:group|gid]` resolved against the container's own /etc/passwd and /etc/group, as Docker does.
import fs from 'node:fs';
import path from 'node:path';
import { EngineError } from '../errors.js';

export interface ResolvedUser { uid: number; gid: number; additionalGids: number[]; home: string }

interface PasswdEntry { name: string; uid: number; gid: number; home: string }
interface GroupEntry { name: string; gid: number; members: string[] }

/** Parses passwd text (name:x:uid:gid:gecos:home:shell). */
export function parsePasswd(text: string): PasswdEntry[] {
  return text.split('\n').flatMap((line) => {
    const f = line.split(':');
    if (f.length < 7 || line.startsWith('#')) return [];
    return [{ name: f[0]!, uid: Number(f[2]), gid: Number(f[3]), home: f[5]! }];
  });
}

/** Parses group text (name:x:gid:member,member). */
export function parseGroup(text: string): GroupEntry[] {
  return text.split('\n').flatMap((line) => {
    const f = line.split(':');
    if (f.length < 4 || line.startsWith('#')) return [];
    return [{ name: f[0]!, gid: Number(f[2]), members: f[3]! ? f[3]!.split(',') : [] }];
  });
}

function readIn(rootfs: string, file: string): string {
  try {
    return fs.readFileSync(path.join(rootfs, file), 'utf8');
  } catch {
    return '';
  }
}

const numeric = (s: string) => /^\d+$/.test(s);

/** Resolves `spec` (Docker's User field) plus --group-add against the files of `rootfs`. */
export function resolveUser(rootfs: string, spec: string, groupAdd: string[] = []): ResolvedUser {
  const passwd = parsePasswd(readIn(rootfs, 'etc/passwd'));
  const groups = parseGroup(readIn(rootfs, 'etc/group'));
  const [userPart = '', groupPart] = spec.split(':');
  let uid = 0;
  let gid = 0;
  let home = '/';
  let name: string | undefined;
  if (userPart === '') {
    const root = passwd.find((p) => p.uid === 0);
    name = root?.name ?? 'root';
    home = root?.home ?? '/root';
  } else if (numeric(userPart)) {
    uid = Number(userPart);
    const p = passwd.find((e) => e.uid === uid);
    gid = p?.gid ?? 0;
    home = p?.home ?? '/';
    name = p?.name;
  } else {
    const p = passwd.find((e) => e.name === userPart);
    if (!p) throw new EngineError(`unable to find user ${userPart}: no matching entries in passwd file`, 'InvalidArgument');
    uid = p.uid;
    gid = p.gid;
    home = p.home;
    name = p.name;
  }
  if (groupPart !== undefined && groupPart !== '') gid = groupId(groups, groupPart);
  const additional = new Set<number>();
  // Supplementary groups from /etc/group apply only when the group was not given explicitly (Docker's rule).
  if (name && groupPart === undefined) for (const g of groups) if (g.members.includes(name) && g.gid !== gid) additional.add(g.gid);
  for (const g of groupAdd) additional.add(groupId(groups, g));
  return { uid, gid, additionalGids: [...additional], home };
}

function groupId(groups: GroupEntry[], g: string): number {
  if (numeric(g)) return Number(g);
  const e = groups.find((x) => x.name === g);
  if (!e) throw new EngineError(`unable to find group ${g}: no matching entries in group file`, 'InvalidArgument');
  return e.gid;
}
