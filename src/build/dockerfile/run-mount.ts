// `RUN --mount=type=cache,target=/root/.cache,sharing=locked` → a RunMount. The value is a CSV record of
// key=value fields (quotes allowed, as Docker reads it with a CSV reader); keys are case-insensitive.

import { SyntaxProblem } from './errors.js';
import type { CacheSharing, MountType, RunMount } from './types.js';

const MOUNT_TYPES: readonly MountType[] = ['bind', 'cache', 'tmpfs', 'secret', 'ssh'];
const SHARING: readonly CacheSharing[] = ['shared', 'private', 'locked'];
const KEYS = ['type', 'from', 'source', 'src', 'target', 'dst', 'destination', 'readonly', 'ro', 'readwrite', 'rw',
  'required', 'size', 'id', 'sharing', 'mode', 'uid', 'gid', 'env'];

/**
 * Parses one --mount value. `expand` substitutes variables in each value; without it (at parse time) values
 * that contain `$` are not validated yet, since they may only become valid once expanded.
 */
export function parseRunMount(spec: string, expand?: (word: string) => string): RunMount {
  const mount: RunMount = { type: 'bind', readOnly: true };
  let readOnlySet = false;
  // At parse time a value with `$` is left for later, and so are the checks that could depend on it.
  let deferred = false;
  for (const field of csvFields(spec)) {
    const eq = field.indexOf('=');
    const key = (eq < 0 ? field : field.slice(0, eq)).toLowerCase();
    if (eq < 0) {
      if (key === 'readonly' || key === 'ro') mount.readOnly = true;
      else if (key === 'readwrite' || key === 'rw') mount.readOnly = false;
      else if (key === 'required') {
        if (!deferred) requireSecretOrSsh(mount, key);
        mount.required = true;
      } else throw new SyntaxProblem(`invalid field '${field}' must be a key=value pair`);
      if (key !== 'required') readOnlySet = true;
      continue;
    }
    const raw = field.slice(eq + 1);
    if (key === 'from' && !expand && /\$./.test(raw)) {
      throw new SyntaxProblem(`'from' doesn't support variable expansion, define alias stage instead`);
    }
    if (!expand && raw.includes('$') && key !== 'from') {
      if (!KEYS.includes(key)) throw unexpectedKey(key, field);
      deferred = true;
      continue; // validated when the builder expands the instruction
    }
    const value = expand ? expand(raw) : raw;
    switch (key) {
      case 'type': {
        const type = value.toLowerCase() as MountType;
        if (!MOUNT_TYPES.includes(type)) {
          throw new SyntaxProblem(`unsupported mount type "${value}" (use ${MOUNT_TYPES.join(', ')})`);
        }
        mount.type = type;
        break;
      }
      case 'from':
        mount.from = value;
        break;
      case 'source':
      case 'src':
        mount.source = value;
        break;
      case 'target':
      case 'dst':
      case 'destination':
        mount.target = value;
        break;
      case 'readonly':
      case 'ro':
        mount.readOnly = parseBool(key, value);
        readOnlySet = true;
        break;
      case 'readwrite':
      case 'rw':
        mount.readOnly = !parseBool(key, value);
        readOnlySet = true;
        break;
      case 'required':
        if (!deferred) requireSecretOrSsh(mount, key);
        mount.required = parseBool(key, value);
        break;
      case 'size':
        if (mount.type !== 'tmpfs' && !deferred) throw new SyntaxProblem(`unexpected key '${key}' for mount type '${mount.type}'`);
        mount.size = ramInBytes(value, key);
        break;
      case 'id':
        mount.id = value;
        break;
      case 'sharing': {
        const sharing = value.toLowerCase() as CacheSharing;
        if (!SHARING.includes(sharing)) {
          throw new SyntaxProblem(`unsupported sharing value "${value}" (use ${SHARING.join(', ')})`);
        }
        mount.sharing = sharing;
        break;
      }
      case 'mode':
        mount.mode = parseUnsigned(value, 8, 'mode');
        break;
      case 'uid':
        mount.uid = parseUnsigned(value, 10, 'uid');
        break;
      case 'gid':
        mount.gid = parseUnsigned(value, 10, 'gid');
        break;
      case 'env':
        mount.env = value;
        break;
      default:
        throw unexpectedKey(key, field);
    }
  }
  return finish(mount, readOnlySet, deferred);
}

