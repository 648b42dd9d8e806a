// Snapshotters (containerd's model): a snapshot is a directory tree identified by a key; committed
// snapshots are immutable layers named by chainID; active ones are writable views for containers and
// builds. Snapshotters return mount descriptions and never mount themselves — the caller decides where.

export type SnapshotKind = 'committed' | 'active' | 'view';

export interface SnapshotInfo {
  /** Committed snapshots: the layer's chainID (`sha256:…`); active/view: the caller's key. */
  key: string;
  parent?: string;
  kind: SnapshotKind;
  labels: Record<string, string>;
  createdAt: string;
}

/** One mount(2) call: `mount -t <type> <source> <target> -o <options>`. */
export interface Mount {
  type: string;
  source: string;
  options: string[];
}

export interface Usage {
  size: number;
  inodes: number;
}

export interface Snapshotter {
  /** Which implementation ('overlay' or 'copy'). */
  readonly name: string;
  stat(key: string): Promise<SnapshotInfo>;
  list(): Promise<SnapshotInfo[]>;
  /** A new writable snapshot on top of `parent` (a committed key) or empty; returns how to mount it. */
  prepare(key: string, parent?: string, labels?: Record<string, string>): Promise<Mount[]>;
  /** A read-only view of `parent`. */
  view(key: string, parent?: string, labels?: Record<string, string>): Promise<Mount[]>;
  /** How to mount an existing active or view snapshot. */
  mounts(key: string): Promise<Mount[]>;
  /**
   * The directory a layer is applied into, for an active snapshot whose parent chain the caller applies a
   * diff onto (overlay: the upper dir, in overlay whiteout format; copy: the full tree, deletions applied).
   */
  applyTarget(key: string): Promise<{ dir: string; whiteouts: 'overlay' | 'delete' }>;
  /** Freezes an active snapshot under `name` (a chainID); the active key disappears. */
  commit(name: string, key: string, labels?: Record<string, string>): Promise<void>;
  /** Removes a snapshot; refuses (FailedPrecondition) one that has children. */
  remove(key: string): Promise<void>;
  usage(key: string): Promise<Usage>;
  /** For commit-to-layer: the changes of an active snapshot against its parent. */
  changes(key: string): Promise<ChangeSource>;
}

/** What a diff writer needs to produce a layer tar from an active snapshot. */
export interface ChangeSource {
  /** overlay: the upper dir (whiteout devices/opaque xattrs mark deletions); copy: both trees to compare. */
  kind: 'overlay-upper' | 'compare';
  upper: string;
  lower?: string;
}
