// `berth save`, `berth load`, `berth import`: image tars in and out (docker-archive and OCI layout).
import fs from 'node:fs';
import { parseArgs, UsageError } from '../../common/args.js';
import type { ImageContext } from '../context.js';
import { parsePlatform } from '../manifest/platform.js';
import { renderProgress } from '../progress/render.js';
import { saveImages } from '../ops/save.js';
import { finished } from 'node:stream/promises';
import { loadImages } from '../ops/load.js';
import { importImage } from '../ops/import.js';

type Ctx = (flags: Record<string, unknown>) => Promise<ImageContext>;

/** `berth save [-o FILE] IMAGE...`. */
export async function saveCommand(argv: string[], context: Ctx): Promise<number> {
  const { flags, positionals } = parseArgs(argv, [{ name: 'output', short: 'o', kind: 'string' }]);
  if (!positionals.length) throw new UsageError('"save" requires at least 1 argument: berth save [-o FILE] IMAGE...');
  const file = flags.output as string | undefined;
  if (!file && process.stdout.isTTY) throw new UsageError('cowardly refusing to save to a terminal. Use the -o flag or redirect');
  const ctx = await context(flags);
  const tmp = file ? `${file}.partial` : undefined;
  const out = tmp ? fs.createWriteStream(tmp) : process.stdout;
  try {
    await saveImages(ctx, positionals, out);
    if (tmp) {
      // saveImages ends the stream itself: wait for the file to be complete, then publish it.
      await finished(out as fs.WriteStream);
      fs.renameSync(tmp, file!);
    }
  } catch (e) {
    if (tmp) fs.rmSync(tmp, { force: true });
    throw e;
  }
  return 0;
}

/** `berth load [-i FILE] [-q]`. */
export async function loadCommand(argv: string[], context: Ctx): Promise<number> {
  const { flags } = parseArgs(argv, [{ name: 'input', short: 'i', kind: 'string' }, { name: 'quiet', short: 'q', kind: 'bool' }]);
  if (!flags.input && process.stdin.isTTY) throw new UsageError('requested load from stdin, but stdin is empty: use -i FILE or redirect');
  const input = flags.input ? fs.createReadStream(flags.input as string) : process.stdin;
  const ctx = await context(flags);
  const progress = renderProgress(process.stdout);
  await loadImages(ctx, input, { progress: flags.quiet ? (e) => { if (!e.id) progress(e); } : progress });
  return 0;
}

/** `berth import [-c CHANGE]... [-m MESSAGE] [--platform P] FILE|- [REPOSITORY[:TAG]]`. */
export async function importCommand(argv: string[], context: Ctx): Promise<number> {
  const { flags, positionals } = parseArgs(argv, [{ name: 'change', short: 'c', kind: 'list' }, { name: 'message', short: 'm', kind: 'string' }, { name: 'platform', kind: 'string' }]);
  if (positionals.length < 1 || positionals.length > 2) throw new UsageError('"import" requires 1 or 2 arguments: berth import FILE|- [REPOSITORY[:TAG]]');
  const [src, reference] = positionals as [string, string | undefined];
  const input = src === '-' ? process.stdin : fs.createReadStream(src);
  const ctx = await context(flags);
  const { id } = await importImage(ctx, input, {
    ...(reference ? { reference } : {}),
    ...(flags.message ? { message: flags.message as string } : {}),
    ...(flags.change ? { changes: flags.change as string[] } : {}),
    ...(flags.platform ? { platform: parsePlatform(flags.platform as string) } : {}),
    ...(src !== '-' ? { source: src } : {}),
  });
  process.stdout.write(`${id}\n`);
  return 0;
}
