// `berth cp` (GET/HEAD/PUT /containers/{id}/archive with tar, as docker cp: into an existing directory, or
// renamed to the destination's name) and `berth export` (GET …/export). Tars are read and written by the
// system tar, so owners, modes, links and xattrs survive.
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { str, type FlagSpec } from '../../common/args.js';
import { ApiError, readAll, seg, type EngineClient } from '../../engine/client/index.js';
import { HELP_FLAG, parseCommand, usageText } from './argv.js';
import { CommandError, requireArgs, type CommandContext } from './context.js';
import { humanSize } from './units.js';

const FLAGS: FlagSpec[] = [
  { name: 'archive', short: 'a', kind: 'bool', help: 'archive mode (copy all uid/gid information)' },
  { name: 'follow-link', short: 'L', kind: 'bool', help: 'always follow symbol link in SRC_PATH' },
  { name: 'quiet', short: 'q', kind: 'bool', help: 'suppress progress output during copy' },
  HELP_FLAG,
];

const SYNOPSIS = 'cp [OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n        berth cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH';

/** docker's splitCpArg: "name:/path" is a container path unless the argument starts like a local path. */
export function splitCpArg(arg: string): { container?: string; path: string } {
  if (arg.startsWith('/') || arg.startsWith('.')) return { path: arg };
  const i = arg.indexOf(':');
  if (i <= 0) return { path: arg };
  return { container: arg.slice(0, i), path: arg.slice(i + 1) || '/' };
}

/** The X-Docker-Container-Path-Stat header (base64 JSON). */
function pathStat(header: string | string[] | undefined): { name: string; mode: number } | undefined {
  if (typeof header !== 'string') return undefined;
  try {
    return JSON.parse(Buffer.from(header, 'base64').toString('utf8')) as { name: string; mode: number };
  } catch {
    return undefined;
  }
}

/** Go's os.ModeDir (bit 31) in a FileMode; read as uint32, since a signed encoding makes it negative. */
const isDirMode = (mode: number) => ((mode >>> 31) & 1) === 1;

/** Runs tar with `args`; `input` feeds its stdin, its stdout is returned when `readOutput`; rejects with tar's stderr. */
function tar(args: string[], io: { input?: Readable; readOutput?: boolean }): { done: Promise<void>; stdout: Readable | null } {
  const child = spawn('tar', args, { stdio: [io.input ? 'pipe' : 'ignore', io.readOutput ? 'pipe' : 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  if (io.input) io.input.pipe(child.stdin!);
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', (e) => reject(new Error(`tar: ${e.message}`)));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`tar ${args[0]}: ${err.trim() || `exit ${code}`}`))));
  });
  return { done, stdout: child.stdout };
}

/** Counts bytes passing through a readable (for "Successfully copied"). */
function counted(src: Readable): { stream: Readable; bytes: () => number } {
  let n = 0;
  src.on('data', (d: Buffer) => (n += d.length));
  return { stream: src, bytes: () => n };
}

async function fromContainer(client: EngineClient, ctx: CommandContext, container: string, src: string, dest: string, flags: Record<string, unknown>): Promise<void> {
  const res = await client.request('GET', `/containers/${seg(container)}/archive`, { query: { path: src } });
  if (dest === '-') {
    await new Promise<void>((resolve, reject) => {
      res.pipe(ctx.io.stdout, { end: false });
      res.on('end', resolve);
      res.on('error', reject);
    });
    return;
  }
  const stat = pathStat(res.headers['x-docker-container-path-stat']);
  const target = path.resolve(ctx.cwd, dest);
  const existing = fs.statSync(target, { throwIfNoEntry: false });
  const srcIsDir = stat ? isDirMode(stat.mode) : false;
  if (existing && !existing.isDirectory() && srcIsDir) {
    res.destroy();
    throw new CommandError(`Error: cannot copy directory to a file: ${dest}`, 1);
  }
  if (!existing && dest.endsWith('/')) {
    res.destroy();
    throw new CommandError(`Error: destination directory ${dest} must exist`, 1);
  }
  const extractArgs = (dir: string) => ['-x', '-f', '-', '-C', dir, ...(flags.archive ? ['--same-owner'] : ['--no-same-owner'])];
  const data = counted(res);
  if (existing?.isDirectory()) {
    await tar(extractArgs(target), { input: data.stream }).done;
  } else {
    const parent = path.dirname(target);
    if (!fs.existsSync(parent)) {
      res.destroy();
      throw new CommandError(`Error: ${parent}: no such directory (the destination's parent must exist)`, 1);
    }
    const tmp = fs.mkdtempSync(path.join(parent, '.berth-cp-'));
    try {
      await tar(extractArgs(tmp), { input: data.stream }).done;
      const [top] = fs.readdirSync(tmp);
      if (!top) throw new Error(`the archive of ${container}:${src} was empty`);
      if (existing) fs.rmSync(target, { force: true });
      fs.renameSync(path.join(tmp, top), target);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }
  if (!flags.quiet) ctx.io.stderr.write(`Successfully copied ${humanSize(data.bytes(), 3)} to ${dest}\n`);
}

/** A sed replacement for tar --transform: the top entry renamed. */
function renameTransform(from: string, to: string): string {
  const re = from.replace(/[\\^$.*[\]/,&]/g, (c) => `\\${c}`);
  const rep = to.replace(/[\\,&]/g, (c) => `\\${c}`);
  return `s,^${re},${rep},`;
}

async function toContainer(client: EngineClient, ctx: CommandContext, src: string, container: string, dest: string, flags: Record<string, unknown>): Promise<void> {
  const base = `/containers/${seg(container)}/archive`;
  const query = { noOverwriteDirNonDir: true, copyUIDGID: flags.archive === true ? true : undefined };
  if (src === '-') {
    await readAll(await client.request('PUT', base, { query: { ...query, path: dest }, body: ctx.io.stdin, headers: { 'Content-Type': 'application/x-tar' } }));
    return;
  }
  const local = path.resolve(ctx.cwd, src);
  const st = (flags['follow-link'] ? fs.statSync : fs.lstatSync)(local, { throwIfNoEntry: false });
  if (!st) throw new CommandError(`Error: lstat ${local}: no such file or directory`, 1);
  let dir = dest;
  let name = path.basename(local);
  try {
    const head = await client.request('HEAD', base, { query: { path: dest } });
    head.resume();
    const stat = pathStat(head.headers['x-docker-container-path-stat']);
    if (!stat || !isDirMode(stat.mode)) {
      if (st.isDirectory()) throw new CommandError(`Error: cannot copy a directory to a file: ${container}:${dest}`, 1);
      dir = path.posix.dirname(dest);
      name = path.posix.basename(dest);
    }
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 404)) throw e;
    if (dest.endsWith('/')) throw new CommandError(`Error: destination directory ${container}:${dest} must exist`, 1);
    dir = path.posix.dirname(dest);
    name = path.posix.basename(dest);
  }
  const args = ['-c', '-f', '-', '-C', path.dirname(local), ...(flags['follow-link'] ? ['-h'] : []), ...(name !== path.basename(local) ? [`--transform=${renameTransform(path.basename(local), name)}`] : []), '--', path.basename(local)];
  const { done, stdout } = tar(args, { readOutput: true });
  const data = counted(stdout!);
  await Promise.all([done, readAll(await client.request('PUT', base, { query: { ...query, path: dir }, body: data.stream, headers: { 'Content-Type': 'application/x-tar' } }))]);
  if (!flags.quiet) ctx.io.stderr.write(`Successfully copied ${humanSize(data.bytes(), 3)} to ${container}:${dest}\n`);
}

