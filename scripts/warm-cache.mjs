// Runs one busybox `true` container through each runtime CLI entry point so that bin/load-bundle.cjs writes V8
// code caches holding the functions a container launch needs (a cache written by a light command would not).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { makeBusyboxBundle } from '../dist/src/demo/busybox.js';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-warm-'));
try {
  const bundle = makeBusyboxBundle(path.join(tmp, 'bundle'), ['true']);
  for (const f of fs.readdirSync(path.join(root, 'dist/bundle'))) {
    if (f.endsWith('.v8cache')) fs.rmSync(path.join(root, 'dist/bundle', f));
  }
  const runs = [
    [path.join(root, 'bin/berth.cjs'), 'runtime'],
    [path.join(root, 'bin/berth-runtime.cjs')],
  ];
  for (const [i, [bin, ...pre]] of runs.entries()) {
    const r = spawnSync(process.execPath, [bin, ...pre, '--root', path.join(tmp, 'state'), 'run', '-b', bundle, `warm-${process.pid}-${i}`], { encoding: 'utf8' });
    if (r.status !== 0) console.error(`warm-cache: ${path.basename(bin)} run failed (${r.status}): ${r.stderr.trim()} — the CLI works, just without a warm cache`);
  }
  // `berth runtime` runs from the runtime's bundle (bin/berth.cjs): the rest of the CLI gets its cache here.
  spawnSync(process.execPath, [path.join(root, 'bin/berth.cjs'), '--version'], { stdio: 'ignore' });
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
