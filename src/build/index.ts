// The build layer's public API: the Dockerfile front end, the context, the builder and its container RunStep.
export * from './dockerfile/index.js';
export * from './context/index.js';
export * from './builder/index.js';
export * from './run/index.js';
