// The image commands of `berth` (pull, push, images, image …, tag, rmi, save, load, import, login, logout).
// Today they work on the local store directly; the engine issue puts the daemon's API between them.
import { parseArgs, UsageError, type FlagSpec } from '../../common/args.js';
import { isImageError } from '../errors.js';
import { openImageContext, type ImageContext } from '../context.js';
import { parsePlatform } from '../manifest/platform.js';
import { renderProgress } from '../progress/render.js';
import { humanSize } from '../progress/units.js';
import { pullImage } from '../ops/pull.js';
import { pushImage } from '../ops/push.js';
import { listImages, inspectImage } from '../ops/image-view.js';
import { pruneImages, removeImage, tagImage, type DeleteItem } from '../ops/remove.js';
import { filterImages, renderImages } from './images-command.js';
import { renderTemplate } from './template.js';
import { loginCommand, logoutCommand } from './login-command.js';
import { importCommand, loadCommand, saveCommand } from './archive-commands.js';

const COMMON: FlagSpec[] = [{ name: 'help', short: 'h', kind: 'bool' }];

export const IMAGE_COMMANDS = ['pull', 'push', 'images', 'image', 'tag', 'rmi', 'save', 'load', 'import', 'login', 'logout'];

const USAGE: Record<string, string> = {
  pull: 'Usage: berth pull [--platform os/arch[/variant]] [-q] NAME[:TAG|@DIGEST]\n\nDownload an image from a registry',
  push: 'Usage: berth push [-q] NAME[:TAG]\n\nUpload an image to a registry',
  images: 'Usage: berth images [-a] [-q] [--digests] [--no-trunc] [-f FILTER] [--format json|TEMPLATE] [REPOSITORY[:TAG]]\n\nList images',
  tag: 'Usage: berth tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]\n\nCreate a tag TARGET_IMAGE that refers to SOURCE_IMAGE',
  rmi: 'Usage: berth rmi [-f] [--no-prune] IMAGE [IMAGE...]\n\nRemove one or more images',
  inspect: 'Usage: berth image inspect [-f TEMPLATE] IMAGE [IMAGE...]\n\nDisplay detailed information on one or more images',
  prune: 'Usage: berth image prune [-a] [-f]\n\nRemove unused images (dangling ones; with -a every image no container uses)',
};

/** Runs an image command; returns the exit code. */
export async function imageMain(cmd: string, argv: string[]): Promise<number> {
  try {
    if (cmd === 'image') {
      const [sub, ...rest] = argv;
      const map: Record<string, string> = { ls: 'images', list: 'images', rm: 'rmi', remove: 'rmi', pull: 'pull', push: 'push', tag: 'tag', save: 'save', load: 'load', import: 'import', inspect: 'inspect', prune: 'prune' };
      if (!sub || !map[sub]) {
        process.stdout.write('Usage: berth image COMMAND\n\nCommands: ls, inspect, pull, push, tag, rm, prune, save, load, import\n');
        return sub ? 1 : 0;
      }
      return await run(map[sub]!, rest);
    }
    return await run(cmd, argv);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`berth ${cmd}: ${e.message}\n`);
      return 125;
    }
    process.stderr.write(`Error: ${(e as Error).message}\n`);
    if (process.env.BERTH_DEBUG && !isImageError(e)) process.stderr.write(`${(e as Error).stack}\n`);
    return 1;
  }
}

async function context(flags: Record<string, unknown>): Promise<ImageContext> {
  const insecure = (flags['insecure-registry'] as string[] | undefined) ?? [];
  const env = (process.env.BERTH_INSECURE_REGISTRIES ?? '').split(',').filter(Boolean);
  return openImageContext({ insecureRegistries: [...env, ...insecure] });
}

