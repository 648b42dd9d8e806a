// `berth build`: the docker CLI's legacy builder client. The context (a directory walked with Docker's
// .dockerignore rules, a tar on stdin, or a Dockerfile on stdin) is streamed as a tar to POST /build with the
// same query the docker CLI sends; a Dockerfile from `-f -` or from outside the context goes in under a random
// name, as the docker CLI adds it. The daemon's jsonmessage stream is printed as it comes; with -q it is held
// and shown (on stderr) only when the build fails.
import fs from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { PassThrough, Readable, Writable } from 'node:stream';
import tar from 'tar-stream';
import { bool, list, str, UsageError, type FlagSpec } from '../../common/args.js';
import { displayJsonMessages, JsonMessageError, readAll } from '../../engine/client/index.js';
import type { ContextEntry } from '../../build/context/index.js';
import { HELP_FLAG, parseCommand, usageText } from './argv.js';
import { CommandError, requireArgs, type CommandContext } from './context.js';
import { humanSize } from './units.js';

const FLAGS: FlagSpec[] = [
  { name: 'tag', short: 't', kind: 'list', help: 'name and optionally a tag in the "name:tag" format' },
  { name: 'file', short: 'f', kind: 'string', help: 'name of the Dockerfile (default: "PATH/Dockerfile"); - reads it from stdin' },
  { name: 'build-arg', kind: 'list', help: 'set build-time variables (KEY=VALUE, or KEY to take it from the environment)' },
  { name: 'label', kind: 'list', help: 'set metadata for an image' },
  { name: 'target', kind: 'string', help: 'set the target build stage to build' },
  { name: 'platform', kind: 'string', help: 'set platform if server is multi-platform capable' },
  { name: 'quiet', short: 'q', kind: 'bool', help: 'suppress the build output and print image ID on success' },
  { name: 'iidfile', kind: 'string', help: 'write the image ID to the file' },
  { name: 'network', kind: 'string', help: 'set the networking mode for the RUN instructions during build (default "default")' },
  { name: 'no-cache', kind: 'bool', help: 'do not use cache when building the image' },
  { name: 'pull', kind: 'bool', help: 'always attempt to pull a newer version of the image' },
  { name: 'rm', kind: 'bool', help: 'remove intermediate containers after a successful build (default true)' },
  { name: 'force-rm', kind: 'bool', help: 'always remove intermediate containers' },
  HELP_FLAG,
];

const SYNOPSIS = 'build [OPTIONS] PATH | -';
/** docker's archiveHeaderSize: how much of stdin is looked at to tell a tar from a Dockerfile. */
const ARCHIVE_HEADER_SIZE = 512;

/** The context as it will be sent: tar bytes, and the Dockerfile's name inside it ('' = the daemon's default). */
interface PreparedContext {
  source: AsyncIterable<Buffer>;
  dockerfile: string;
}

