// The copying snapshotter runs the same contract as overlay.
import { runSnapshotterContract } from './snapshot-contract.js';
import { openCopySnapshotter } from '../../../src/image/snapshot/copy.js';

runSnapshotterContract({ name: 'copy', open: (root) => openCopySnapshotter(root) });
