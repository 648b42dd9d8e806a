// COPY and ADD as a build step: sources resolved (context, --from stage or image, URLs, heredocs), the cache key
// parts (with the content checksum), Docker's history line, and the write into the step's snapshot.
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { AddInstruction, CopyInstruction } from '../dockerfile/index.js';
import { applyLayer, type FsOps } from '../../image/index.js';
import { BuildError } from './errors.js';
import { contentChecksum, resolveSource, type CopySource, type SourceRoot } from './copy-sources.js';
import { copyInto, mkdirAllInRoot, type CopyIdentity } from './copy-write.js';
import { resolveChown } from './passwd.js';
import { downloadSource, isUrl } from './remote-source.js';
import { resolveInRoot } from './scoped-path.js';

export interface PreparedCopy {
  /** Parts of the cache key besides the parent (Docker compares the instruction and the sources' content). */
  key: Record<string, unknown>;
  /** Docker's comment: `COPY file:<hash> in /dest `. */
  comment: string;
  /** Writes the sources into the mounted rootfs. */
  apply(rootfs: string, fsops: FsOps): Promise<void>;
  /** Removes downloads and heredoc files. */
  cleanup(): void;
}

/** The absolute destination: relative ones are under WORKDIR; a trailing `/` is kept (it means a directory). */
export function normalizeDest(dest: string, workdir: string | undefined): string {
  if (dest.startsWith('/')) return dest;
  const slash = dest.endsWith('/');
  const joined = path.posix.join('/', workdir ?? '/', dest);
  return slash && !joined.endsWith('/') ? `${joined}/` : joined;
}

function parseChmod(spec: string, line: number): number {
  if (!/^[0-7]{1,4}$/.test(spec)) throw new BuildError(`invalid --chmod=${spec}: expected an octal mode such as 0755`, line);
  return parseInt(spec, 8);
}

function isArchive(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(512);
    const n = fs.readSync(fd, head, 0, 512, 0);
    if (n >= 2 && head[0] === 0x1f && head[1] === 0x8b) return true; // gzip
    if (n >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return true; // zstd
    return n >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar';
  } finally {
    fs.closeSync(fd);
  }
}

/** Resolves a COPY/ADD (expanded) against its source root; `scratch` is where downloads and heredocs go. */
export async function prepareCopy(instr: CopyInstruction | AddInstruction, root: SourceRoot, workdir: string | undefined, scratch: string): Promise<PreparedCopy> {
  const temp: string[] = [];
  const cleanup = () => {
    for (const f of temp) fs.rmSync(f, { force: true });
  };
  try {
    const sources: { source: CopySource; extract: boolean }[] = [];
    for (const src of instr.sources) {
      if (isUrl(src)) {
        if (instr.kind === 'COPY') throw new BuildError(`source can't be a URL for COPY (${src}): use ADD`, instr.startLine);
        const s = await downloadSource(src, scratch);
        temp.push(s.abs);
        sources.push({ source: s, extract: false });
        continue;
      }
      const resolved = resolveSource(root, src);
      if (resolved.length === 0) throw new BuildError(`${instr.kind} failed: no source files were specified`, instr.startLine);
      for (const s of resolved) sources.push({ source: s, extract: instr.kind === 'ADD' && !s.isDir && isArchive(s.abs) });
    }
    for (const inline of instr.inline) {
      fs.mkdirSync(scratch, { recursive: true, mode: 0o700 });
      const file = path.join(scratch, `heredoc-${randomBytes(8).toString('hex')}`);
      fs.writeFileSync(file, inline.content, { mode: 0o644 });
      fs.chmodSync(file, 0o644);
      temp.push(file);
      sources.push({ source: { abs: file, name: inline.name, isDir: false, mode: 0o644 }, extract: false });
    }
    const dest = normalizeDest(instr.dest, workdir);
    if (sources.length > 1 && !dest.endsWith('/')) {
      throw new BuildError(`When using ${instr.kind} with more than one source file, the destination must be a directory and end with a /`, instr.startLine);
    }
    const checksum = contentChecksum(root, sources.map((s) => s.source));
    const kind = sources.length > 1 ? 'multi' : sources[0]?.source.isDir ? 'dir' : 'file';
    const chown = instr.chown ? `--chown=${instr.chown} ` : '';
    const mode = instr.chmod !== undefined ? parseChmod(instr.chmod, instr.startLine) : undefined;
    return {
      key: { kind: instr.kind, checksum, dest, chown: instr.chown, chmod: instr.chmod, extract: sources.map((s) => s.extract) },
      comment: `${instr.kind} ${chown}${kind}:${checksum} in ${instr.dest} `,
      cleanup,
      async apply(rootfs, fsops) {
        const id: CopyIdentity = instr.chown ? resolveChown(rootfs, instr.chown) : { uid: 0, gid: 0 };
        if (mode !== undefined) id.mode = mode;
        for (const { source, extract } of sources) {
          if (!extract) {
            copyInto(rootfs, root, [source], dest, id);
            continue;
          }
          // ADD of a local archive: its contents are unpacked into dest (a directory), hostile entries refused.
          mkdirAllInRoot(rootfs, dest, id);
          await applyLayer(fs.createReadStream(source.abs), resolveInRoot(rootfs, dest), { whiteouts: 'delete', fsops, hardlinkMetadata: 'entry' }).catch((e: unknown) => {
            throw new BuildError(`ADD failed: cannot extract ${source.name}: ${(e as Error).message}`, instr.startLine, { cause: e });
          });
        }
      },
    };
  } catch (e) {
    cleanup();
    if (e instanceof BuildError && e.line === undefined) throw new BuildError(e.message, instr.startLine, { cause: e.cause });
    throw e;
  }
}
