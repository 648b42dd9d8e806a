// Output as the docker CLI prints it: tables laid out like Go's tabwriter (minimum cell width 10, padding 3),
// `--format json` (one JSON object per line), `--format 'table {{.A}}\t{{.B}}'` and plain Go-template lines
// (the {{.Field}} / {{json .X}} subset of src/image/cli/template.ts), Go's time.Time String().
import { UsageError } from '../../common/args.js';
import { renderTemplate } from '../../image/cli/template.js';

/** Lays out rows like tabwriter.NewWriter(out, minWidth, 1, padding, ' ', 0): the last column is not padded. */
export function formatTable(headers: string[] | undefined, rows: string[][], minWidth = 10, padding = 3): string {
  const all = headers ? [headers, ...rows] : rows;
  if (!all.length) return '';
  const cols = Math.max(...all.map((r) => r.length));
  const widths: number[] = [];
  for (let i = 0; i < cols - 1; i++) widths[i] = Math.max(minWidth, ...all.map((r) => width(r[i] ?? '') + padding));
  return all.map((r) => r.map((c, i) => (i < r.length - 1 ? c + ' '.repeat(widths[i]! - width(c)) : c)).join('')).join('\n') + '\n';
}

/** Display width in code points (docker counts runes). */
function width(s: string): number {
  return Array.from(s).length;
}

/** docker's formatter.Ellipsis: at most `max` runes, the last one "…" when cut. */
export function ellipsis(s: string, max: number): string {
  const runes = Array.from(s);
  if (runes.length <= max) return s;
  if (max <= 1) return runes.slice(0, max).join('');
  return runes.slice(0, max - 1).join('') + '…';
}

/** Go's strconv.Quote for the printable text docker shows (commands). */
export function goQuote(s: string): string {
  return JSON.stringify(s).replace(/\\u00([0-9a-f]{2})/g, '\\x$1').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** The 12-character id docker shows (a "sha256:" prefix dropped). */
export function shortId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

/** Go's time.Time.String() in local time: "2024-01-02 15:04:05.123 +0000 UTC" (fraction only when present). */
export function goTimeString(date: Date, nanos?: number): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const offMin = -date.getTimezoneOffset();
  const off = `${offMin < 0 ? '-' : '+'}${p(Math.trunc(Math.abs(offMin) / 60))}${p(Math.abs(offMin) % 60)}`;
  const frac = nanos ?? date.getMilliseconds() * 1e6;
  const fraction = frac ? `.${String(frac).padStart(9, '0').replace(/0+$/, '')}` : '';
  return `${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())} ${p(date.getHours())}:${p(date.getMinutes())}:${p(date.getSeconds())}${fraction} ${off} ${zoneName(date, offMin)}`;
}

function zoneName(date: Date, offMin: number): string {
  const tz = process.env.TZ;
  if (offMin === 0 && (!tz || /^(UTC|Etc\/UTC|UTC0|:?UTC|)$/.test(tz))) return 'UTC';
  const part = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(date).find((x) => x.type === 'timeZoneName');
  return part?.value ?? 'UTC';
}

/** Nanoseconds of an RFC 3339 timestamp with up to 9 fractional digits ("…:05.272283070Z" → 272283070). */
export function rfc3339Nanos(text: string): number {
  const m = /\.(\d{1,9})/.exec(text);
  return m ? Number(m[1]!.padEnd(9, '0')) : 0;
}

export interface FormatSpec<Row> {
  /** Column headers per template field (docker's: ID → "CONTAINER ID"). */
  headers: Record<string, string>;
  /** The default table's fields, in order. */
  defaultColumns: string[];
  /** The row object a template sees ({{.ID}}, {{.Names}}…) and `--format json` prints. */
  view(row: Row): Record<string, unknown>;
}

/** Renders rows for --format: "" or "table" (the default table), "json", "table TEMPLATE", or a TEMPLATE per row. */
export function renderRows<Row>(rows: Row[], format: string | undefined, spec: FormatSpec<Row>): string {
  const f = (format ?? '').trim();
  const views = rows.map((r) => spec.view(r));
  if (f === 'json') return views.map((v) => JSON.stringify(v) + '\n').join('');
  if (f === '' || f === 'table') {
    return formatTable(spec.defaultColumns.map((c) => spec.headers[c] ?? c.toUpperCase()), views.map((v) => spec.defaultColumns.map((c) => String(v[c] ?? ''))));
  }
  if (f.startsWith('table')) {
    const tpl = f.slice('table'.length).trimStart();
    const header = tpl.replace(/\\t/g, '\t').replace(/\{\{\s*(?:json\s+)?\.(\w+)\s*\}\}/g, (_, field: string) => spec.headers[field] ?? field.toUpperCase());
    const lines = views.map((v) => renderTemplate(tpl, v));
    return formatTable(header.split('\t'), lines.map((l) => l.split('\t')));
  }
  return views.map((v) => renderTemplate(f, v) + '\n').join('');
}

/** Validates a --format value early (so a bad template fails before any request). */
export function checkFormat(format: string | undefined): void {
  if (!format) return;
  try {
    renderTemplate(format.replace(/^table\s*/, ''), {});
  } catch (e) {
    if (e instanceof UsageError) throw e;
  }
}

/** Pretty JSON as `docker inspect` prints it (4-space indent). */
export function inspectJson(docs: unknown[]): string {
  return JSON.stringify(docs, null, 4) + '\n';
}
