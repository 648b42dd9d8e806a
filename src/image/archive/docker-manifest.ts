// Docker's archive index files: `manifest.json` (`[{Config, RepoTags, Layers}]`, what `docker load`
// reads) and the legacy `repositories` (`{repo: {tag: layer id}}`, read by loaders older than Docker 1.10).
import { ImageError } from '../errors.js';
import { formatReference, parseReference } from '../reference/parse.js';

/** One image of a `manifest.json`. Paths are archive paths. */
export interface DockerArchiveEntry {
  Config: string;
  RepoTags: string[] | null;
  Layers: string[];
  /** Foreign layers (Windows base layers): descriptors by diffID; kept for completeness, never written. */
  LayerSources?: Record<string, unknown>;
}

/** Parses and validates a `manifest.json`; errors name the entry and field. */
export function parseDockerManifest(bytes: Buffer): DockerArchiveEntry[] {
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new ImageError(`manifest.json is not valid JSON: ${(e as Error).message}`, 'InvalidArgument');
  }
  if (!Array.isArray(doc)) throw new ImageError('manifest.json: expected a JSON array of images', 'InvalidArgument');
  return doc.map((raw: unknown, i) => {
    const where = `manifest.json entry ${i}`;
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new ImageError(`${where}: expected an object`, 'InvalidArgument');
    const e = raw as Record<string, unknown>;
    if (typeof e.Config !== 'string' || e.Config === '') throw new ImageError(`${where}: "Config" must name the image config file`, 'InvalidArgument');
    if (!Array.isArray(e.Layers) || !e.Layers.every((l) => typeof l === 'string' && l !== '')) {
      throw new ImageError(`${where}: "Layers" must be a list of layer file paths`, 'InvalidArgument');
    }
    const tags = e.RepoTags ?? null;
    if (tags !== null && (!Array.isArray(tags) || !tags.every((t) => typeof t === 'string'))) {
      throw new ImageError(`${where}: "RepoTags" must be a list of strings`, 'InvalidArgument');
    }
    const out: DockerArchiveEntry = { Config: e.Config, RepoTags: tags as string[] | null, Layers: e.Layers as string[] };
    if (e.LayerSources && typeof e.LayerSources === 'object') out.LayerSources = e.LayerSources as Record<string, unknown>;
    return out;
  });
}

/**
 * The full reference a RepoTags item names (`busybox:latest` → `docker.io/library/busybox:latest`).
 * Docker's loader accepts only `name:tag` here, so a digest or a bare name is refused.
 */
export function repoTagReference(tag: string, where = 'RepoTags'): string {
  let ref;
  try {
    ref = parseReference(tag);
  } catch (e) {
    throw new ImageError(`${where}: "${tag}" is not a valid image name: ${(e as Error).message}`, 'InvalidArgument');
  }
  if (ref.digest || ref.tag === undefined) throw new ImageError(`${where}: "${tag}" must be a name:tag reference`, 'InvalidArgument');
  return formatReference(ref);
}

/** Serializes a `manifest.json` (Docker writes RepoTags null for an image saved by id). */
export function formatDockerManifest(entries: DockerArchiveEntry[]): Buffer {
  return Buffer.from(
    JSON.stringify(entries.map((e) => ({ Config: e.Config, RepoTags: e.RepoTags && e.RepoTags.length > 0 ? e.RepoTags : null, Layers: e.Layers }))),
  );
}

/** Serializes the legacy `repositories` file from familiar `repo:tag` names and the top layer id of each. */
export function formatRepositories(tags: { repoTag: string; topLayer: string }[]): Buffer {
  const repos: Record<string, Record<string, string>> = {};
  for (const { repoTag, topLayer } of tags) {
    const i = repoTag.lastIndexOf(':');
    const repo = repoTag.slice(0, i);
    (repos[repo] ??= {})[repoTag.slice(i + 1)] = topLayer;
  }
  return Buffer.from(JSON.stringify(repos));
}
