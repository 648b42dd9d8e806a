// RUN steps as containers (the builder's real RunStep).
export { ContainerRunStep, type ContainerRunStepOptions, type BuildNetworkPort, type BuildNetworkAttachment } from './container-run-step.js';
export type { EtcFiles } from './etc-files.js';
