// Which stages a build runs and what each one starts from: FROM lines are expanded with the meta ARGs and resolved
// to an earlier stage (by name, case-insensitive), `scratch`, or an image; `--target` picks the last stage to
// build; stages the target does not need (through FROM, COPY --from or RUN --mount from=) are skipped.

import { BuildArgs, type BuildArgValues } from './build-args.js';
import { DockerfileError } from './errors.js';
import { expandInstruction } from './expand-instruction.js';
import type { Dockerfile, Instruction, Stage } from './types.js';

export type StageBase = { kind: 'scratch' } | { kind: 'stage'; index: number } | { kind: 'image'; ref: string };

export interface PlannedStage {
  index: number;
  name?: string;
  base: StageBase;
  /** The expanded --platform of FROM. */
  platform?: string;
  /** Earlier stages this one uses: its base, COPY --from, RUN --mount from=. */
  dependsOn: number[];
  /** Images (not stages) named by COPY --from or RUN --mount from=. */
  images: string[];
}

export interface BuildPlan {
  /** Index of the stage whose result is the image. */
  target: number;
  /** The stages to build, in Dockerfile order: the target and the stages it needs. */
  stages: PlannedStage[];
  /** Stages before the target that nothing needs. */
  skipped: number[];
  /** Build args with the meta ARGs applied; stageScope() for each stage built. */
  args: BuildArgs;
}

export interface PlanOptions {
  target?: string;
  buildArgs?: BuildArgValues;
}

/** Plans a build: meta ARGs, the target, each needed stage's base. */
export function planBuild(file: Dockerfile, options: PlanOptions = {}): BuildPlan {
  const args = new BuildArgs(options.buildArgs ?? {});
  args.addMetaArgs(file.metaArgs, file.directives.escape);
  const target = resolveTarget(file.stages, options.target);
  const metaEnv = args.metaEnv();

  const planned: PlannedStage[] = [];
  for (const stage of file.stages.slice(0, target + 1)) {
    const from = expandInstruction(stage.from, metaEnv, file.directives.escape);
    if (from.image === '') {
      throw new DockerfileError(`base name (${stage.from.image}) should not be blank (check the ARG it uses)`,
        stage.from.startLine, stage.from.endLine);
    }
    const baseIndex = findStageByName(file.stages, from.image, stage.index);
    const base: StageBase = baseIndex !== undefined ? { kind: 'stage', index: baseIndex }
      : from.image === 'scratch' ? { kind: 'scratch' } : { kind: 'image', ref: from.image };
    const p: PlannedStage = { index: stage.index, base, dependsOn: [], images: [] };
    if (stage.name !== undefined) p.name = stage.name;
    if (from.platform !== undefined) p.platform = from.platform;
    if (baseIndex !== undefined) p.dependsOn.push(baseIndex);
    for (const ref of stageRefs(stage)) {
      const used = resolveStageRef(file.stages, ref.value, stage.index, ref.instruction);
      if (used.kind === 'stage') p.dependsOn.push(used.index);
      else p.images.push(used.ref);
    }
    p.dependsOn = [...new Set(p.dependsOn)].sort((a, b) => a - b);
    p.images = [...new Set(p.images)];
    planned.push(p);
  }

  const needed = neededStages(planned, target);
  for (const index of needed) {
    for (const i of file.stages[index]!.instructions) if (i.kind === 'ARG') for (const a of i.args) args.markReferenced(a.key);
  }
  return {
    target,
    stages: planned.filter((p) => needed.has(p.index)),
    skipped: planned.filter((p) => !needed.has(p.index)).map((p) => p.index),
    args,
  };
}

/** The index of `--target` (a stage name, case-insensitive), or of the last stage when none is given. */
export function resolveTarget(stages: readonly Stage[], target?: string): number {
  if (target === undefined || target === '') return stages.length - 1;
  const index = findStageByName(stages, target, stages.length);
  if (index === undefined) {
    const names = stages.flatMap((s) => (s.name ? [s.name] : []));
    const known = names.length > 0 ? ` (stages: ${names.join(', ')})` : ' (no stage has a name: use FROM image AS name)';
    throw new DockerfileError(`failed to reach build target ${target} in Dockerfile${known}`);
  }
  return index;
}

/** The last stage before `before` named `name` (case-insensitive). */
export function findStageByName(stages: readonly Stage[], name: string, before: number): number | undefined {
  const lower = name.toLowerCase();
  for (let i = Math.min(before, stages.length) - 1; i >= 0; i--) if (stages[i]!.name === lower) return i;
  return undefined;
}

/**
 * Resolves `COPY --from=` / `--mount from=` in stage `current`: an earlier stage's name or index, otherwise an
 * image reference. An index must name an earlier stage.
 */
export function resolveStageRef(stages: readonly Stage[], ref: string, current: number, at?: Instruction):
  Exclude<StageBase, { kind: 'scratch' }> {
  const byName = findStageByName(stages, ref, current);
  if (byName !== undefined) return { kind: 'stage', index: byName };
  if (/^[+-]?\d+$/.test(ref)) {
    const index = Number(ref);
    if (index === current) throw refError(ref, 'refers to current build stage (use an earlier stage)', at);
    if (index < 0 || index > current) throw refError(ref, `index out of bounds (earlier stages are 0..${current - 1})`, at);
    return { kind: 'stage', index };
  }
  return { kind: 'image', ref };
}

function refError(ref: string, why: string, at?: Instruction): DockerfileError {
  return new DockerfileError(`invalid from flag value ${ref}: ${why}`, at?.startLine, at?.endLine);
}

/** COPY --from and RUN --mount from= values of a stage (ONBUILD triggers are not: they run in later builds). */
function stageRefs(stage: Stage): { value: string; instruction: Instruction }[] {
  const refs: { value: string; instruction: Instruction }[] = [];
  for (const instruction of stage.instructions) {
    if (instruction.kind === 'COPY' && instruction.from !== undefined) refs.push({ value: instruction.from, instruction });
    if (instruction.kind === 'RUN') {
      for (const m of instruction.mounts) if (m.from !== undefined) refs.push({ value: m.from, instruction });
    }
  }
  return refs;
}

function neededStages(planned: readonly PlannedStage[], target: number): Set<number> {
  const needed = new Set<number>();
  const visit = (index: number): void => {
    if (needed.has(index)) return;
    needed.add(index);
    for (const dep of planned[index]!.dependsOn) visit(dep);
  };
  visit(target);
  return needed;
}
