// What an archive holds, worked out before anything is named: for each image its manifest (the archive's
// own when it has one, else built the way Docker's graph driver describes an image: OCI media types,
// uncompressed layers stay `…layer.v1.tar`, so the config — and thus the image id — stays byte-identical),
// its config, layers with diffIDs, and names. Every rule a malformed or hostile archive can break is
// checked here and reported with the file and field.
import { type Digest, digestOf, isDigest } from '../digest.js';
import { ImageError } from '../errors.js';
import { isIndexType, isManifestType, layerCompression, MediaType } from '../media-types.js';
import type { Descriptor, ImageConfig, ImageIndex, ImageManifest } from '../manifest/types.js';
import type { ArchiveFile, ArchiveView } from './archive-reader.js';
import { type Compression, layerMediaType, sniffLayer } from './compression.js';
import { parseDockerManifest, repoTagReference } from './docker-manifest.js';
import { blobPath, nameFromAnnotations, OCI_INDEX_FILE, OCI_LAYOUT_FILE, parseDescriptor, parseOciIndex, parseOciLayout } from './oci-layout.js';

const JSON_LIMIT = 8 << 20;

export interface PlanContext {
  /** Bytes of a blob already in the content store (files the reader stored). */
  readBlob(digest: Digest, limit: number): Promise<Buffer>;
  /** The manifest for this host's platform in an index (throws NotFound naming the platforms). */
  selectManifest(index: ImageIndex): Descriptor;
}

export interface PlannedLayer {
  descriptor: Descriptor;
  diffId: Digest;
  compression: Compression;
}

export interface PlannedImage {
  /** What the image's names point at: its manifest. */
  manifestDescriptor: Descriptor;
  manifest: ImageManifest;
  config: ImageConfig;
  /** Docker's image id (config digest). */
  id: Digest;
  layers: PlannedLayer[];
  /** Full references (`docker.io/library/busybox:latest`), possibly none. */
  names: string[];
  /** Bytes the content store does not have yet: built manifests, in-memory configs and tiny layers. */
  blobs: Map<Digest, Buffer>;
}

/** Plans the load of a read archive: manifest.json when present (Docker's rule), else index.json. */
export async function planLoad(view: ArchiveView, ctx: PlanContext): Promise<PlannedImage[]> {
  let images: PlannedImage[];
  if (view.find('manifest.json')) images = await planDockerArchive(view, ctx);
  else if (view.find(OCI_INDEX_FILE)) images = await planOciLayout(view, ctx);
  else {
    throw new ImageError(
      'not an image archive: it has neither manifest.json (docker save) nor index.json (OCI layout)',
      'InvalidArgument',
    );
  }
  return mergeByManifest(images);
}

async function planDockerArchive(view: ArchiveView, ctx: PlanContext): Promise<PlannedImage[]> {
  const entries = parseDockerManifest(await readFile(view, ctx, view.get('manifest.json', 'manifest'), 'manifest.json'));
  const archived = await archivedManifests(view, ctx);
  const out: PlannedImage[] = [];
  for (const [i, e] of entries.entries()) {
    const where = `manifest.json entry ${i}`;
    const blobs = new Map<Digest, Buffer>();
    const configFile = view.get(e.Config, `image config (${where})`);
    const configBytes = await readFile(view, ctx, configFile, e.Config);
    const id = view.digest(configFile);
    if (configFile.data) blobs.set(id, configBytes);
    const config = parseImageConfig(configBytes, e.Config);
    const diffIds = config.rootfs.diff_ids;
    if (e.Layers.length !== diffIds.length) {
      throw new ImageError(`${where}: lists ${e.Layers.length} layers but its config ${e.Config} has ${diffIds.length} diff_ids`, 'InvalidArgument');
    }
    const layers = e.Layers.map((p, j): PlannedLayer => {
      const file = view.get(p, `layer (${where})`);
      const digest = view.digest(file);
      const compression = sniffLayer(file.head, `layer ${p}`);
      checkUncompressed(compression, digest, diffIds[j]!, p);
      if (file.data) blobs.set(digest, file.data);
      return { descriptor: { mediaType: layerMediaType(compression), digest, size: file.size }, diffId: diffIds[j]!, compression };
    });
    const names = (e.RepoTags ?? []).map((t) => repoTagReference(t, `${where} RepoTags`));
    const own = archived.get(id);
    if (own && sameLayers(own.manifest, layers)) {
      out.push({ ...own, config, id, names, blobs, layers: layers.map((l, j) => ({ ...l, descriptor: own.manifest.layers[j]! })) });
      continue;
    }
    const manifest: ImageManifest = {
      schemaVersion: 2,
      mediaType: MediaType.OciManifest,
      config: { mediaType: MediaType.OciConfig, digest: id, size: configBytes.length },
      layers: layers.map((l) => l.descriptor),
    };
    const bytes = Buffer.from(JSON.stringify(manifest));
    const manifestDescriptor: Descriptor = { mediaType: MediaType.OciManifest, digest: digestOf(bytes), size: bytes.length };
    blobs.set(manifestDescriptor.digest, bytes);
    out.push({ manifestDescriptor, manifest, config, id, layers, names, blobs });
  }
  return out;
}

