// Second pass: a RawInstruction (and the heredoc bodies that followed it) → a typed Instruction, with the checks
// and messages Docker applies to each instruction's arguments and flags.

import { SyntaxProblem, ExpansionError } from './errors.js';
import { expandWord } from './expand.js';
import { parseFlags, type FlagSpec } from './flags.js';
import { chompTabs, heredocStart, type HeredocStart } from './heredoc.js';
import { buildHealthcheck } from './healthcheck.js';
import { parseRunMount } from './run-mount.js';
import { trimSpace } from './words.js';
import type { Keyword, RawInstruction } from './read-instruction.js';
import type {
  AddInstruction, ArgInstruction, CommandLine, CopyInstruction, FromInstruction, Heredoc, InlineSource, Instruction,
  Located, NetworkMode, RunInstruction,
} from './types.js';

/** A heredoc delimiter and the body lines read after the instruction (with their line endings). */
export interface HeredocBody {
  start: HeredocStart;
  body: string;
}

const FLAGS: Readonly<Record<Keyword, FlagSpec>> = {
  ADD: { chown: 'string', chmod: 'string', link: 'bool', 'keep-git-dir': 'bool' },
  ARG: {},
  CMD: {},
  COPY: { from: 'string', chown: 'string', chmod: 'string', link: 'bool' },
  ENTRYPOINT: {},
  ENV: {},
  EXPOSE: {},
  FROM: { platform: 'string' },
  HEALTHCHECK: { interval: 'string', timeout: 'string', 'start-period': 'string', 'start-interval': 'string', retries: 'string' },
  LABEL: {},
  MAINTAINER: {},
  ONBUILD: {},
  RUN: { mount: 'list', network: 'string' },
  SHELL: {},
  STOPSIGNAL: {},
  USER: {},
  VOLUME: {},
  WORKDIR: {},
};

const STAGE_NAME = /^[a-z][a-z0-9-_.]*$/;

/** Builds the typed instruction; `lines` are its first and last line (heredoc bodies included). */
export function buildInstruction(raw: RawInstruction, heredocs: HeredocBody[], lines: [number, number]): Instruction {
  const at: Located = { startLine: lines[0], endLine: lines[1], original: trimSpace(raw.line) };
  const flags = parseFlags(raw.keyword, raw.flags, FLAGS[raw.keyword]);
  const args = raw.args;
  switch (raw.keyword) {
    case 'FROM':
      return buildFrom(at, args, flags.strings.get('platform'));
    case 'RUN': {
      const network = flags.strings.get('network') ?? 'default';
      if (network !== 'default' && network !== 'none' && network !== 'host') {
        throw new SyntaxProblem(`invalid network mode "${network}" (use default, none or host)`);
      }
      const mountSpecs = flags.lists.get('mount') ?? [];
      const run: RunInstruction = {
        kind: 'RUN', ...at, command: commandLine(raw), heredocs: heredocs.map(toHeredoc), mountSpecs,
        mounts: mountSpecs.map((spec) => parseRunMount(spec)), network: network as NetworkMode,
      };
      return run;
    }
    case 'CMD':
      return { kind: 'CMD', ...at, command: commandLine(raw) };
    case 'ENTRYPOINT':
      return { kind: 'ENTRYPOINT', ...at, command: commandLine(raw) };
    case 'ENV':
    case 'LABEL': {
      const pairs = raw.pairs ?? [];
      if (pairs.length === 0) throw atLeastOne(raw.keyword);
      if (pairs.some((p) => p.key === '')) throw new SyntaxProblem(`${raw.keyword} names can not be blank`);
      return raw.keyword === 'ENV' ? { kind: 'ENV', ...at, pairs } : { kind: 'LABEL', ...at, pairs };
    }
    case 'ARG':
      return buildArg(at, args);
    case 'MAINTAINER':
      return { kind: 'MAINTAINER', ...at, maintainer: exactlyOne(raw.keyword, args) };
    case 'EXPOSE':
      if (args.length === 0) throw atLeastOne(raw.keyword);
      return { kind: 'EXPOSE', ...at, ports: [...args].sort() };
    case 'VOLUME': {
      if (args.length === 0) throw atLeastOne(raw.keyword);
      const volumes = args.map((v) => trimSpace(v));
      if (volumes.includes('')) throw new SyntaxProblem('VOLUME specified can not be an empty string');
      return { kind: 'VOLUME', ...at, volumes };
    }
    case 'USER':
      return { kind: 'USER', ...at, user: exactlyOne(raw.keyword, args) };
    case 'WORKDIR':
      return { kind: 'WORKDIR', ...at, path: exactlyOne(raw.keyword, args) };
    case 'STOPSIGNAL':
      return { kind: 'STOPSIGNAL', ...at, signal: exactlyOne(raw.keyword, args) };
    case 'COPY':
    case 'ADD':
      return buildCopy(raw, at, flags.strings, flags.bools, heredocs);
    case 'ONBUILD':
      return buildOnbuild(raw, at, heredocs, lines);
    case 'HEALTHCHECK':
      return { kind: 'HEALTHCHECK', ...at, health: buildHealthcheck(args, raw.json, flags.strings) };
    case 'SHELL':
      if (!raw.json) throw new SyntaxProblem('SHELL requires the arguments to be in JSON form (SHELL ["/bin/sh", "-c"])');
      if (args.length === 0) throw atLeastOne(raw.keyword);
      return { kind: 'SHELL', ...at, shell: [...args] };
  }
}

