// The berth package's root directory, found by walking up from this module: works from src/, dist/src/ and
// the bundled dist/bundle/ alike.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/** Absolute path of the directory holding berth's package.json. */
export function packageRoot(): string {
  if (root) return root;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'berth') return (root = dir);
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`cannot find the berth package root above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}
