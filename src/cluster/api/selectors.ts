// Label and field selectors in Kubernetes' text syntax (`app=web,tier in (a,b),!legacy`,
// `status.phase!=Running,spec.nodeName=n1`): parsing, with 400s worded like kube-apiserver's, and matching.
import { badRequest } from './status.js';
import type { KubeObject } from '../resources/index.js';

export type LabelOperator = 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';

/** One label requirement; `=`/`==` parse as `in` with one value, `!=` as `notin`. */
export interface LabelRequirement {
  key: string;
  op: LabelOperator;
  values: string[];
}

export type FieldOperator = '=' | '!=';

export interface FieldRequirement {
  field: string;
  op: FieldOperator;
  value: string;
}

const KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function parseError(detail: string): never {
  throw badRequest(`unable to parse requirement: ${detail}`);
}

function checkKey(key: string): void {
  const name = key.includes('/') ? key.slice(key.indexOf('/') + 1) : key;
  if (!KEY.test(key) || name.length > 63 || key.length > 253 + 64) {
    parseError(`key: Invalid value: ${JSON.stringify(key)}: name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`);
  }
}

function checkValue(value: string): void {
  if (value.length > 63 || !VALUE.test(value)) {
    parseError(`values[0]: Invalid value: ${JSON.stringify(value)}: a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`);
  }
}

/** Splits on commas outside parentheses. */
function splitTerms(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((t) => t.trim()).filter((t) => t !== '');
}

/** Parses a label selector; the empty string selects everything. Throws a 400 ApiError when malformed. */
export function parseLabelSelector(text: string): LabelRequirement[] {
  const reqs: LabelRequirement[] = [];
  for (const term of splitTerms(text)) {
    let m: RegExpExecArray | null;
    if ((m = /^!\s*([^\s=!<>(),]+)$/.exec(term))) {
      checkKey(m[1]!);
      reqs.push({ key: m[1]!, op: '!', values: [] });
    } else if ((m = /^([^\s=!<>(),]+)\s+(in|notin)\s*\(([^()]*)\)$/.exec(term))) {
      checkKey(m[1]!);
      const values = m[3]!.split(',').map((v) => v.trim());
      values.forEach(checkValue);
      reqs.push({ key: m[1]!, op: m[2] as 'in' | 'notin', values: values.filter((v, i) => values.indexOf(v) === i) });
    } else if ((m = /^([^\s=!<>(),]+)\s*(==|=|!=)\s*([^\s=!<>(),]*)$/.exec(term))) {
      checkKey(m[1]!);
      checkValue(m[3]!);
      reqs.push({ key: m[1]!, op: m[2] === '!=' ? 'notin' : 'in', values: [m[3]!] });
    } else if ((m = /^([^\s=!<>(),]+)\s*(<|>)\s*(-?[0-9]+)$/.exec(term))) {
      checkKey(m[1]!);
      reqs.push({ key: m[1]!, op: m[2] === '>' ? 'gt' : 'lt', values: [m[3]!] });
    } else if ((m = /^([^\s=!<>(),]+)$/.exec(term))) {
      checkKey(m[1]!);
      reqs.push({ key: m[1]!, op: 'exists', values: [] });
    } else {
      throw badRequest(`unable to parse requirement: found '${term}', expected: identifier, '!', 'in', 'notin', '=', '==', '!='`);
    }
  }
  return reqs;
}

/** Whether a label set satisfies every requirement. */
export function labelsMatch(reqs: readonly LabelRequirement[], labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  return reqs.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    const v = l[r.key];
    switch (r.op) {
      case 'in':
        return has && r.values.includes(v!);
      case 'notin':
        return !has || !r.values.includes(v!);
      case 'exists':
        return has;
      case '!':
        return !has;
      case 'gt':
      case 'lt': {
        if (!has || !/^-?[0-9]+$/.test(v!)) return false;
        const n = Number(v);
        const bound = Number(r.values[0]);
        return r.op === 'gt' ? n > bound : n < bound;
      }
    }
  });
}

