// Where `tail N` starts: scanning backwards from the newest file's last complete line, across rotated files.
import type { FileHandle } from 'node:fs/promises';

const CHUNK = 64 * 1024;

export interface Position {
  index: number;
  offset: number;
}

/** Offset just past the last \n of the file's first `end` bytes (0 if none): a torn last line does not count. */
export async function completeEnd(fh: FileHandle, end: number): Promise<number> {
  const buf = Buffer.alloc(CHUNK);
  for (let hi = end; hi > 0; ) {
    const lo = Math.max(0, hi - CHUNK);
    const { bytesRead } = await fh.read(buf, 0, hi - lo, lo);
    const nl = buf.subarray(0, bytesRead).lastIndexOf(10);
    if (nl >= 0) return lo + nl + 1;
    hi = lo;
  }
  return 0;
}

/**
 * Finds the `n` lines before `end` in one file: the offset where they start, or how many are still
 * needed from older files (the whole file counted).
 */
async function scanBack(fh: FileHandle, end: number, n: number): Promise<{ offset: number } | { missing: number }> {
  const buf = Buffer.alloc(CHUNK);
  let seen = 0;
  // The \n at end-1 terminates the last line; each \n before it starts one more line.
  for (let hi = end - 1; hi > 0; ) {
    const lo = Math.max(0, hi - CHUNK);
    const { bytesRead } = await fh.read(buf, 0, hi - lo, lo);
    for (let i = bytesRead - 1; i >= 0; i--) {
      if (buf[i] === 10 && ++seen === n) return { offset: lo + i + 1 };
    }
    hi = lo;
  }
  return { missing: n - (end > 0 ? seen + 1 : 0) };
}

/** Start of the last `n` complete lines over files (oldest first); n = 0 starts after the last one. */
export async function tailStart(files: FileHandle[], n: number): Promise<Position> {
  const last = files.length - 1;
  if (last < 0) return { index: 0, offset: 0 };
  let need = n;
  for (let i = last; i >= 0; i--) {
    const size = (await files[i]!.stat()).size;
    const end = await completeEnd(files[i]!, size);
    if (need <= 0) return { index: i, offset: end };
    const r = await scanBack(files[i]!, end, need);
    if ('offset' in r) return { index: i, offset: r.offset };
    need = r.missing;
    if (need <= 0) return { index: i, offset: 0 };
  }
  return { index: 0, offset: 0 };
}