async function run(cmd: string, argv: string[]): Promise<number> {
  const registryFlags: FlagSpec[] = [{ name: 'insecure-registry', kind: 'list' }];
  switch (cmd) {
    case 'pull': {
      const { flags, positionals } = parseArgs(argv, [...COMMON, ...registryFlags, { name: 'platform', kind: 'string' }, { name: 'quiet', short: 'q', kind: 'bool' }, { name: 'all-tags', short: 'a', kind: 'bool' }]);
      if (flags.help) return usage(cmd);
      one(cmd, positionals);
      const ctx = await context(flags);
      const platform = flags.platform ? parsePlatform(flags.platform as string) : undefined;
      const result = await pullImage(ctx, positionals[0]!, { ...(platform ? { platform } : {}), progress: flags.quiet ? () => {} : renderProgress(process.stdout) });
      process.stdout.write(`${result.name}\n`);
      return 0;
    }
    case 'push': {
      const { flags, positionals } = parseArgs(argv, [...COMMON, ...registryFlags, { name: 'quiet', short: 'q', kind: 'bool' }]);
      if (flags.help) return usage(cmd);
      one(cmd, positionals);
      const ctx = await context(flags);
      const r = await pushImage(ctx, positionals[0]!, { progress: flags.quiet ? () => {} : renderProgress(process.stdout) });
      if (flags.quiet) process.stdout.write(`${r.name}\n`);
      return 0;
    }
    case 'images': {
      const { flags, positionals } = parseArgs(argv, [...COMMON, { name: 'all', short: 'a', kind: 'bool' }, { name: 'quiet', short: 'q', kind: 'bool' }, { name: 'digests', kind: 'bool' }, { name: 'no-trunc', kind: 'bool' }, { name: 'filter', short: 'f', kind: 'list' }, { name: 'format', kind: 'string' }]);
      if (flags.help) return usage(cmd);
      const filters = [...((flags.filter as string[]) ?? []), ...(positionals[0] ? [`reference=${positionals[0]}`] : [])];
      const images = filterImages(await listImages(await context(flags)), filters);
      process.stdout.write(renderImages(images, { quiet: !!flags.quiet, digests: !!flags.digests, noTrunc: !!flags['no-trunc'], ...(flags.format ? { format: flags.format as string } : {}) }));
      return 0;
    }
    case 'inspect': {
      const { flags, positionals } = parseArgs(argv, [...COMMON, { name: 'format', short: 'f', kind: 'string' }]);
      if (flags.help || !positionals.length) return usage(cmd, !flags.help);
      const ctx = await context(flags);
      const docs: unknown[] = [];
      let failed = false;
      for (const p of positionals) {
        try {
          docs.push(await inspectImage(ctx, p));
        } catch (e) {
          if (!isImageError(e, 'NotFound')) throw e;
          process.stderr.write(`Error: No such image: ${p}\n`);
          failed = true;
        }
      }
      if (flags.format) for (const d of docs) process.stdout.write(`${renderTemplate(flags.format as string, d)}\n`);
      else process.stdout.write(`${JSON.stringify(docs, null, 4)}\n`);
      return failed ? 1 : 0;
    }
    case 'tag': {
      const { flags, positionals } = parseArgs(argv, COMMON);
      if (flags.help) return usage(cmd);
      if (positionals.length !== 2) throw new UsageError('"tag" requires exactly 2 arguments: SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]');
      await tagImage(await context(flags), positionals[0]!, positionals[1]!);
      return 0;
    }
    case 'rmi': {
      const { flags, positionals } = parseArgs(argv, [...COMMON, { name: 'force', short: 'f', kind: 'bool' }, { name: 'no-prune', kind: 'bool' }]);
      if (flags.help || !positionals.length) return usage(cmd, !flags.help);
      const ctx = await context(flags);
      let failed = false;
      for (const p of positionals) {
        try {
          printDeleted(await removeImage(ctx, p, { force: !!flags.force, prune: !flags['no-prune'] }));
        } catch (e) {
          if (!isImageError(e)) throw e;
          process.stderr.write(`Error: ${e.message}\n`);
          failed = true;
        }
      }
      return failed ? 1 : 0;
    }
    case 'prune': {
      const { flags } = parseArgs(argv, [...COMMON, { name: 'all', short: 'a', kind: 'bool' }, { name: 'force', short: 'f', kind: 'bool' }]);
      if (flags.help) return usage(cmd);
      const { items, reclaimed } = await pruneImages(await context(flags), { all: !!flags.all });
      if (items.length) {
        process.stdout.write('Deleted Images:\n');
        printDeleted(items, true);
        process.stdout.write('\n');
      }
      process.stdout.write(`Total reclaimed space: ${humanSize(reclaimed)}\n`);
      return 0;
    }
    case 'save':
      return saveCommand(argv, context);
    case 'load':
      return loadCommand(argv, context);
    case 'import':
      return importCommand(argv, context);
    case 'login':
      return loginCommand(argv, context);
    case 'logout':
      return logoutCommand(argv);
    default:
      throw new UsageError(`unknown image command "${cmd}"`);
  }
}

function printDeleted(items: DeleteItem[], lower = false): void {
  for (const it of items) {
    const [k, v] = 'Untagged' in it ? ['Untagged', it.Untagged] : ['Deleted', it.Deleted];
    process.stdout.write(`${lower ? k.toLowerCase() : k}: ${v}\n`);
  }
}

function one(cmd: string, positionals: string[]): void {
  if (positionals.length !== 1) throw new UsageError(`"${cmd}" requires exactly 1 argument (see 'berth ${cmd} --help')`);
}

function usage(cmd: string, error = false): number {
  (error ? process.stderr : process.stdout).write(`${USAGE[cmd] ?? `Usage: berth ${cmd}`}\n`);
  return error ? 1 : 0;
}