// A combined archive (Docker ≥ 25, berth save) also has the images' real manifests in its OCI layout;
// loading those keeps manifest digests. An unreadable index.json is ignored here, as Docker's loader does.
async function archivedManifests(view: ArchiveView, ctx: PlanContext): Promise<Map<Digest, { manifestDescriptor: Descriptor; manifest: ImageManifest }>> {
  const out = new Map<Digest, { manifestDescriptor: Descriptor; manifest: ImageManifest }>();
  if (!view.find(OCI_INDEX_FILE)) return out;
  try {
    for (const m of await planOciLayout(view, ctx)) out.set(m.id, { manifestDescriptor: m.manifestDescriptor, manifest: m.manifest });
  } catch {
    /* manifest.json alone describes the images */
  }
  return out;
}

async function planOciLayout(view: ArchiveView, ctx: PlanContext): Promise<PlannedImage[]> {
  const layout = view.find(OCI_LAYOUT_FILE);
  if (layout) parseOciLayout(await readFile(view, ctx, layout, OCI_LAYOUT_FILE));
  const index = parseOciIndex(await readFile(view, ctx, view.get(OCI_INDEX_FILE, 'index'), OCI_INDEX_FILE));
  const out: PlannedImage[] = [];
  for (const [i, entry] of index.manifests.entries()) {
    const where = `${OCI_INDEX_FILE} manifests[${i}]`;
    const name = nameFromAnnotations(entry.annotations, where);
    let desc = entry;
    let bytes = await readBlob(view, ctx, desc, where);
    for (let depth = 0; !isManifestDoc(desc, bytes); depth++) {
      if (depth >= 4) throw new ImageError(`${where}: indexes nested too deeply`, 'InvalidArgument');
      const chosen = ctx.selectManifest(parseOciIndex(bytes, blobPath(desc.digest)));
      desc = parseDescriptor(chosen, `${blobPath(desc.digest)} (selected manifest)`);
      bytes = await readBlob(view, ctx, desc, `manifest ${desc.digest}`);
    }
    out.push(await planOciImage(view, ctx, desc, bytes, name ? [name] : []));
  }
  return out;
}

async function planOciImage(view: ArchiveView, ctx: PlanContext, desc: Descriptor, bytes: Buffer, names: string[]): Promise<PlannedImage> {
  const where = `manifest ${desc.digest}`;
  const doc = parseJson(bytes, where) as Partial<ImageManifest> & { mediaType?: string };
  const config = parseDescriptor(doc.config, `${where} config`);
  if (!Array.isArray(doc.layers)) throw new ImageError(`${where}: "layers" must be a list`, 'InvalidArgument');
  const layerDescs = doc.layers.map((l, j) => parseDescriptor(l, `${where} layers[${j}]`));
  const manifest = { ...doc, schemaVersion: 2, config, layers: layerDescs } as ImageManifest;
  const manifestDescriptor: Descriptor = { mediaType: desc.mediaType || doc.mediaType || MediaType.OciManifest, digest: desc.digest, size: desc.size };
  if (desc.platform) manifestDescriptor.platform = desc.platform;
  const imageConfig = parseImageConfig(await readBlob(view, ctx, config, `${where} config`), `image config ${config.digest}`);
  const diffIds = imageConfig.rootfs.diff_ids;
  if (layerDescs.length !== diffIds.length) {
    throw new ImageError(`${where}: has ${layerDescs.length} layers but its config ${config.digest} has ${diffIds.length} diff_ids`, 'InvalidArgument');
  }
  const layers = layerDescs.map((d, j): PlannedLayer => {
    const file = blobFile(view, d, `${where} layers[${j}]`);
    const declared = layerCompression(d.mediaType);
    const compression = declared === 'unknown' ? sniffLayer(file.head, `layer ${d.digest}`) : declared;
    checkUncompressed(compression, d.digest, diffIds[j]!, blobPath(d.digest));
    return { descriptor: d, diffId: diffIds[j]!, compression };
  });
  return { manifestDescriptor, manifest, config: imageConfig, id: config.digest, layers, names, blobs: new Map() };
}

