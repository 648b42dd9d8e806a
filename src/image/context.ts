// Everything an image operation needs, opened once per command (or once per daemon): the content store,
// image records, the snapshotter, the registry client and the platform to select.
import fs from 'node:fs';
import path from 'node:path';
import type { ContentStore } from './content/types.js';
import { openContentStore } from './content/local-store.js';
import { ImageStore } from './store/image-store.js';
import type { Snapshotter } from './snapshot/types.js';
import { openSnapshotter, overlaySupported } from './snapshot/select.js';
import type { RegistryClientFactory } from './registry/types.js';
import { createRegistryClient } from './registry/client.js';
import { credentialsFor } from './registry/credentials.js';
import type { Platform } from './manifest/types.js';
import { hostPlatform } from './manifest/platform.js';

export interface ImageContextOptions {
  /** Berth's state root (default $BERTH_ROOT or /var/lib/berth); images live in `<root>/image`. */
  root?: string;
  /** 'auto' (default) picks overlay when the kernel supports it here, else copying snapshots. */
  snapshotter?: 'overlay' | 'copy' | 'auto';
  insecureRegistries?: string[];
  certsDirs?: string[];
  /** Parallel layer downloads (Docker's max-concurrent-downloads; default $BERTH_MAX_CONCURRENT_DOWNLOADS or 3). */
  maxConcurrentDownloads?: number;
  platform?: Platform;
  registry?: RegistryClientFactory;
}

export interface ImageContext {
  root: string;
  content: ContentStore;
  contentRoot: string;
  images: ImageStore;
  snapshots: Snapshotter;
  registry: RegistryClientFactory;
  platform: Platform;
  maxConcurrentDownloads: number;
}

/** Berth's default state root. */
export function defaultRoot(): string {
  return process.env.BERTH_ROOT ?? '/var/lib/berth';
}

/** Opens the image layer under `<root>/image`, choosing (once, then remembering) the snapshotter. */
export async function openImageContext(options: ImageContextOptions = {}): Promise<ImageContext> {
  const root = path.join(options.root ?? defaultRoot(), 'image');
  fs.mkdirSync(root, { recursive: true, mode: 0o700 });
  const contentRoot = path.join(root, 'content');
  const kind = await chooseSnapshotter(root, options.snapshotter ?? 'auto');
  return {
    root,
    content: openContentStore(contentRoot),
    contentRoot,
    images: new ImageStore(path.join(root, 'images')),
    snapshots: await openSnapshotter(path.join(root, 'snapshots', kind), kind),
    registry:
      options.registry ??
      createRegistryClient({
        credentials: credentialsFor,
        ...(options.certsDirs ? { certsDirs: options.certsDirs } : {}),
        ...(options.insecureRegistries ? { insecureRegistries: options.insecureRegistries } : {}),
      }),
    platform: options.platform ?? hostPlatform(),
    maxConcurrentDownloads: options.maxConcurrentDownloads ?? envCount('BERTH_MAX_CONCURRENT_DOWNLOADS') ?? 3,
  };
}

function envCount(name: string): number | undefined {
  const v = process.env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name}=${v}: expected a whole number ≥ 1`);
  return n;
}

// The choice is recorded: snapshots made by one snapshotter are invisible to the other, so switching
// silently would make every image look unpacked-again.
async function chooseSnapshotter(root: string, want: 'overlay' | 'copy' | 'auto'): Promise<'overlay' | 'copy'> {
  const file = path.join(root, 'snapshotter');
  let recorded: string | undefined;
  try {
    recorded = fs.readFileSync(file, 'utf8').trim();
  } catch {
    /* first use */
  }
  if (want !== 'auto') {
    fs.writeFileSync(file, `${want}\n`);
    return want;
  }
  if (recorded === 'overlay' || recorded === 'copy') return recorded;
  fs.mkdirSync(path.join(root, 'snapshots'), { recursive: true });
  const kind = (await overlaySupported(path.join(root, 'snapshots'))) ? 'overlay' : 'copy';
  fs.writeFileSync(file, `${kind}\n`);
  return kind;
}