/** `berth build [OPTIONS] PATH | -`. */
export async function buildCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const { flags, positionals } = parseCommand(argv, FLAGS);
  if (flags.help) {
    ctx.io.stdout.write(usageText(SYNOPSIS, 'Build an image from a Dockerfile', FLAGS));
    return 0;
  }
  requireArgs('build', SYNOPSIS, positionals, 1, 1);
  const tags = list(flags, 'tag');
  await checkTags(tags);
  const buildArgs = buildArgsOf(list(flags, 'build-arg'), ctx.env);
  const labels = labelsOf(list(flags, 'label'));
  const quiet = bool(flags, 'quiet');
  const iidfile = str(flags, 'iidfile');
  // As docker: an old id file must not survive a failed build.
  if (iidfile) fs.rmSync(path.resolve(ctx.cwd, iidfile), { force: true });

  const started = performance.now();
  const prepared = await prepareContext(positionals[0]!, str(flags, 'file'), ctx);
  // docker's progBuff/buildBuff: the terminal, or (with -q) buffers shown only on failure.
  const progress = quiet ? new Held() : undefined;
  const output = quiet ? new Held() : undefined;
  const progOut: NodeJS.WritableStream = progress?.stream ?? ctx.io.stdout;
  const buildOut = (output?.stream ?? ctx.io.stdout) as NodeJS.WritableStream & { isTTY?: boolean };
  const showHeld = () => quiet && ctx.io.stderr.write(progress!.text() + output!.text());

  const body = new PassThrough();
  let sendError: Error | undefined;
  const sending = pump(prepared.source, body, (n) => progOut.write(sendingLine(n))).catch((e: Error) => void (sendError = e));
  const platform = str(flags, 'platform') || ctx.env.DOCKER_DEFAULT_PLATFORM || undefined;
  const network = str(flags, 'network');
  const client = await ctx.client();
  let res;
  try {
    res = await client.request('POST', '/build', {
      // What docker's client sends: defaults and empty values left out.
      query: {
        t: tags, q: quiet || undefined, nocache: bool(flags, 'no-cache') || undefined, rm: flags.rm === false ? '0' : undefined,
        forcerm: bool(flags, 'force-rm') || undefined, pull: bool(flags, 'pull') || undefined,
        networkmode: network && network !== 'default' ? network : undefined, dockerfile: prepared.dockerfile, target: str(flags, 'target') || undefined,
        buildargs: Object.keys(buildArgs).length ? JSON.stringify(buildArgs) : undefined,
        labels: Object.keys(labels).length ? JSON.stringify(labels) : undefined,
        platform: platform?.toLowerCase(), version: '1',
      },
      body,
      headers: { 'Content-Type': 'application/x-tar', 'X-Registry-Config': await registryConfig(ctx.env) },
    });
  } catch (e) {
    // The daemon refused before reading everything: stop feeding it.
    const aborted = new Error('the daemon stopped reading the build context');
    body.destroy(aborted);
    await sending;
    showHeld();
    // A context that could not be read is cut short on purpose (the daemon then refuses it): say why.
    if (sendError && sendError !== aborted) throw new CommandError(`error sending the build context: ${sendError.message}`, 1);
    throw e;
  }
  await sending;
  let aux: unknown[];
  try {
    aux = await displayJsonMessages(res, buildOut);
  } catch (e) {
    if (!(e instanceof JsonMessageError)) throw e;
    showHeld();
    // docker exits with the error's code (a failing RUN's exit status), 1 when it has none.
    throw new CommandError(e.message, e.code || 1);
  }
  let imageId = '';
  for (const a of aux) if (a && typeof (a as { ID?: unknown }).ID === 'string') imageId = (a as { ID: string }).ID;
  if (output) {
    imageId = output.text(); // with -q the daemon's only output is the id line
    ctx.io.stdout.write(imageId);
  }
  if (iidfile) {
    if (!imageId) throw new CommandError(`Server did not provide an image ID. Cannot write ${iidfile}`, 1);
    fs.writeFileSync(path.resolve(ctx.cwd, iidfile), imageId, { mode: 0o666 });
  }
  // The legacy builder's output has no timing; the elapsed time (context upload included) closes it.
  if (!quiet) ctx.io.stdout.write(`Built in ${((performance.now() - started) / 1000).toFixed(2)}s\n`);
  return 0;
}

/** Output kept in memory (docker's bytes.Buffer for -q). */
class Held {
  private chunks: Buffer[] = [];
  readonly stream = new Writable({ write: (c: Buffer, _e, cb) => (this.chunks.push(Buffer.from(c)), cb()) });
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/** docker's upload progress as a non-terminal shows it: only the last update. */
function sendingLine(bytes: number): string {
  const size = bytes > 0 ? humanSize(bytes).padStart(8) : '';
  return `Sending build context to Docker daemon ${size}\r${size ? '' : '\n'}\r\n`;
}

/** Copies `source` into `body`; on a read error the body is ended early (the daemon then refuses the short tar). */
async function pump(source: AsyncIterable<Buffer>, body: PassThrough, done: (bytes: number) => void): Promise<void> {
  let n = 0;
  try {
    for await (const chunk of source) {
      n += chunk.length;
      if (!body.write(chunk)) await once(body, 'drain');
    }
  } finally {
    body.end();
  }
  done(n);
}

/** -t values must be references (docker: `invalid argument "X" for "-t, --tag" flag: invalid reference format`). */
async function checkTags(tags: string[]): Promise<void> {
  const { parseReference } = await import('../../image/reference/parse.js');
  for (const t of tags) {
    try {
      const ref = parseReference(t);
      if (ref.digest) throw new Error('a tag cannot name a digest');
    } catch (e) {
      throw new UsageError(`invalid argument "${t}" for "-t, --tag" flag: ${(e as Error).message}`);
    }
  }
}

/** --build-arg: KEY=VALUE, or KEY alone taken from the environment (null when unset: the Dockerfile's default). */
export function buildArgsOf(values: string[], env: NodeJS.ProcessEnv): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq === 0 || v === '') throw new UsageError(`invalid argument "${v}" for "--build-arg" flag: invalid environment variable: ${v}`);
    if (eq > 0) out[v.slice(0, eq)] = v.slice(eq + 1);
    else out[v] = env[v] ?? null;
  }
  return out;
}

/** --label KEY=VALUE (KEY alone is an empty value). */
function labelsOf(values: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    const key = eq >= 0 ? v.slice(0, eq) : v;
    if (key.trim() === '') throw new UsageError(`invalid argument "${v}" for "--label" flag: invalid label '${v}': empty name`);
    out[key] = eq >= 0 ? v.slice(eq + 1) : '';
  }
  return out;
}

