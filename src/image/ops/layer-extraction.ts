// Where a layer is unpacked, and how the result becomes the committed snapshot named by its chainID. The
// work happens in temporary active snapshots labelled with their owner, so a pull killed halfway leaves
// nothing that looks finished, and the next pull removes the leftovers (stale-extracts.ts).
//
// Two kinds: in place (a snapshot on top of the already committed parent) and scratch. The snapshotter
// only prepares snapshots on committed parents, yet with overlay a layer's directory holds just that
// layer's own entries (whiteouts as overlay markers), independent of what is below. So a layer whose parent
// is still being unpacked goes into a parentless scratch snapshot; once the parent is committed its entries
// are renamed into a snapshot prepared on the parent, and that is committed. Renames within one filesystem
// cost nothing per file, so the layers of an image unpack at the same time.
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { ImageContext } from '../context.js';
import type { Digest } from '../digest.js';
import { isImageError } from '../errors.js';
import type { FsOps } from '../native/fsops.js';
import { ownerToken, EXTRACT_OWNER_LABEL } from './stale-extracts.js';

const ENOTSUP = 95;

export interface Extraction {
  /** The directory the layer is applied into. */
  readonly dir: string;
  readonly whiteouts: 'overlay' | 'delete';
  /** Commits the layer as its chainID (its parent must be committed by now); identical layers committed meanwhile win. */
  commit(labels: Record<string, string>): Promise<void>;
  /** Removes what was unpacked (after a failure). */
  discard(): Promise<void>;
}

const extractKey = (chainId: Digest): string => `extract-${randomBytes(6).toString('hex')} ${chainId}`;

/** A snapshot on top of `parent` (committed, or none) to unpack the layer `chainId` in place. */
export async function prepareExtraction(ctx: ImageContext, chainId: Digest, parent: Digest | undefined): Promise<Extraction> {
  const key = extractKey(chainId);
  await ctx.snapshots.prepare(key, parent, { [EXTRACT_OWNER_LABEL]: ownerToken() });
  try {
    const { dir, whiteouts } = await ctx.snapshots.applyTarget(key);
    return {
      dir,
      whiteouts,
      async commit(labels) {
        try {
          await ctx.snapshots.commit(chainId, key, labels);
        } catch (e) {
          // Another pull committed the same layer first: theirs is identical, drop ours.
          if (!isImageError(e, 'AlreadyExists')) throw e;
          await ctx.snapshots.remove(key);
        }
      },
      discard: () => ctx.snapshots.remove(key),
    };
  } catch (e) {
    await ctx.snapshots.remove(key).catch(() => {});
    throw e;
  }
}

/**
 * A parentless scratch snapshot for the layer `chainId` whose parent is not committed yet; null when the
 * snapshotter applies layers onto a copy of the parent's tree ('delete' whiteouts), where this cannot work.
 */
export async function prepareScratchExtraction(ctx: ImageContext, fsops: FsOps, chainId: Digest, parent: Digest): Promise<Extraction | null> {
  const key = extractKey(chainId);
  await ctx.snapshots.prepare(key, undefined, { [EXTRACT_OWNER_LABEL]: ownerToken() });
  let target: { dir: string; whiteouts: 'overlay' | 'delete' };
  try {
    target = await ctx.snapshots.applyTarget(key);
  } catch (e) {
    await ctx.snapshots.remove(key).catch(() => {});
    throw e;
  }
  if (target.whiteouts !== 'overlay') {
    await ctx.snapshots.remove(key);
    return null;
  }
  return {
    dir: target.dir,
    whiteouts: 'overlay',
    async commit(labels) {
      const real = await prepareExtraction(ctx, chainId, parent);
      try {
        await moveTree(fsops, target.dir, real.dir);
        await real.commit(labels);
      } catch (e) {
        await real.discard().catch(() => {});
        throw e;
      }
      await ctx.snapshots.remove(key);
    },
    discard: () => ctx.snapshots.remove(key),
  };
}

/** Moves the entries of directory `from` into the empty directory `to` and gives `to` the root's owner, mode, xattrs and times. */
export async function moveTree(fsops: FsOps, from: string, to: string): Promise<void> {
  // Read first: renaming the entries out changes the root's times.
  const st = fs.lstatSync(from);
  for (const name of fs.readdirSync(from)) fs.renameSync(`${from}/${name}`, `${to}/${name}`);
  fs.lchownSync(to, st.uid, st.gid);
  fs.chmodSync(to, st.mode & 0o7777);
  // The layer root's xattrs (an opaque marker among them) move with it; unsupported ones are not an error.
  const have = await fsops.xattrs(to);
  for (const [name, value] of await fsops.xattrs(from)) {
    if (have.get(name)?.equals(value)) continue;
    try {
      await fsops.setxattr(to, name, value);
    } catch (err) {
      if ((err as { errno?: number }).errno !== ENOTSUP) throw err;
    }
  }
  // Last: the renames above changed the target's times too.
  fs.lutimesSync(to, st.atime, st.mtime);
}
