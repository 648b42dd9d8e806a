// `--change` for import (and later commit): Dockerfile instructions applied to an image's runtime config,
// in Dockerfile syntax — JSON ("exec") and shell forms, `key=value` lists with quotes, the legacy
// `ENV key value` form. Variable substitution ($VAR) is not performed.
import path from 'node:path';
import { ImageError } from '../errors.js';
import type { ContainerConfig } from '../manifest/types.js';

export const SUPPORTED_CHANGES = ['CMD', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'HEALTHCHECK', 'LABEL', 'ONBUILD', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR'];

/** Applies `changes` in order to a copy of `config`; errors name the change. */
export function applyChanges(config: ContainerConfig, changes: string[]): ContainerConfig {
  const c: ContainerConfig = structuredClone(config);
  let cmdSet = false;
  for (const change of changes) {
    const text = change.trim();
    const m = /^(\S+)(?:\s+([\s\S]*))?$/.exec(text);
    const fail = (why: string): never => {
      throw new ImageError(`--change "${change}": ${why}`, 'InvalidArgument');
    };
    if (!m) fail('empty instruction');
    const op = m![1]!.toUpperCase();
    const rest = (m![2] ?? '').trim();
    const need = (): string => rest || fail(`${op} requires an argument`);
    switch (op) {
      case 'CMD':
        c.Cmd = command(need(), c.Shell);
        cmdSet = true;
        break;
      case 'ENTRYPOINT':
        c.Entrypoint = command(need(), c.Shell);
        // Docker's rule: a new ENTRYPOINT drops an inherited CMD unless CMD was set by these changes.
        if (!cmdSet) c.Cmd = null;
        break;
      case 'ENV':
        for (const [k, v] of keyValues(need(), op, fail)) {
          c.Env = [...(c.Env ?? []).filter((e) => e.split('=', 1)[0] !== k), `${k}=${v}`];
        }
        break;
      case 'LABEL':
        for (const [k, v] of keyValues(need(), op, fail)) c.Labels = { ...(c.Labels ?? {}), [k]: v };
        break;
      case 'WORKDIR': {
        const dir = unquote(need());
        c.WorkingDir = path.posix.isAbsolute(dir) ? path.posix.normalize(dir) : path.posix.join(c.WorkingDir || '/', dir);
        break;
      }
      case 'USER':
        c.User = unquote(need());
        break;
      case 'EXPOSE':
        for (const word of splitWords(need(), fail)) for (const p of ports(word, fail)) c.ExposedPorts = { ...(c.ExposedPorts ?? {}), [p]: {} };
        break;
      case 'VOLUME': {
        const arg = need();
        const list = arg.startsWith('[') ? jsonStrings(arg) ?? splitWords(arg, fail) : splitWords(arg, fail);
        for (const v of list) {
          if (v === '') fail('VOLUME paths must not be empty');
          c.Volumes = { ...(c.Volumes ?? {}), [v]: {} };
        }
        break;
      }
      case 'STOPSIGNAL': {
        const sig = unquote(need());
        if (!/^(?:\d+|(?:SIG)?[A-Z][A-Z0-9]*(?:[+-]\d+)?)$/i.test(sig)) fail(`invalid signal "${sig}"`);
        c.StopSignal = sig;
        break;
      }
      case 'ONBUILD': {
        const inner = need().split(/\s+/, 1)[0]!.toUpperCase();
        if (inner === 'ONBUILD' || inner === 'FROM' || inner === 'MAINTAINER') fail(`${inner} is not allowed as an ONBUILD trigger`);
        c.OnBuild = [...(c.OnBuild ?? []), need()];
        break;
      }
      case 'HEALTHCHECK':
        c.Healthcheck = healthcheck(need(), fail);
        break;
      default:
        fail(`unknown or unsupported instruction ${op} (supported: ${SUPPORTED_CHANGES.join(', ')})`);
    }
  }
  return c;
}

/** Splits a Dockerfile argument into words: whitespace-separated, with "…" and '…' quoting and \ escapes. */
export function splitWords(s: string, fail: (why: string) => never = defaultFail): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (quote === "'") {
      if (ch === "'") quote = undefined;
      else word += ch;
      continue;
    }
    if (ch === '\\' && i + 1 < s.length && (quote !== '"' || '"\\$`'.includes(s[i + 1]!))) {
      word += s[++i];
      inWord = true;
      continue;
    }
    if (quote === '"') {
      if (ch === '"') quote = undefined;
      else word += ch;
      continue;
    }
    if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (quote) fail(`unterminated ${quote} quote`);
  if (inWord) words.push(word);
  return words;
}