/** X-Registry-Config: every stored credential keyed by registry, for the pulls of FROM images (as docker sends). */
async function registryConfig(env: NodeJS.ProcessEnv): Promise<string> {
  const { dockerConfigDir, readCredentials } = await import('../../image/registry/credentials.js');
  let keys: string[] = [];
  try {
    const doc = JSON.parse(fs.readFileSync(path.join(dockerConfigDir(env), 'config.json'), 'utf8')) as { auths?: object; credHelpers?: object };
    keys = [...new Set([...Object.keys(doc.auths ?? {}), ...Object.keys(doc.credHelpers ?? {})])];
  } catch {
    /* no config file: no credentials */
  }
  const configs: Record<string, Record<string, string>> = {};
  for (const key of keys) {
    const c = await readCredentials(key, { env }).catch(() => undefined);
    if (!c) continue;
    configs[key] = {
      ...(c.username ? { username: c.username } : {}), ...(c.password ? { password: c.password } : {}),
      ...(c.identityToken ? { identitytoken: c.identityToken } : {}), ...(c.registryToken ? { registrytoken: c.registryToken } : {}),
      serveraddress: key,
    };
  }
  return Buffer.from(JSON.stringify(configs)).toString('base64url');
}

/** The context and Dockerfile name, following docker's rules for PATH, `-` and -f. */
async function prepareContext(arg: string, file: string | undefined, ctx: CommandContext): Promise<PreparedContext> {
  if (arg === '-') {
    if (file === '-') throw new CommandError("invalid argument: can't use stdin for both build context and dockerfile", 1);
    return contextFromStdin(ctx.io.stdin, file ?? '');
  }
  if (/^(https?:\/\/|git:\/\/|git@|github\.com\/)/.test(arg)) {
    throw new CommandError(`unable to prepare context: remote contexts (URLs, git) are not supported by berth build; clone or download ${arg} and pass the directory`, 1);
  }
  const given = path.resolve(ctx.cwd, arg);
  if (!fs.existsSync(given)) throw new CommandError(`unable to prepare context: path "${arg}" not found`, 1);
  const contextDir = fs.realpathSync(given);
  if (!fs.statSync(contextDir).isDirectory()) throw new CommandError(`unable to prepare context: context must be a directory: ${contextDir}`, 1);

  let extra: Buffer | undefined; // a Dockerfile that is not in the context (stdin, or a file outside it)
  let rel: string | null = null;
  if (file === '-') {
    extra = await readAll(ctx.io.stdin);
  } else {
    const abs = dockerfilePath(contextDir, file, ctx.cwd);
    let real: string;
    try {
      real = fs.realpathSync(abs);
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? `lstat ${abs}: no such file or directory` : (e as Error).message;
      throw new CommandError(`unable to prepare context: unable to evaluate symlinks in Dockerfile path: ${why}`, 1);
    }
    const r = path.relative(contextDir, real);
    if (r === '..' || r.startsWith('../')) extra = fs.readFileSync(abs);
    else rel = r.split(path.sep).join('/');
  }
  const { listContext, readContextIgnore } = await import('../../build/context/index.js');
  let entries: ContextEntry[];
  try {
    entries = await listContext(contextDir, { matcher: await readContextIgnore(contextDir), dockerfile: rel });
  } catch (e) {
    throw new CommandError(`error checking context: ${(e as Error).message}`, 1);
  }
  const extraName = extra ? `.dockerfile.${randomBytes(10).toString('hex')}` : undefined;
  const pack = tar.pack();
  void writeContext(pack, contextDir, entries, extra && extraName ? { name: extraName, content: extra } : undefined)
    .then(() => pack.finalize(), (e: Error) => pack.destroy(e));
  return { source: pack as AsyncIterable<Buffer>, dockerfile: extraName ?? rel! };
}

/** -f is relative to the working directory (docker's rule); without it, PATH/Dockerfile, else PATH/dockerfile. */
function dockerfilePath(contextDir: string, file: string | undefined, cwd: string): string {
  if (file) return path.resolve(cwd, file);
  const upper = path.join(contextDir, 'Dockerfile');
  const lower = path.join(contextDir, 'dockerfile');
  return !fs.existsSync(upper) && fs.existsSync(lower) ? lower : upper;
}