/** Parses a field selector (`a=b,c!=d`, with `\` escaping `,` `=` `!` and `\`). Throws a 400 when malformed. */
export function parseFieldSelector(text: string): FieldRequirement[] {
  const terms: string[] = [];
  let cur = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\' && i + 1 < text.length) {
      cur += ch + text[++i];
    } else if (ch === ',') {
      terms.push(cur);
      cur = '';
    } else cur += ch;
  }
  terms.push(cur);
  const reqs: FieldRequirement[] = [];
  for (const term of terms.map((t) => t.trim()).filter((t) => t !== '')) {
    const op = findOperator(term);
    if (!op) throw badRequest(`invalid selector: '${text}'; can't understand '${term}'`);
    const field = term.slice(0, op.at).trim();
    if (!field) throw badRequest(`invalid selector: '${text}'; can't understand '${term}'`);
    reqs.push({ field, op: op.op, value: unescapeFieldValue(term.slice(op.at + op.len)) });
  }
  return reqs;
}

function findOperator(term: string): { at: number; len: number; op: FieldOperator } | undefined {
  for (let i = 0; i < term.length; i++) {
    if (term[i] === '\\') {
      i++;
      continue;
    }
    if (term.startsWith('!=', i)) return { at: i, len: 2, op: '!=' };
    if (term.startsWith('==', i)) return { at: i, len: 2, op: '=' };
    if (term[i] === '=') return { at: i, len: 1, op: '=' };
  }
  return undefined;
}

function unescapeFieldValue(v: string): string {
  return v.replace(/\\(.)/g, '$1');
}

/** Whether the object's field values (from `fieldsOf`) satisfy every requirement. */
export function fieldsMatch(reqs: readonly FieldRequirement[], fields: Record<string, string>): boolean {
  return reqs.every((r) => {
    const v = fields[r.field] ?? '';
    return r.op === '=' ? v === r.value : v !== r.value;
  });
}

/** A compiled pair of selectors; `matches` checks an object against both. */
export interface ObjectFilter {
  labels: LabelRequirement[];
  fields: FieldRequirement[];
  /** True when neither selector restricts anything. */
  empty: boolean;
  matches(obj: KubeObject): boolean;
}

/**
 * Compiles the selectors of a list or watch. `fieldsOf` gives an object's selectable fields; a field
 * selector naming any other field is a 400 `field label not supported: <field>`.
 */
export function compileFilter(
  labelSelector: string | undefined | null,
  fieldSelector: string | undefined | null,
  supported: readonly string[],
  fieldsOf: (obj: KubeObject) => Record<string, string>,
): ObjectFilter {
  const labels = parseLabelSelector(labelSelector ?? '');
  const fields = parseFieldSelector(fieldSelector ?? '');
  for (const f of fields) if (!supported.includes(f.field)) throw badRequest(`field label not supported: ${f.field}`);
  const empty = labels.length === 0 && fields.length === 0;
  return {
    labels,
    fields,
    empty,
    matches: (obj) =>
      empty || (labelsMatch(labels, obj.metadata?.labels) && (fields.length === 0 || fieldsMatch(fields, fieldsOf(obj)))),
  };
}

/** The selector a LabelSelector object means, as text (`app=web,tier in (a,b)`), as `kubectl get -o wide` prints it. */
export function formatLabelSelector(selector: KubeObject | undefined): string {
  if (!selector) return '';
  const parts: [string, string][] = [];
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) parts.push([k, `${k}=${v}`]);
  for (const e of Array.isArray(selector.matchExpressions) ? selector.matchExpressions : []) {
    const values = Array.isArray(e.values) ? [...e.values].sort() : [];
    if (e.operator === 'In') parts.push([e.key, `${e.key} in (${values.join(',')})`]);
    else if (e.operator === 'NotIn') parts.push([e.key, `${e.key} notin (${values.join(',')})`]);
    else if (e.operator === 'Exists') parts.push([e.key, e.key]);
    else if (e.operator === 'DoesNotExist') parts.push([e.key, `!${e.key}`]);
  }
  // Requirements print sorted by key, as a compiled labels.Selector does.
  return parts
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, text]) => text)
    .join(',');
}