function finish(mount: RunMount, readOnlySet: boolean, deferred: boolean): RunMount {
  // cache and tmpfs mounts are writable unless asked otherwise; bind, secret and ssh are read-only
  if (!readOnlySet) mount.readOnly = !(mount.type === 'cache' || mount.type === 'tmpfs');
  if (deferred) return mount;
  const ownerAllowed = mount.type === 'secret' || mount.type === 'ssh' || mount.type === 'cache';
  if (!ownerAllowed) {
    for (const key of ['mode', 'uid', 'gid'] as const) {
      if (mount[key] !== undefined) throw new SyntaxProblem(`${key} not allowed for "${mount.type}" type mounts`);
    }
  }
  if (mount.type === 'secret') {
    if (mount.from !== undefined) throw new SyntaxProblem('secret mount should not have a from');
    if (mount.sharing !== undefined) throw new SyntaxProblem('secret mount should not define sharing');
    if (mount.source === undefined && mount.target === undefined && mount.id === undefined) {
      throw new SyntaxProblem('invalid secret mount. one of source, target required');
    }
    if (mount.source !== undefined && mount.id !== undefined) throw new SyntaxProblem("both source and id can't be set");
  }
  if (mount.sharing !== undefined && mount.type !== 'cache') {
    throw new SyntaxProblem(`invalid cache sharing set for ${mount.type} mount`);
  }
  return mount;
}

function requireSecretOrSsh(mount: RunMount, key: string): void {
  if (mount.type !== 'secret' && mount.type !== 'ssh') {
    throw new SyntaxProblem(`unexpected key '${key}' for mount type '${mount.type}'`);
  }
}

function unexpectedKey(key: string, field: string): SyntaxProblem {
  return new SyntaxProblem(`unexpected key '${key}' in '${field}' (known keys: ${KEYS.join(', ')})`);
}

/** Go's strconv.ParseBool. */
function parseBool(key: string, value: string): boolean {
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(value)) return false;
  throw new SyntaxProblem(`invalid value for ${key}: ${value}`);
}

function parseUnsigned(value: string, base: 8 | 10, key: string): number {
  const re = base === 8 ? /^[0-7]+$/ : /^\d+$/;
  const n = re.test(value) ? parseInt(value, base) : NaN;
  if (!Number.isSafeInteger(n) || n > 0xffffffff) throw new SyntaxProblem(`invalid value ${value} for ${key}`);
  return n;
}

/** Sizes as Docker's RAMInBytes reads them: 64m, 1g, 512k, 1.5GiB (binary multiples). */
export function ramInBytes(value: string, key = 'size'): number {
  const m = /^(\d+(?:\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$/.exec(value);
  if (!m) throw new SyntaxProblem(`invalid value for ${key}: ${value}`);
  const power = m[2] === undefined ? 0 : 'kmgtp'.indexOf(m[2].toLowerCase()) + 1;
  return Math.trunc(parseFloat(m[1]!) * 1024 ** power);
}

/** Splits one CSV record: commas separate fields, double quotes group (a doubled quote is a literal quote). */
export function csvFields(text: string): string[] {
  const fields: string[] = [];
  let field = '';
  let i = 0;
  let atFieldStart = true;
  while (i <= text.length) {
    if (i === text.length) {
      fields.push(field);
      break;
    }
    const ch = text[i]!;
    if (atFieldStart && ch === '"') {
      // quoted field
      i++;
      for (;;) {
        if (i >= text.length) throw new SyntaxProblem(`failed to parse csv mounts: extraneous or missing " in quoted-field: ${text}`);
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += text[i++];
      }
      if (i < text.length && text[i] !== ',') throw new SyntaxProblem(`failed to parse csv mounts: extraneous or missing " in quoted-field: ${text}`);
      atFieldStart = false;
      continue;
    }
    if (ch === ',') {
      fields.push(field);
      field = '';
      atFieldStart = true;
      i++;
      continue;
    }
    if (ch === '"') throw new SyntaxProblem(`failed to parse csv mounts: bare " in non-quoted-field: ${text}`);
    field += ch;
    atFieldStart = false;
    i++;
  }
  return fields;
}
