// The subset of Go templates that `--format` users reach for: `{{.Field.Sub}}`, `{{json .Field}}` and
// `{{.Field}}` inside literal text ("table" prefixes are not supported; use --format json for machines).
import { UsageError } from '../../common/args.js';

/** Renders a template against a value, as `docker … --format` does for these forms. */
export function renderTemplate(template: string, value: unknown): string {
  return template.replace(/\\n/g, '\n').replace(/\\t/g, '\t').replace(/\{\{\s*(.*?)\s*\}\}/g, (_, expr: string) => {
    const m = /^(json\s+)?(\.[\w.]*)$/.exec(expr);
    if (!m) throw new UsageError(`template: unsupported expression "{{${expr}}}" (supported: {{.Field}}, {{.A.B}}, {{json .Field}})`);
    const v = lookup(value, m[2]!);
    if (m[1]) return JSON.stringify(v ?? null);
    if (v === undefined || v === null) return '<no value>';
    if (Array.isArray(v)) return `[${v.join(' ')}]`;
    if (typeof v === 'object') return `map[${Object.entries(v as object).map(([k, x]) => `${k}:${typeof x === 'object' ? JSON.stringify(x) : String(x)}`).join(' ')}]`;
    return String(v);
  });
}

function lookup(value: unknown, dotted: string): unknown {
  let v = value;
  for (const part of dotted.split('.').filter(Boolean)) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}
