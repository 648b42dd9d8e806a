// A small argument parser with runc's conventions: `--flag value` and `--flag=value`, boolean flags that
// also take `=true|false`, short aliases, repeatable flags, and `--` ending options. Written here because
// runc's callers (containerd, podman, dockerd) depend on these exact forms and generic parsers differ.

export interface FlagSpec {
  /** Long name without dashes. */
  name: string;
  short?: string;
  kind: 'string' | 'bool' | 'list';
  help?: string;
}

export interface Parsed {
  flags: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Parses argv against flag specs; stops at the first positional when stopAtPositional is set. */
export function parseArgs(argv: string[], specs: FlagSpec[], stopAtPositional = false): Parsed & { rest: string[] } {
  const byName = new Map<string, FlagSpec>();
  for (const s of specs) {
    byName.set(s.name, s);
    if (s.short) byName.set(s.short, s);
  }
  const flags: Parsed['flags'] = {};
  const positionals: string[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      i++;
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      if (stopAtPositional) break;
      positionals.push(arg);
      continue;
    }
    const body = arg.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const key = eq >= 0 ? body.slice(0, eq) : body;
    const spec = byName.get(key);
    if (!spec) throw new UsageError(`flag provided but not defined: -${key}`);
    let value: string | undefined = eq >= 0 ? body.slice(eq + 1) : undefined;
    if (spec.kind === 'bool') {
      if (value !== undefined && !/^(true|false|1|0)$/i.test(value)) {
        throw new UsageError(`invalid boolean value "${value}" for --${spec.name} (use true or false)`);
      }
      flags[spec.name] = value === undefined ? true : /^(true|1)$/i.test(value);
      continue;
    }
    if (value === undefined) {
      if (i + 1 >= argv.length) throw new UsageError(`flag needs an argument: --${spec.name}`);
      value = argv[++i]!;
    }
    if (spec.kind === 'list') {
      const prev = flags[spec.name];
      flags[spec.name] = [...(Array.isArray(prev) ? prev : []), value];
    } else flags[spec.name] = value;
  }
  const rest = argv.slice(i);
  if (!stopAtPositional) positionals.push(...rest);
  return { flags, positionals, rest: stopAtPositional ? rest : [] };
}

/** Renders flag help lines for a usage text. */
export function flagHelp(specs: FlagSpec[]): string {
  return specs
    .filter((s) => s.help)
    .map((s) => {
      const names = (s.short ? `-${s.short}, ` : '') + `--${s.name}` + (s.kind === 'bool' ? '' : ' value');
      return `   ${names.padEnd(30)} ${s.help}`;
    })
    .join('\n');
}

export type Flags = Parsed['flags'];

/** A string flag's value, if given. */
export function str(flags: Flags, name: string): string | undefined {
  const v = flags[name];
  return typeof v === 'string' ? v : undefined;
}

/** Whether a boolean flag is set. */
export function bool(flags: Flags, name: string): boolean {
  return flags[name] === true;
}

/** Every value of a repeatable flag. */
export function list(flags: Flags, name: string): string[] {
  const v = flags[name];
  return Array.isArray(v) ? v : [];
}