/** Validates an image config's JSON (object, os, architecture, rootfs.diff_ids). */
export function parseImageConfig(bytes: Buffer, where: string): ImageConfig {
  const c = parseJson(bytes, where) as Partial<ImageConfig> | null;
  if (!c || typeof c !== 'object' || Array.isArray(c)) throw new ImageError(`${where}: image config must be a JSON object`, 'InvalidArgument');
  if (typeof c.os !== 'string' || c.os === '') throw new ImageError(`${where}: image config has no "os"`, 'InvalidArgument');
  if (typeof c.architecture !== 'string') throw new ImageError(`${where}: image config has no "architecture"`, 'InvalidArgument');
  const ids = c.rootfs?.diff_ids;
  if (c.rootfs?.type !== 'layers' || !Array.isArray(ids) || !ids.every((d) => typeof d === 'string' && isDigest(d))) {
    throw new ImageError(`${where}: image config needs rootfs {type: "layers", diff_ids: [digests]}`, 'InvalidArgument');
  }
  return c as ImageConfig;
}

// An uncompressed layer's blob digest is its diffID: a mismatch is caught here, before anything is stored.
function checkUncompressed(c: Compression, digest: Digest, diffId: Digest, path: string): void {
  if (c === 'none' && digest !== diffId) {
    throw new ImageError(`layer ${path}: content digest is ${digest} but the image config says ${diffId}`, 'DataLoss');
  }
}

function sameLayers(m: ImageManifest, layers: PlannedLayer[]): boolean {
  return m.layers.length === layers.length && m.layers.every((l, i) => l.digest === layers[i]!.descriptor.digest);
}

function isManifestDoc(desc: Descriptor, bytes: Buffer): boolean {
  if (isManifestType(desc.mediaType)) return true;
  if (isIndexType(desc.mediaType)) return false;
  const doc = parseJson(bytes, `manifest ${desc.digest}`) as Record<string, unknown>;
  if (isIndexType(doc?.mediaType as string) || Array.isArray(doc?.manifests)) return false;
  if (doc && 'config' in doc) return true;
  throw new ImageError(`${desc.digest}: unsupported manifest type "${desc.mediaType}"`, 'InvalidArgument');
}

function blobFile(view: ArchiveView, d: Descriptor, where: string): ArchiveFile {
  const file = view.find(blobPath(d.digest));
  if (!file) throw new ImageError(`${where}: blob ${d.digest} is missing from the archive (${blobPath(d.digest)})`, 'InvalidArgument');
  if (file.size !== d.size) {
    throw new ImageError(`${where}: blob ${d.digest} is ${file.size} bytes but its descriptor says ${d.size}`, 'DataLoss');
  }
  if (file.digest && file.digest !== d.digest) throw new ImageError(`${where}: blob ${d.digest} has content ${file.digest}`, 'DataLoss');
  return file;
}

async function readBlob(view: ArchiveView, ctx: PlanContext, d: Descriptor, where: string): Promise<Buffer> {
  return readFile(view, ctx, blobFile(view, d, where), blobPath(d.digest));
}

async function readFile(view: ArchiveView, ctx: PlanContext, file: ArchiveFile, path: string): Promise<Buffer> {
  if (file.size > JSON_LIMIT) throw new ImageError(`${path} is ${file.size} bytes; refusing metadata files over 8 MiB`, 'InvalidArgument');
  return file.data ?? ctx.readBlob(view.digest(file), JSON_LIMIT);
}

function parseJson(bytes: Buffer, where: string): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new ImageError(`${where} is not valid JSON`, 'InvalidArgument');
  }
}

// The same image listed twice (two tags in index.json, or twice in manifest.json) is one image with both names.
function mergeByManifest(images: PlannedImage[]): PlannedImage[] {
  const byDigest = new Map<string, PlannedImage>();
  for (const img of images) {
    const seen = byDigest.get(img.manifestDescriptor.digest);
    if (!seen) byDigest.set(img.manifestDescriptor.digest, { ...img, names: [...new Set(img.names)] });
    else seen.names = [...new Set([...seen.names, ...img.names])];
  }
  return [...byDigest.values()];
}
