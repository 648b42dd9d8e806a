// Key/value flags of run/create as the docker CLI reads them: -e/--env and --env-file (KEY alone takes the
// caller's value, or is left out when unset), -l/--label and --label-file, and map-like flags (--log-opt,
// --sysctl, -o).
import { UsageError } from '../../common/args.js';

export interface FileReader {
  (file: string): string;
}

/** One -e value: "K=V" as is; "K" → "K=<caller's value>", or undefined when the caller has none. */
export function envEntry(raw: string, env: NodeJS.ProcessEnv): string | undefined {
  const eq = raw.indexOf('=');
  const key = eq < 0 ? raw : raw.slice(0, eq);
  if (key === '') throw new UsageError(`invalid argument "${raw}" for "-e, --env" flag: invalid environment variable: ${raw}`);
  if (eq >= 0) return raw;
  const v = env[key];
  return v === undefined ? undefined : `${key}=${v}`;
}

/** Lines of an env/label file: comments and blank lines skipped, leading whitespace trimmed. */
function fileLines(file: string, read: FileReader, flag: string): string[] {
  let text: string;
  try {
    text = read(file);
  } catch (e) {
    throw new UsageError(`${flag}: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (text.includes('\0')) throw new UsageError(`${flag}: ${file} is not a text file`);
  return text.split(/\r?\n/).map((l) => l.replace(/^\s+/, '')).filter((l) => l !== '' && !l.startsWith('#'));
}

/** --env-file: KEY=VALUE lines (KEY alone takes the caller's value); docker's whitespace-in-name error. */
export function envFileEntries(file: string, read: FileReader, env: NodeJS.ProcessEnv): string[] {
  const out: string[] = [];
  for (const line of fileLines(file, read, '--env-file')) {
    const eq = line.indexOf('=');
    const key = eq < 0 ? line : line.slice(0, eq);
    if (/\s/.test(key)) throw new UsageError(`variable '${key}' contains whitespaces (in ${file})`);
    if (key === '') throw new UsageError(`no variable name on line '${line}' (in ${file})`);
    const entry = envEntry(line, env);
    if (entry !== undefined) out.push(entry);
  }
  return out;
}

/** All environment entries: env files first, then -e values (later ones win in the container). */
export function environment(envFlags: string[], envFiles: string[], read: FileReader, env: NodeJS.ProcessEnv): string[] {
  const out: string[] = [];
  for (const f of envFiles) out.push(...envFileEntries(f, read, env));
  for (const e of envFlags) {
    const entry = envEntry(e, env);
    if (entry !== undefined) out.push(entry);
  }
  return out;
}

/** -l/--label and --label-file: "k=v" or "k" (empty value). */
export function labels(labelFlags: string[], labelFiles: string[], read: FileReader): Record<string, string> {
  const out: Record<string, string> = {};
  const add = (l: string) => {
    const eq = l.indexOf('=');
    const key = eq < 0 ? l : l.slice(0, eq);
    if (!key) throw new UsageError(`invalid label '${l}': empty name`);
    out[key] = eq < 0 ? '' : l.slice(eq + 1);
  };
  for (const f of labelFiles) fileLines(f, read, '--label-file').forEach(add);
  labelFlags.forEach(add);
  return out;
}

/** "k=v" values as a map (--log-opt, --sysctl, -o); `flag` names the flag in errors. */
export function keyValues(values: string[], flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq <= 0) throw new UsageError(`invalid argument "${v}" for "${flag}" flag: expected key=value`);
    out[v.slice(0, eq)] = v.slice(eq + 1);
  }
  return out;
}
