// The snapshot module's public surface: the two snapshotters, choosing between them, and mounting.
export type { ChangeSource, Mount, SnapshotInfo, SnapshotKind, Snapshotter, Usage } from './types.js';
export { openOverlaySnapshotter, type OverlayOptions } from './overlay.js';
export { openCopySnapshotter } from './copy.js';
export { openSnapshotter, overlaySupported, overlayUnsupportedReason, type SnapshotterKind } from './select.js';
export { mountAll, unmountAll } from './mount.js';
export { MOUNT_DATA_LIMIT } from './mount-options.js';
export type { CoreOptions } from './snapshotter-core.js';
