// What a `COPY --from=<stage|image>` resolved to (its cache key parts and history comment), remembered per source
// image. An image id is the digest of a config that lists every layer's diffID, so the files under one id never
// change: a rebuild can check the build cache for the COPY without mounting the source image to hash it again.
// Files live under `<build state>/copy-from/<source image id>/`, so dropping an image's directory drops its entries.
import fs from 'node:fs';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';

/** A COPY --from resolution: the parts of the step's cache key and Docker's history comment. */
export interface CopyFromResolution {
  key: Record<string, unknown>;
  comment: string;
}

/** Directory of the memo (one sub-directory per source image id). */
export function copyFromMemoDir(stateDir: string): string {
  return path.join(stateDir, 'copy-from');
}

export class CopyFromMemo {
  constructor(private readonly dir: string) {}

  private file(sourceId: string, instruction: unknown): string {
    const key = createHash('sha256').update(JSON.stringify(instruction)).digest('hex');
    return path.join(this.dir, sourceId.replace(/^sha256:/, ''), `${key}.json`);
  }

  /** The remembered resolution of `instruction` (everything that shapes it: sources, dest, workdir, flags) in `sourceId`. */
  get(sourceId: string, instruction: unknown): CopyFromResolution | undefined {
    try {
      const doc = JSON.parse(fs.readFileSync(this.file(sourceId, instruction), 'utf8')) as CopyFromResolution;
      return typeof doc.comment === 'string' && doc.key && typeof doc.key === 'object' ? doc : undefined;
    } catch {
      return undefined;
    }
  }

  /** Remembers a resolution (atomically: a crash leaves the old file or none). */
  set(sourceId: string, instruction: unknown, value: CopyFromResolution): void {
    const file = this.file(sourceId, instruction);
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(value));
    fs.renameSync(tmp, file);
  }
}
