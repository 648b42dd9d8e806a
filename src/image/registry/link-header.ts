// The `Link` header a registry sends with paginated lists (`</v2/x/tags/list?n=2&last=b>; rel="next"`).

/** The target of the `rel="next"` link, resolved against `base`; undefined when there is none. */
export function nextLink(header: string | string[] | undefined, base: URL): URL | undefined {
  if (header === undefined) return undefined;
  for (const value of Array.isArray(header) ? header : [header]) {
    for (const link of splitLinks(value)) {
      const m = /^\s*<([^>]*)>(.*)$/.exec(link);
      if (!m) continue;
      const rels = /;\s*rel\s*=\s*(?:"([^"]*)"|([^;\s]+))/i.exec(m[2]!);
      const rel = (rels?.[1] ?? rels?.[2] ?? '').toLowerCase().split(/\s+/);
      if (!rel.includes('next')) continue;
      try {
        return new URL(m[1]!, base);
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** Splits at commas outside `<…>` and quotes. */
function splitLinks(value: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inUrl = false;
  let inQuote = false;
  for (const ch of value) {
    if (ch === '<' && !inQuote) inUrl = true;
    else if (ch === '>' && !inQuote) inUrl = false;
    else if (ch === '"' && !inUrl) inQuote = !inQuote;
    if (ch === ',' && !inUrl && !inQuote) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur);
  return out;
}
