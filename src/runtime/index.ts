// The runtime layer's public API: OCI bundle → isolated, constrained process (used by the CLI and the engine).
export { RuntimeError, type ErrorKind } from './errors.js';
export { newContext, loadContainer, type RuntimeContext, type RuntimeOptions } from './lifecycle/context.js';
export { createContainer, type CreateOptions, type CreatedContainer } from './lifecycle/create.js';
export { startContainer } from './lifecycle/start.js';
export { runContainer, type RunResult } from './lifecycle/run.js';
export { killContainer, deleteContainer } from './lifecycle/kill.js';
export { execInContainer, execProcessFromConfig, type ExecOptions } from './lifecycle/exec.js';
export { containerState, listContainers, containerPids } from './lifecycle/query.js';
export { pauseContainer, resumeContainer, updateContainer, containerStats } from './lifecycle/resources.js';
export { parseSignal, signalName } from './lifecycle/signals.js';
export { defaultSpec } from './spec/default-spec.js';
export { hardenedSpec, type HardenedSpecOptions } from './spec/hardened-spec.js';
export { defaultSeccompProfile } from './spec/seccomp-default.js';
export type { Spec, Process, LinuxResources, ContainerState } from './spec/types.js';
