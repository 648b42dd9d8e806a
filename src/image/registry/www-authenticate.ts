// Parsing `WWW-Authenticate` challenges (RFC 7235): `Bearer realm="…",service="…",scope="…"` and
// `Basic realm="…"`, possibly several in one header or across repeated headers.

export interface AuthChallenge {
  /** Lowercased scheme: `basic`, `bearer`, … */
  scheme: string;
  /** Parameters with lowercased names; quoted values unescaped. */
  params: Record<string, string>;
}

/** All challenges in one or more WWW-Authenticate header values. */
export function parseWwwAuthenticate(header: string | string[] | undefined): AuthChallenge[] {
  if (header === undefined) return [];
  const values = Array.isArray(header) ? header : [header];
  return values.flatMap(parseOne);
}

/** The first challenge of a scheme (case-insensitive), if any. */
export function findChallenge(challenges: AuthChallenge[], scheme: string): AuthChallenge | undefined {
  return challenges.find((c) => c.scheme === scheme.toLowerCase());
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+/;

function parseOne(value: string): AuthChallenge[] {
  const out: AuthChallenge[] = [];
  let s = value;
  let current: AuthChallenge | undefined;
  const skip = (re: RegExp) => {
    const m = re.exec(s);
    if (m) s = s.slice(m[0].length);
    return m;
  };
  for (;;) {
    skip(/^[\s,]+/);
    if (!s) break;
    const tok = skip(TOKEN);
    if (!tok) {
      s = s.slice(1); // a stray character: skip it rather than give up on the rest
      continue;
    }
    const afterWs = /^\s*/.exec(s)![0].length;
    if (s[afterWs] === '=' && current) {
      // `name=value` belongs to the current challenge.
      s = s.slice(afterWs + 1).replace(/^\s*/, '');
      current.params[tok[0].toLowerCase()] = readValue();
      continue;
    }
    // A bare token starts a new challenge (its token68 form, `Basic abc==`, has no params we use).
    current = { scheme: tok[0].toLowerCase(), params: {} };
    out.push(current);
  }
  return out;

  function readValue(): string {
    if (s.startsWith('"')) {
      let v = '';
      let i = 1;
      for (; i < s.length && s[i] !== '"'; i++) {
        if (s[i] === '\\' && i + 1 < s.length) i++;
        v += s[i];
      }
      s = s.slice(i + 1);
      return v;
    }
    const m = /^[^,\s]*/.exec(s)!;
    s = s.slice(m[0].length);
    return m[0];
  }
}
