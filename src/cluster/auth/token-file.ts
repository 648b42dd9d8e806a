// Static bearer tokens in kube-apiserver's `--token-auth-file` format: CSV lines `token,user,uid[,"g1,g2"]`
// (more columns are ignored). The file is re-read when it changes, so an administrator can add or revoke a
// token without restarting the API server.
import fs from 'node:fs';
import type { UserInfo } from '../api/types.js';

/** One parsed CSV record's fields (RFC 4180 quoting: `"a,b"` is one field, `""` inside quotes is `"`). */
export function parseCsvLine(line: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    while (line[i] === ' ' || line[i] === '\t') i++; // leading space before a field does not count
    let field = '';
    if (line[i] === '"') {
      i++;
      for (;;) {
        if (i >= line.length) throw new Error('unterminated quoted field');
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += line[i++];
      }
      while (i < line.length && line[i] !== ',') {
        if (line[i] !== ' ' && line[i] !== '\t') throw new Error('extraneous text after a quoted field');
        i++;
      }
    } else {
      const end = line.indexOf(',', i);
      field = end < 0 ? line.slice(i) : line.slice(i, end);
      i = end < 0 ? line.length : end;
    }
    fields.push(field);
    if (i >= line.length) return fields;
    i++; // the comma
  }
}

export interface TokenFileResult {
  tokens: Map<string, UserInfo>;
  /** Problems that did not stop the file from loading (empty or duplicate tokens), with line numbers. */
  warnings: string[];
}

/** Parses a token file's text; throws on a record with fewer than 3 columns, like kube-apiserver. */
export function parseTokenFile(text: string, source = 'token file'): TokenFileResult {
  const tokens = new Map<string, UserInfo>();
  const warnings: string[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, idx) => {
    const lineNo = idx + 1;
    if (raw.trim() === '' || raw.trimStart().startsWith('#')) return;
    let rec: string[];
    try {
      rec = parseCsvLine(raw);
    } catch (err) {
      throw new Error(`${source}: line ${lineNo}: ${(err as Error).message}`);
    }
    if (rec.length < 3) {
      throw new Error(`${source}: line ${lineNo}: must have at least 3 columns (token, user name, user uid), found ${rec.length}`);
    }
    const [token, name, uid] = rec as [string, string, string];
    if (token === '') {
      warnings.push(`${source}: line ${lineNo}: empty token ignored`);
      return;
    }
    if (tokens.has(token)) warnings.push(`${source}: line ${lineNo}: duplicate token (the last one wins)`);
    const groups = rec.length >= 4 && rec[3] !== '' ? rec[3]!.split(',') : [];
    tokens.set(token, { name, ...(uid ? { uid } : {}), groups });
  });
  return { tokens, warnings };
}

/** Formats one token-file record (quoting the group list), for tools that add tokens. */
export function formatTokenRecord(token: string, user: UserInfo): string {
  const quote = (s: string) => (/[",\s]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const cols = [quote(token), quote(user.name), quote(user.uid ?? '')];
  if (user.groups.length) cols.push(`"${user.groups.join(',').replace(/"/g, '""')}"`);
  return cols.join(',');
}

/** A token table backed by a file, re-read when its size or mtime changes; a missing file means no tokens. */
export class TokenFile {
  private stamp = '';
  private tokens = new Map<string, UserInfo>();

  constructor(
    readonly file: string,
    private readonly warn: (message: string) => void = () => undefined,
  ) {}

  /** The user a token belongs to, if any. */
  lookup(token: string): UserInfo | undefined {
    this.refresh();
    const u = this.tokens.get(token);
    return u ? { ...u, groups: [...u.groups] } : undefined;
  }

  private refresh(): void {
    let st: fs.Stats;
    try {
      st = fs.statSync(this.file);
    } catch {
      this.tokens = new Map();
      this.stamp = '';
      return;
    }
    const stamp = `${st.ino}:${st.size}:${st.mtimeMs}`;
    if (stamp === this.stamp) return;
    try {
      const { tokens, warnings } = parseTokenFile(fs.readFileSync(this.file, 'utf8'), this.file);
      for (const w of warnings) this.warn(w);
      this.tokens = tokens;
      this.stamp = stamp;
    } catch (err) {
      // A broken edit must not lock everyone out silently: keep the last good table and say why.
      this.warn(`${(err as Error).message} (keeping the previous tokens)`);
      this.stamp = stamp;
    }
  }
}
