// `docker history`: the config's history, newest first, each non-empty entry sized by its layer's unpacked
// size; the newest entry carries the image id and its tags, older ones "<missing>" (as dockerd reports
// images it did not build itself).
import type { ImageContext } from '../context.js';
import { namesOf } from './image-view.js';
import { resolveImage } from './resolve.js';
import { UNPACKED_SIZE_LABEL } from './unpack-layer.js';

/** One row of Docker's GET /images/{name}/history. */
export interface HistoryItem {
  Id: string;
  /** Unix seconds. */
  Created: number;
  CreatedBy: string;
  Tags: string[] | null;
  Size: number;
  Comment: string;
}

/** The history of a local image (name or id). */
export async function imageHistory(ctx: ImageContext, input: string): Promise<HistoryItem[]> {
  const { group: g } = await resolveImage(ctx, input);
  const { config, manifest, chainIds } = g.image;
  const layerSize = async (i: number): Promise<number> => {
    const info = await ctx.snapshots.stat(chainIds[i]!).catch(() => undefined);
    const label = info?.labels[UNPACKED_SIZE_LABEL];
    return label ? Number(label) : (manifest.layers[i]?.size ?? 0);
  };
  // Images without history (hand-made configs) get one row per layer.
  const entries = config.history?.length ? config.history : manifest.layers.map(() => ({ created: config.created, created_by: '', comment: '' }));
  const rows: HistoryItem[] = [];
  let layer = 0;
  for (const h of entries) {
    const empty = 'empty_layer' in h && h.empty_layer === true;
    const size = !empty && layer < chainIds.length ? await layerSize(layer++) : 0;
    const t = Date.parse(h.created ?? '');
    rows.unshift({
      Id: '<missing>',
      Created: Number.isNaN(t) ? 0 : Math.floor(t / 1000),
      CreatedBy: h.created_by ?? '',
      Tags: null,
      Size: size,
      Comment: h.comment ?? '',
    });
  }
  if (rows[0]) {
    rows[0].Id = g.id;
    rows[0].Tags = namesOf(g).tags;
  }
  return rows;
}
