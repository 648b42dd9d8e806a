// The builder core: Dockerfile + context → image, with RUN steps behind the RunStep port.
export { buildImage, buildStateDir } from './build-image.js';
export { sweepBuildCache, pruneBuildCache, type BuildCachePruneOptions, type BuildCachePruneResult } from './cache-gc.js';
export { BuildError } from './errors.js';
export { resolveUser, resolveChown } from './passwd.js';
export { INTERMEDIATE_LABEL } from './store-image.js';
export { BUILD_SNAPSHOT_LABEL } from './layer-step.js';
export type { BuildDeps, BuildOptions, BuildProgress, BuildResult, BuildNetworkMode, RunStep, RunStepRequest } from './types.js';
