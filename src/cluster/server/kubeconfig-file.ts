// Reading and writing kubeconfig files: YAML (js-yaml, which @kubernetes/client-node already brings), written
// 0600 through a temp file and rename, under client-go's `<file>.lock` so a concurrent kubectl does not
// interleave its own write with ours.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { Kubeconfig } from './kubeconfig.js';
import { writeAtomic } from '../auth/pki.js';

interface Yaml {
  load(text: string): unknown;
  dump(value: unknown, opts?: { lineWidth?: number; noRefs?: boolean }): string;
}

let yaml: Yaml | undefined;
/** js-yaml, loaded on first use (the CLI's other commands never pay for it). */
export function yamlLib(): Yaml {
  yaml ??= createRequire(import.meta.url)('js-yaml') as Yaml;
  return yaml;
}

/** Parses a kubeconfig file's text (YAML or JSON); empty text is an empty config. */
export function parseKubeconfig(text: string, file = 'kubeconfig'): Kubeconfig | undefined {
  if (text.trim() === '') return undefined;
  let doc: unknown;
  try {
    doc = yamlLib().load(text);
  } catch (err) {
    throw new Error(`cannot parse ${file}: ${(err as Error).message}`);
  }
  if (doc === null || doc === undefined) return undefined;
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new Error(`${file} is not a kubeconfig (expected a mapping)`);
  return doc as Kubeconfig;
}

/** A kubeconfig as YAML text. */
export function formatKubeconfig(config: Kubeconfig): string {
  return yamlLib().dump(config, { lineWidth: -1, noRefs: true });
}

/** Reads a kubeconfig file (undefined when missing or empty). */
export function readKubeconfig(file: string): Kubeconfig | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return parseKubeconfig(text, file);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs update on the file's current contents under its lock and writes the result back. */
export async function updateKubeconfig(file: string, update: (current: Kubeconfig | undefined) => Kubeconfig): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const lock = `${file}.lock`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      fs.closeSync(fs.openSync(lock, 'wx', 0o600));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // A lock older than a minute was left by a crashed writer.
      try {
        if (Date.now() - fs.statSync(lock).mtimeMs > 60_000) fs.rmSync(lock, { force: true });
      } catch {
        // it went away meanwhile
      }
      if (Date.now() > deadline) throw new Error(`${lock} is held by another process; remove it if no kubectl is running`);
      await sleep(100);
    }
  }
  try {
    writeAtomic(file, formatKubeconfig(update(readKubeconfig(file))), 0o600);
  } finally {
    fs.rmSync(lock, { force: true });
  }
}
