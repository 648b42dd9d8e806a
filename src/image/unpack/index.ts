// Safe layer unpacking: tar (gzip, zstd or plain) into a directory, whiteouts in overlay or delete form.
export { applyLayer, type ApplyLayerOptions, type ApplyLayerResult } from './apply-layer.js';
export { DEFAULT_LIMITS, type UnpackLimits } from './limits.js';
export { sniffCompression, type Compression } from './decompress.js';
