// The layer (diff) writer: a snapshot's changes as a compressed layer tar, optionally straight into the store.
export { writeLayer, writeLayerToStore, type WriteLayerOptions, type WrittenLayer } from './write-layer.js';
export { layerMediaType, type LayerCompression } from './compress.js';