function defaultFail(why: string): never {
  throw new ImageError(why, 'InvalidArgument');
}

function unquote(s: string): string {
  const w = splitWords(s);
  return w.length === 1 ? w[0]! : s;
}

function jsonStrings(s: string): string[] | undefined {
  try {
    const v: unknown = JSON.parse(s);
    return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
  } catch {
    return undefined;
  }
}

// Exec form when the argument is a JSON string array; otherwise shell form, run by the image's shell.
function command(arg: string, shell: string[] | undefined): string[] {
  const exec = arg.startsWith('[') ? jsonStrings(arg) : undefined;
  return exec ?? [...(shell && shell.length > 0 ? shell : ['/bin/sh', '-c']), arg];
}

function keyValues(arg: string, op: string, fail: (why: string) => never): [string, string][] {
  const words = splitWords(arg, fail);
  // Legacy form `ENV key value with spaces`: the first word has no '='.
  if (!words[0]!.includes('=')) {
    const m = /^(\S+)\s+([\s\S]*)$/.exec(arg);
    if (!m) fail(`${op} ${words[0]} needs a value (${op} key=value or ${op} key value)`);
    return [[m![1]!, splitWords(m![2]!, fail).join(' ')]];
  }
  return words.map((w) => {
    const i = w.indexOf('=');
    if (i <= 0) fail(`${op}: "${w}" is not key=value`);
    return [w.slice(0, i), w.slice(i + 1)];
  });
}

// `80`, `80/udp`, `8000-8002/tcp` → ["80/tcp"], …
function ports(word: string, fail: (why: string) => never): string[] {
  const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(word);
  if (!m) fail(`EXPOSE: invalid port "${word}" (port[-port][/tcp|udp|sctp])`);
  const lo = Number(m![1]);
  const hi = m![2] !== undefined ? Number(m![2]) : lo;
  const proto = (m![3] ?? 'tcp').toLowerCase();
  if (lo < 1 || hi > 65535 || hi < lo) fail(`EXPOSE: invalid port range "${word}"`);
  if (hi - lo > 65535) fail(`EXPOSE: range too large "${word}"`);
  const out: string[] = [];
  for (let p = lo; p <= hi; p++) out.push(`${p}/${proto}`);
  return out;
}

const DURATION_UNITS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

// HEALTHCHECK [--interval=30s --timeout=… --start-period=… --retries=N] CMD … | NONE (durations in ns).
function healthcheck(arg: string, fail: (why: string) => never): NonNullable<ContainerConfig['Healthcheck']> {
  let rest = arg;
  const out: NonNullable<ContainerConfig['Healthcheck']> = {};
  for (let m = /^--([a-z-]+)=(\S+)\s+/.exec(rest); m; m = /^--([a-z-]+)=(\S+)\s+/.exec(rest)) {
    rest = rest.slice(m[0].length);
    const [, flag, value] = m as unknown as [string, string, string];
    if (flag === 'retries') {
      if (!/^\d+$/.test(value)) fail(`HEALTHCHECK --retries must be a number, not "${value}"`);
      out.Retries = Number(value);
      continue;
    }
    const key = ({ interval: 'Interval', timeout: 'Timeout', 'start-period': 'StartPeriod' } as const)[flag as 'interval'];
    if (!key) fail(`HEALTHCHECK: unknown option --${flag}`);
    out[key] = duration(value, fail);
  }
  const [kind, ...cmdWords] = rest.split(/\s+/);
  if (kind!.toUpperCase() === 'NONE') return { Test: ['NONE'] };
  if (kind!.toUpperCase() !== 'CMD' || cmdWords.length === 0) fail('HEALTHCHECK needs NONE or CMD <command>');
  const cmd = rest.slice(kind!.length).trim();
  const exec = cmd.startsWith('[') ? jsonStrings(cmd) : undefined;
  out.Test = exec ? ['CMD', ...exec] : ['CMD-SHELL', cmd];
  return out;
}

function duration(s: string, fail: (why: string) => never): number {
  let total = 0;
  let rest = s;
  for (let m = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/.exec(rest); m; m = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/.exec(rest)) {
    total += Number(m[1]) * DURATION_UNITS[m[2]!]!;
    rest = rest.slice(m[0].length);
  }
  if (rest !== '' || s === '') fail(`invalid duration "${s}" (e.g. 30s, 1m30s)`);
  return Math.round(total);
}
