// GET /images/json filters (moby's daemon/images list): dangling, reference (glob on the familiar name),
// label, before/since (another image's creation time), until (a timestamp).
import { resolveImage, type ImageContext, type ImageSummary } from '../../image/index.js';
import { EngineError } from '../errors.js';
import { parseTimestampNano } from '../events/timestamp.js';
import { parseBool } from './request.js';

const IMAGE_LIST_FILTERS = ['dangling', 'reference', 'label', 'before', 'since', 'until'];

/** Applies the list filters; unknown keys → 400 as dockerd answers. */
export async function filterImageList(ctx: ImageContext, images: ImageSummary[], filters: Map<string, string[]>): Promise<ImageSummary[]> {
  for (const key of filters.keys()) {
    if (!IMAGE_LIST_FILTERS.includes(key)) throw new EngineError(`invalid filter '${key}'`, 'InvalidArgument');
  }
  let out = images;
  const dangling = filters.get('dangling');
  if (dangling?.length) {
    const want = parseBool(dangling[0]!);
    out = out.filter((i) => (i.RepoTags.length === 0) === want);
  }
  const refs = filters.get('reference');
  if (refs?.length) {
    const patterns = refs.map(globToRegExp);
    out = out
      .map((i) => ({ ...i, RepoTags: i.RepoTags.filter((t) => patterns.some((p) => matchesReference(p, t))) }))
      .filter((i) => i.RepoTags.length > 0 || i.RepoDigests.some((d) => patterns.some((p) => matchesReference(p, d))));
  }
  const labels = filters.get('label');
  if (labels?.length) out = out.filter((i) => labels.every((l) => labelMatches(i.Labels ?? {}, l)));
  for (const [key, keep] of [['before', (c: number, t: number) => c < t], ['since', (c: number, t: number) => c > t]] as const) {
    const names = filters.get(key);
    if (!names?.length) continue;
    const { group } = await resolveImage(ctx, names[0]!);
    const t = Date.parse(group.image.config.created ?? '');
    const ref = Number.isNaN(t) ? 0 : Math.floor(t / 1000);
    out = out.filter((i) => keep(i.Created, ref));
  }
  const until = filters.get('until');
  if (until?.length) {
    const limit = Number(parseTimestampNano('until', until[0]!) / 1_000_000_000n);
    out = out.filter((i) => i.Created < limit);
  }
  return out;
}

// Docker's FamiliarMatch: the pattern against "repo:tag" and against "repo" alone.
function matchesReference(pattern: RegExp, familiar: string): boolean {
  const name = familiar.replace(/@.*$/, '').replace(/:[^:/]+$/, '');
  return pattern.test(familiar) || pattern.test(name);
}

/** path.Match-style glob: `*` and `?` stay within one path segment. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (const ch of glob) {
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else re += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

function labelMatches(labels: Record<string, string>, filter: string): boolean {
  const eq = filter.indexOf('=');
  if (eq < 0) return filter in labels;
  return labels[filter.slice(0, eq)] === filter.slice(eq + 1);
}
