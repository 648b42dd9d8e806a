// The Dockerfile front end: parse, expand, plan. Pure functions; no file system, no images.

export { DockerfileError, ExpansionError } from './errors.js';
export { parseDockerfile, parseOnbuildTrigger } from './parse.js';
export { expandWord, expandWords, type ShellEnv } from './expand.js';
export { expandInstruction } from './expand-instruction.js';
export { BuildArgs, StageArgs, PROXY_ARGS, type BuildArgValues } from './build-args.js';
export {
  planBuild, resolveTarget, resolveStageRef, findStageByName, type BuildPlan, type PlannedStage, type StageBase,
  type PlanOptions,
} from './stages.js';
export { exposedPorts, portKeys } from './ports.js';
export { parseRunMount } from './run-mount.js';
export { parseGoDuration } from './duration.js';
export type * from './types.js';