/** `-`: a tar (maybe compressed) is the context as is; anything else is a Dockerfile, sent alone. */
async function contextFromStdin(stdin: Readable, file: string): Promise<PreparedContext> {
  const it = (stdin as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  const chunks: Buffer[] = [];
  let size = 0;
  while (size < ARCHIVE_HEADER_SIZE) {
    const r = await it.next();
    if (r.done) break;
    const chunk = Buffer.from(r.value);
    chunks.push(chunk);
    size += chunk.length;
  }
  const head = Buffer.concat(chunks);
  async function* all(): AsyncIterable<Buffer> {
    if (head.length) yield head;
    for (let r = await it.next(); !r.done; r = await it.next()) yield Buffer.from(r.value);
  }
  if (isArchive(head)) return { source: all(), dockerfile: file };
  const parts: Buffer[] = [];
  for await (const c of all()) parts.push(c);
  const pack = tar.pack();
  const now = new Date();
  pack.entry({ name: 'Dockerfile', mode: 0o644, mtime: now, uid: 0, gid: 0, type: 'file' }, Buffer.concat(parts), (err) => (err ? pack.destroy(err) : pack.finalize()));
  return { source: pack as AsyncIterable<Buffer>, dockerfile: 'Dockerfile' };
}

/** docker's IsArchive: a known compression magic, or a first block that reads as a tar header (checksum). */
export function isArchive(head: Buffer): boolean {
  const magics = [[0x42, 0x5a, 0x68], [0x1f, 0x8b, 0x08], [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], [0x28, 0xb5, 0x2f, 0xfd]];
  if (magics.some((m) => head.length >= m.length && m.every((b, i) => head[i] === b))) return true;
  if (head.length < 512) return false;
  const block = head.subarray(0, 512);
  if (block.every((b) => b === 0)) return false;
  const field = block.subarray(148, 156).toString('latin1').replace(/[\0 ]+$/, '').trim();
  if (!/^[0-7]+$/.test(field)) return false;
  const want = parseInt(field, 8);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < 512; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : block[i]!;
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  return want === unsigned || want === signed;
}

/** Writes the listed entries as docker's TarWithOptions does (owner 0:0, hard links kept), plus an out-of-context Dockerfile. */
async function writeContext(pack: tar.Pack, dir: string, entries: ContextEntry[], extra?: { name: string; content: Buffer }): Promise<void> {
  const links = new Map<string, string>();
  let sawIgnore = false;
  for (const e of entries) {
    const st = e.stat;
    const full = path.join(dir, e.path);
    const base = { name: e.path, mode: st.mode & 0o7777, mtime: st.mtime, uid: 0, gid: 0 };
    if (st.isDirectory()) await add(pack, { ...base, name: `${e.path}/`, type: 'directory' });
    else if (st.isSymbolicLink()) await add(pack, { ...base, type: 'symlink', linkname: fs.readlinkSync(full) });
    else if (st.isFIFO()) await add(pack, { ...base, type: 'fifo' });
    else if (st.isCharacterDevice() || st.isBlockDevice()) {
      const rdev = st.rdev;
      await add(pack, { ...base, type: st.isCharacterDevice() ? 'character-device' : 'block-device', devmajor: (rdev >>> 8) & 0xfff, devminor: (rdev & 0xff) | ((rdev >>> 12) & 0xfff00) });
    } else if (st.isFile()) {
      const key = `${st.dev}:${st.ino}`;
      const first = st.nlink > 1 ? links.get(key) : undefined;
      if (first) {
        await add(pack, { ...base, type: 'link', linkname: first });
        continue;
      }
      if (st.nlink > 1) links.set(key, e.path);
      if (extra && e.path === '.dockerignore') {
        // docker's AddDockerfileToBuildContext: the random name is ignored, so COPY . never copies it.
        sawIgnore = true;
        await add(pack, { ...base, type: 'file' }, Buffer.concat([fs.readFileSync(full), Buffer.from(`\n${extra.name}\n`)]));
      } else await addFile(pack, { ...base, type: 'file', size: st.size }, full);
    } // sockets are skipped, as docker does
  }
  if (!extra) return;
  const now = new Date();
  await add(pack, { name: extra.name, mode: 0o600, mtime: now, uid: 0, gid: 0, type: 'file' }, extra.content);
  if (!sawIgnore) await add(pack, { name: '.dockerignore', mode: 0o600, mtime: now, uid: 0, gid: 0, type: 'file' }, Buffer.from(`.dockerignore\n${extra.name}\n`));
}

function add(pack: tar.Pack, header: Partial<tar.Header> & { name: string }, content?: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    pack.entry(header, content ?? Buffer.alloc(0), (err) => (err ? reject(err) : resolve()));
  });
}

/** Streams a file into the tar (its size as lstat saw it; a file that changed meanwhile fails the entry). */
function addFile(pack: tar.Pack, header: Partial<tar.Header> & { name: string }, file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const entry = pack.entry(header, (err) => (err ? reject(new Error(`${file}: ${err.message}`)) : resolve()));
    const src = fs.createReadStream(file);
    src.on('error', (e) => {
      reject(new Error(`reading ${file}: ${e.message}`));
      entry.destroy(e);
    });
    src.pipe(entry);
  });
}