function buildFrom(at: Located, args: string[], platform: string | undefined): FromInstruction {
  let stageName: string | undefined;
  if (args.length === 3 && args[1]!.toLowerCase() === 'as') {
    stageName = args[2]!.toLowerCase();
    if (!STAGE_NAME.test(stageName)) {
      throw new SyntaxProblem(`invalid name for build stage: "${args[2]}", name can't start with a number or contain symbols`);
    }
  } else if (args.length !== 1) {
    throw new SyntaxProblem('FROM requires either one or three arguments (FROM image [AS name])');
  }
  const from: FromInstruction = { kind: 'FROM', ...at, image: args[0]! };
  if (stageName !== undefined) from.stageName = stageName;
  if (platform !== undefined) from.platform = platform;
  return from;
}

function buildArg(at: Located, args: string[]): ArgInstruction {
  if (args.length === 0) throw atLeastOne('ARG');
  return {
    kind: 'ARG', ...at,
    args: args.map((word) => {
      const eq = word.indexOf('=');
      if (eq < 0) return { key: word };
      if (eq === 0) throw new SyntaxProblem('ARG names can not be blank');
      return { key: word.slice(0, eq), value: word.slice(eq + 1) };
    }),
  };
}

function buildCopy(raw: RawInstruction, at: Located, strings: Map<string, string>, bools: Map<string, boolean>,
  heredocs: HeredocBody[]): CopyInstruction | AddInstruction {
  const keyword = raw.keyword;
  if (raw.args.length < 2) {
    throw new SyntaxProblem(`${keyword} requires at least two arguments, but only one was provided. Destination could not be determined`);
  }
  const dest = raw.args[raw.args.length - 1]!;
  if (heredocStart(dest)) throw new SyntaxProblem(`${keyword} cannot accept a heredoc as a destination`);
  const bodies = new Map(heredocs.map((h) => [h.start.name, h.body]));
  const sources: string[] = [];
  const inline: InlineSource[] = [];
  for (const word of raw.args.slice(0, -1)) {
    const start = raw.json ? undefined : heredocStart(word);
    if (!start) {
      sources.push(word);
      continue;
    }
    const body = bodies.get(start.name) ?? '';
    inline.push({ name: start.name, content: start.chomp ? chompTabs(body) : body, expand: start.expand });
  }
  const common = { ...at, sources, inline, dest, link: bools.get('link') ?? false, json: raw.json };
  const owner: { chown?: string; chmod?: string } = {};
  if (strings.has('chown')) owner.chown = strings.get('chown')!;
  if (strings.has('chmod')) owner.chmod = strings.get('chmod')!;
  if (keyword === 'ADD') {
    const add: AddInstruction = { kind: 'ADD', ...common, ...owner };
    if (bools.has('keep-git-dir')) add.keepGitDir = bools.get('keep-git-dir')!;
    return add;
  }
  const copy: CopyInstruction = { kind: 'COPY', ...common, ...owner };
  const from = strings.get('from');
  if (from !== undefined) {
    if (expandsToSomethingElse(from)) {
      throw new SyntaxProblem('variable expansion is not supported for --from, define a new stage with FROM using ARG from global scope as a workaround');
    }
    copy.from = from;
  }
  return copy;
}

/** Docker refuses `--from` values that variable expansion would change. */
function expandsToSomethingElse(value: string): boolean {
  try {
    return expandWord(value, new Map()) !== value;
  } catch (err) {
    if (err instanceof ExpansionError) return true;
    throw err;
  }
}

function buildOnbuild(raw: RawInstruction, at: Located, heredocs: HeredocBody[], lines: [number, number]): Instruction {
  const trigger = raw.trigger;
  if (!trigger) throw atLeastOne('ONBUILD');
  if (trigger.keyword === 'ONBUILD') throw new SyntaxProblem('Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed');
  if (trigger.keyword === 'FROM' || trigger.keyword === 'MAINTAINER') {
    throw new SyntaxProblem(`${trigger.keyword} isn't allowed as an ONBUILD trigger`);
  }
  // The image config keeps the trigger's text, with heredoc bodies, for the builds that use it as a base.
  let expression = raw.line.replace(/^\s*ONBUILD\s*/i, '');
  for (const h of heredocs) expression += `\n${h.body}${h.start.name}`;
  return { kind: 'ONBUILD', ...at, expression, trigger: buildInstruction(trigger, heredocs, lines) };
}

function commandLine(raw: RawInstruction): CommandLine {
  if (raw.json) return { form: 'exec', args: [...raw.args] };
  return { form: 'shell', args: raw.args.length === 0 ? [] : [raw.args.join(' ')] };
}

function toHeredoc(h: HeredocBody): Heredoc {
  const doc: Heredoc = {
    name: h.start.name, content: h.start.chomp ? chompTabs(h.body) : h.body, expand: h.start.expand, chomp: h.start.chomp,
  };
  if (h.start.fd !== undefined) doc.fd = h.start.fd;
  return doc;
}

function exactlyOne(keyword: string, args: string[]): string {
  if (args.length !== 1) throw new SyntaxProblem(`${keyword} requires exactly one argument`);
  return args[0]!;
}

function atLeastOne(keyword: string): SyntaxProblem {
  return new SyntaxProblem(`${keyword} requires at least one argument`);
}