/** `berth cp`. */
export async function cpCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const { flags, positionals } = parseCommand(argv, FLAGS);
  if (flags.help) {
    ctx.io.stdout.write(usageText(SYNOPSIS, 'Copy files/folders between a container and the local filesystem', FLAGS));
    return 0;
  }
  requireArgs('cp', SYNOPSIS, positionals, 2, 2);
  const src = splitCpArg(positionals[0]!);
  const dst = splitCpArg(positionals[1]!);
  if (src.container && dst.container) throw new CommandError('copying between containers is not supported', 1);
  if (!src.container && !dst.container) throw new CommandError('must specify at least one container source', 1);
  const client = await ctx.client();
  if (src.container) await fromContainer(client, ctx, src.container, src.path, dst.path, flags);
  else await toContainer(client, ctx, src.path, dst.container!, dst.path, flags);
  return 0;
}

/** `berth export [-o FILE] CONTAINER`. */
export async function exportCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const specs: FlagSpec[] = [{ name: 'output', short: 'o', kind: 'string', help: 'write to a file, instead of STDOUT' }, HELP_FLAG];
  const { flags, positionals } = parseCommand(argv, specs);
  if (flags.help) {
    ctx.io.stdout.write(usageText('export [OPTIONS] CONTAINER', "Export a container's filesystem as a tar archive", specs));
    return 0;
  }
  requireArgs('export', 'export [OPTIONS] CONTAINER', positionals, 1, 1);
  const file = str(flags, 'output');
  if (!file && ctx.io.stdout.isTTY) throw new CommandError('cowardly refusing to save to a terminal. Use the -o flag or redirect', 1);
  const res = await (await ctx.client()).request('GET', `/containers/${seg(positionals[0]!)}/export`);
  const out: Writable = file ? fs.createWriteStream(path.resolve(ctx.cwd, file)) : ctx.io.stdout;
  await new Promise<void>((resolve, reject) => {
    res.pipe(out, { end: !!file });
    res.on('error', reject);
    // A reader that stops early (`| head`) is not an error of ours.
    out.on('error', (e: NodeJS.ErrnoException) => (e.code === 'EPIPE' ? (res.destroy(), resolve()) : reject(e)));
    if (file) out.on('finish', resolve);
    else res.on('end', resolve);
  });
  return 0;
}
