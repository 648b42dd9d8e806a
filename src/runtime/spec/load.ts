// Reading a bundle: config.json and the root filesystem it names.
import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Spec } from './types.js';
import { SpecError } from './errors.js';

export interface Bundle {
  spec: Spec;
  /** The root filesystem, absolute (root.path resolved against the bundle directory). */
  rootfs: string;
}

/** Reads `<bundleDir>/config.json` and locates its rootfs; does not validate the rest (see validateSpec). */
export function loadBundle(bundleDir: string): Bundle {
  const dir = resolve(bundleDir);
  const file = join(dir, 'config.json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'not found (is --bundle the directory holding config.json?)' : (err as Error).message;
    throw new SpecError('', `${file}: ${why}`);
  }
  const spec = parseConfig(text, file);
  const rootPath = spec.root?.path;
  if (typeof rootPath !== 'string' || rootPath === '') {
    throw new SpecError('root.path', `missing in ${file} (set it to the root filesystem directory, e.g. "rootfs")`);
  }
  const rootfs = resolve(dir, rootPath);
  let isDir = false;
  try {
    isDir = statSync(rootfs).isDirectory();
  } catch {
    throw new SpecError('root.path', `root filesystem ${rootfs} does not exist (create it or fix root.path)`);
  }
  if (!isDir) throw new SpecError('root.path', `root filesystem ${rootfs} is not a directory`);
  return { spec, rootfs };
}

/** Parses config.json text; a syntax error becomes a SpecError naming the file, line and column. */
export function parseConfig(text: string, file: string): Spec {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const msg = (err as Error).message;
    const where = jsonErrorLocation(msg, text);
    throw new SpecError('', `${file}${where ? `:${where.line}:${where.column}` : ''}: invalid JSON: ${msg}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SpecError('', `${file}: must contain a JSON object`);
  }
  return value as Spec;
}

/** The 1-based line/column of a JSON.parse error, from whichever form V8 used in its message. */
export function jsonErrorLocation(message: string, text: string): { line: number; column: number } | undefined {
  const lc = /line (\d+) column (\d+)/.exec(message);
  if (lc) return { line: Number(lc[1]), column: Number(lc[2]) };
  const pos = /at position (\d+)/.exec(message);
  let offset: number | undefined = pos ? Number(pos[1]) : undefined;
  if (offset === undefined && /end of JSON input/.test(message)) offset = text.length;
  if (offset === undefined) return undefined;
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: (before[before.length - 1] ?? '').length + 1 };
}
