// Variable substitution in the instructions Docker expands, done when the builder reaches the instruction (the
// environment is the stage's ENV plus its declared ARGs at that point): ADD, COPY (sources, destination,
// --chown, --chmod; heredoc bodies with an unquoted delimiter), ENV, LABEL, ARG, EXPOSE (which may split into
// several ports), FROM (with the meta ARGs), STOPSIGNAL, USER, VOLUME, WORKDIR, and RUN's --mount values.
// RUN/CMD/ENTRYPOINT/SHELL/HEALTHCHECK commands, MAINTAINER and ONBUILD are left alone: a shell expands those.

import { atLines } from './errors.js';
import { expandWord, expandWords, type ShellEnv } from './expand.js';
import { parseRunMount } from './run-mount.js';
import type { EscapeChar, Instruction, InlineSource, KeyValue } from './types.js';

/** Returns a copy of `instruction` with its substitutable words expanded against `env`. */
export function expandInstruction<T extends Instruction>(instruction: T, env: ShellEnv, escape: EscapeChar): T {
  return atLines(instruction.startLine, instruction.endLine, () => expand(instruction, env, escape));
}

function expand<T extends Instruction>(instruction: T, env: ShellEnv, escape: EscapeChar): T {
  const word = (w: string): string => expandWord(w, env, escape);
  const pairs = (list: KeyValue[]): KeyValue[] => list.map((p) => ({ key: word(p.key), value: word(p.value) }));
  const i: Instruction = instruction;
  let out: Instruction;
  switch (i.kind) {
    case 'ENV':
    case 'LABEL':
      out = { ...i, pairs: pairs(i.pairs) };
      break;
    case 'ARG':
      out = {
        ...i,
        args: i.args.map((a) => (a.value === undefined ? { key: word(a.key) } : { key: word(a.key), value: word(a.value) })),
      };
      break;
    case 'COPY':
    case 'ADD': {
      const copy = { ...i, sources: i.sources.map(word), dest: word(i.dest), inline: i.inline.map((s) => expandInline(s, env)) };
      if (i.chown !== undefined) copy.chown = word(i.chown);
      if (i.chmod !== undefined) copy.chmod = word(i.chmod);
      out = copy;
      break;
    }
    case 'EXPOSE':
      out = { ...i, ports: i.ports.flatMap((p) => expandWords(p, env, escape)) };
      break;
    case 'FROM': {
      const from = { ...i, image: word(i.image) };
      if (i.platform !== undefined) from.platform = word(i.platform);
      out = from;
      break;
    }
    case 'STOPSIGNAL':
      out = { ...i, signal: word(i.signal) };
      break;
    case 'USER':
      out = { ...i, user: word(i.user) };
      break;
    case 'VOLUME':
      out = { ...i, volumes: i.volumes.map(word) };
      break;
    case 'WORKDIR':
      out = { ...i, path: word(i.path) };
      break;
    case 'RUN':
      out = { ...i, mounts: i.mountSpecs.map((spec) => parseRunMount(spec, word)) };
      break;
    default:
      out = i;
  }
  return out as T;
}

/** Heredoc bodies are expanded with quotes left alone (they are file content, not words) and `\` as escape. */
function expandInline(source: InlineSource, env: ShellEnv): InlineSource {
  if (!source.expand) return source;
  return { ...source, content: expandWord(source.content, env, '\\', { skipQuotes: true }) };
}
