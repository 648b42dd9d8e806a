// Path elements of server-side apply's field sets, in structured-merge-diff's forms: a struct or map field
// (`f:name`), a list-map item by its keys (`k:{"containerPort":80,"protocol":"TCP"}`), a set item by value
// (`v:"foregroundDeletion"`) and an atomic list position (`i:0`). They print as `.spec.replicas`,
// `[name="nginx"]`, `[="x"]`, `[0]` in conflict messages, and sort in the order FieldsV1 is written.

/** One step of a field path. */
export type PathElement =
  | { kind: 'field'; name: string }
  | { kind: 'key'; keys: [string, unknown][] }
  | { kind: 'value'; value: unknown }
  | { kind: 'index'; index: number };

/** A field path from an object's root. */
export type FieldPath = readonly PathElement[];

/** A struct or map field. */
export const fieldPE = (name: string): PathElement => ({ kind: 'field', name });

/** A list-map item identified by its key fields (sorted by name, as structured-merge-diff keeps them). */
export function keyPE(keys: [string, unknown][]): PathElement {
  return { kind: 'key', keys: [...keys].sort((a, b) => compareStrings(a[0], b[0])) };
}

/** Go's encoding/json text for a value: sorted object keys, `<`, `>`, `&` and U+2028/9 escaped. */
export function goJson(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return `[${v.map(goJson).join(',')}]`;
  if (typeof v === 'object') {
    const keys = Object.keys(v as object).sort(compareStrings);
    return `{${keys.map((k) => `${goJsonString(k)}:${goJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  if (typeof v === 'string') return goJsonString(v);
  return JSON.stringify(v);
}

function goJsonString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The FieldsV1 key of a path element (`f:name`, `k:{…}`, `v:…`, `i:0`). */
export function peKey(pe: PathElement): string {
  switch (pe.kind) {
    case 'field':
      return `f:${pe.name}`;
    case 'key':
      return `k:{${pe.keys.map(([n, v]) => `${goJsonString(n)}:${goJson(v)}`).join(',')}}`;
    case 'value':
      return `v:${goJson(pe.value)}`;
    case 'index':
      return `i:${pe.index}`;
  }
}

/** Parses a FieldsV1 key; throws on malformed keys. */
export function parsePeKey(key: string): PathElement {
  const body = key.slice(2);
  switch (key.slice(0, 2)) {
    case 'f:':
      return fieldPE(body);
    case 'k:': {
      const obj = JSON.parse(body) as Record<string, unknown>;
      if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new Error(`invalid key path element: ${key}`);
      return keyPE(Object.entries(obj));
    }
    case 'v:':
      return { kind: 'value', value: JSON.parse(body) };
    case 'i:': {
      const index = Number(body);
      if (!Number.isInteger(index)) throw new Error(`invalid index path element: ${key}`);
      return { kind: 'index', index };
    }
    default:
      throw new Error(`unknown path element type: ${key}`);
  }
}

/** Byte-wise string order, as Go's strings.Compare. */
export function compareStrings(a: string, b: string): number {
  const ba = Buffer.from(a);
  const bb = Buffer.from(b);
  return Buffer.compare(ba, bb);
}

function valueRank(v: unknown): number {
  if (typeof v === 'number') return 0;
  if (typeof v === 'string') return 1;
  if (typeof v === 'boolean') return 2;
  if (Array.isArray(v)) return 3;
  if (v !== null && typeof v === 'object') return 4;
  return 5;
}

/** structured-merge-diff's total order of values: numbers, strings, booleans, lists, maps, null. */
export function compareValues(a: unknown, b: unknown): number {
  const ra = valueRank(a);
  const rb = valueRank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case 0:
      return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
    case 1:
      return compareStrings(a as string, b as string);
    case 2:
      return a === b ? 0 : a ? 1 : -1;
    case 3: {
      const la = a as unknown[];
      const lb = b as unknown[];
      for (let i = 0; i < Math.min(la.length, lb.length); i++) {
        const c = compareValues(la[i], lb[i]);
        if (c) return c;
      }
      return Math.sign(la.length - lb.length);
    }
    case 4: {
      const ea = Object.entries(a as object).sort((x, y) => compareStrings(x[0], y[0]));
      const eb = Object.entries(b as object).sort((x, y) => compareStrings(x[0], y[0]));
      return compareKeyLists(ea, eb);
    }
    default:
      return 0;
  }
}

function compareKeyLists(a: [string, unknown][], b: [string, unknown][]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = compareStrings(a[i]![0], b[i]![0]) || compareValues(a[i]![1], b[i]![1]);
    if (c) return c;
  }
  return Math.sign(a.length - b.length);
}

const KIND_RANK = { field: 0, key: 1, value: 2, index: 3 } as const;

/** The order of path elements in a set: fields by name, then keyed items, values, indexes. */
export function comparePE(a: PathElement, b: PathElement): number {
  if (a.kind !== b.kind) return KIND_RANK[a.kind] < KIND_RANK[b.kind] ? -1 : 1;
  switch (a.kind) {
    case 'field':
      return compareStrings(a.name, (b as typeof a).name);
    case 'key':
      return compareKeyLists(a.keys, (b as typeof a).keys);
    case 'value':
      return compareValues(a.value, (b as typeof a).value);
    case 'index':
      return Math.sign(a.index - (b as typeof a).index);
  }
}

/** A value as structured-merge-diff prints it in paths (`"nginx"`, `80`, `true`). */
function valueString(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(valueString).join(',')}]`;
  if (typeof v === 'object') return `{${Object.entries(v).map(([k, e]) => `${k}=${valueString(e)}`).join(',')}}`;
  return String(v);
}

/** One path element as text (`.name`, `[name="nginx"]`, `[="x"]`, `[0]`). */
export function peString(pe: PathElement): string {
  switch (pe.kind) {
    case 'field':
      return `.${pe.name}`;
    case 'key':
      return `[${pe.keys.map(([n, v]) => `${n}=${valueString(v)}`).join(',')}]`;
    case 'value':
      return `[=${valueString(pe.value)}]`;
    case 'index':
      return `[${pe.index}]`;
  }
}

/** A path as text: `.spec.template.spec.containers[name="nginx"].image`. */
export function pathString(path: FieldPath): string {
  return path.map(peString).join('');
}
