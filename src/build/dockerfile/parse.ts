// Dockerfile text → Dockerfile: directives, then logical lines (continuations joined, comments dropped), each read
// as an instruction, heredoc bodies attached, and the instructions grouped into stages.

import { atLines, DockerfileError } from './errors.js';
import { heredocsInLine } from './heredoc.js';
import { buildInstruction, type HeredocBody } from './instructions.js';
import { DirectiveReader, escapeToken, isBlank, isComment, SourceLines, trimContinuation, trimNewline } from './lines.js';
import { readInstruction, takesHeredocs } from './read-instruction.js';
import { trimLeftSpace } from './words.js';
import type { ArgInstruction, Directives, Dockerfile, DockerfileWarning, Instruction, Stage } from './types.js';

/** Parses a Dockerfile; errors are DockerfileErrors naming the line. */
export function parseDockerfile(text: string): Dockerfile {
  const { directives, instructions, warnings } = readInstructions(text);
  return { directives, ...groupStages(instructions), warnings };
}

/**
 * Parses an ONBUILD trigger stored in a base image's config (`RUN echo hi`, heredoc bodies included), as Docker
 * does when a later build starts FROM that image. Line numbers count within the trigger's text.
 */
export function parseOnbuildTrigger(expression: string): Instruction {
  const { instructions } = readInstructions(expression);
  const [trigger] = instructions;
  if (instructions.length !== 1 || !trigger) {
    throw new DockerfileError(`an ONBUILD trigger must be one instruction, got ${instructions.length}: ${JSON.stringify(expression)}`);
  }
  if (trigger.kind === 'ONBUILD' || trigger.kind === 'FROM' || trigger.kind === 'MAINTAINER') {
    throw new DockerfileError(`${trigger.kind} isn't allowed as an ONBUILD trigger`, trigger.startLine, trigger.endLine);
  }
  return trigger;
}

function readInstructions(text: string): { directives: Directives; instructions: Instruction[]; warnings: DockerfileWarning[] } {
  const src = new SourceLines(text);
  const directiveReader = new DirectiveReader();
  const directives: Directives = { escape: '\\' };
  const warnings: DockerfileWarning[] = [];
  const instructions: Instruction[] = [];

  for (let physical = src.next(); physical !== undefined; physical = src.next()) {
    const start = src.lineNumber;
    const line = trimLeftSpace(trimNewline(physical));
    const directive = atLines(start, start, () => directiveReader.read(line));
    if (directive) {
      if (directive.name === 'escape') directives.escape = atLines(start, start, () => escapeToken(directive.value));
      else if (directive.name === 'syntax') directives.syntax = directive.value;
      else directives.check = directive.value;
      continue;
    }
    if (isComment(line)) continue;
    const escape = directives.escape;
    let { text: joined, continues } = trimContinuation(line, escape);
    if (!continues && joined === '') continue;

    let blankContinuation = false;
    while (continues) {
      const next = src.next();
      if (next === undefined) break; // a continuation at the end of the file just ends the instruction
      const part = trimNewline(next);
      if (isComment(part)) continue; // comment lines inside a continued instruction are dropped
      if (isBlank(part)) {
        blankContinuation = true;
        continue;
      }
      const trimmed = trimContinuation(part, escape);
      joined += trimmed.text;
      continues = trimmed.continues;
    }
    const lineEnd = src.lineNumber;
    if (blankContinuation) warnings.push({ line: lineEnd, message: `Empty continuation line found in: ${joined}` });

    const raw = atLines(start, lineEnd, () => readInstruction(joined, escape));
    const bodies = takesHeredocs(raw) && joined.includes('<<') ? readHeredocBodies(src, joined, start) : [];
    const end = src.lineNumber;
    instructions.push(atLines(start, end, () => buildInstruction(raw, bodies, [start, end])));
  }

  if (instructions.length === 0) throw new DockerfileError('file with no instructions', Math.max(1, src.lineNumber));
  return { directives, instructions, warnings };
}

/** Reads the body of each heredoc the line opens, in order, up to its delimiter line. */
function readHeredocBodies(src: SourceLines, line: string, start: number): HeredocBody[] {
  const bodies: HeredocBody[] = [];
  for (const heredoc of atLines(start, src.lineNumber, () => heredocsInLine(line))) {
    let body = '';
    let terminated = false;
    for (let next = src.next(); next !== undefined; next = src.next()) {
      let candidate = trimNewline(next);
      if (heredoc.chomp) candidate = candidate.replace(/^\t+/, '');
      if (candidate === heredoc.name) {
        terminated = true;
        break;
      }
      body += next;
    }
    if (!terminated) {
      throw new DockerfileError(`unterminated heredoc: no line "${heredoc.name}" closes it`, start, src.lineNumber);
    }
    bodies.push({ start: heredoc, body });
  }
  return bodies;
}

/** ARGs before the first FROM are meta args; every other instruction belongs to the stage its FROM opened. */
function groupStages(instructions: Instruction[]): { metaArgs: ArgInstruction[]; stages: Stage[] } {
  const metaArgs: ArgInstruction[] = [];
  const stages: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.kind === 'FROM') {
      const name = instruction.stageName;
      if (name !== undefined && stages.some((s) => s.name === name)) {
        throw new DockerfileError(`${name} stage name already used (stage names must be unique)`, instruction.startLine,
          instruction.endLine);
      }
      const stage: Stage = { index: stages.length, from: instruction, instructions: [] };
      if (name !== undefined) stage.name = name;
      stages.push(stage);
      continue;
    }
    const current = stages[stages.length - 1];
    if (current) {
      current.instructions.push(instruction);
    } else if (instruction.kind === 'ARG') {
      metaArgs.push(instruction);
    } else {
      throw new DockerfileError(
        `no build stage in current context: ${instruction.kind} before the first FROM (only ARG may come before FROM)`,
        instruction.startLine, instruction.endLine);
    }
  }
  if (stages.length === 0) {
    const last = metaArgs[metaArgs.length - 1]!;
    throw new DockerfileError('no build stage in current context: the Dockerfile has no FROM', last.startLine, last.endLine);
  }
  return { metaArgs, stages };
}
