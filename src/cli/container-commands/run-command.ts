// `berth run` and `berth create`, in the docker CLI's request order: create (on "No such image": pull, then
// create again) → attach (hijacked, before start so no output is lost) → wait?condition=next-exit (removed
// with --rm; its headers arrive before start) → start → resize → copy streams → the exit code from wait.
// Exit codes as docker's: 125 when the daemon refuses, 126/127 when the command cannot be run.
import fs from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { ApiError, readAll, seg, type EngineClient, type Hijacked } from '../../engine/client/index.js';
import { usageText, parseCommand } from './argv.js';
import { buildCreatePlan, type CreatePlan } from './create-body.js';
import { CommandError, type CommandContext } from './context.js';
import { consoleSize, followTerminalSize, proxySignals, pumpStreams } from './attach-io.js';
import { pullThroughDaemon, withDefaultTag } from './pull.js';
import { CREATE_FLAGS, RUN_FLAGS } from './run-flags.js';

const RUN_USAGE = () => usageText('run [OPTIONS] IMAGE [COMMAND] [ARG...]', 'Create and run a new container from an image', RUN_FLAGS);
const CREATE_USAGE = () => usageText('create [OPTIONS] IMAGE [COMMAND] [ARG...]', 'Create a new container', CREATE_FLAGS);

/** A daemon error during run/create: docker's "<cmd>: Error response from daemon" line, exit 125. */
function daemonFailure(cmd: string, e: unknown, code = 125): CommandError {
  const text = e instanceof ApiError ? `Error response from daemon: ${e.message}` : (e as Error).message;
  return new CommandError(`berth: ${text}\n\nRun 'berth ${cmd} --help' for more information`, code);
}

/** docker's runStartContainerErr: 127 command not found, 126 not executable, else 125. */
export function startErrorCode(message: string): number {
  if (/executable file not found|no such file or directory|system cannot find the file specified/.test(message)) return 127;
  if (/permission denied|is a directory/.test(message)) return 126;
  return 125;
}

/** POST /containers/create, pulling the image first when it is missing (or always, with --pull=always). */
async function createContainer(client: EngineClient, plan: CreatePlan, ctx: CommandContext, quiet: boolean): Promise<string> {
  const pull = () => pullThroughDaemon(client, plan.image, ctx.io.stderr, { quiet, ...(plan.platform ? { platform: plan.platform } : {}) });
  if (plan.pull === 'always') await pull();
  const create = () => client.json<{ Id: string; Warnings?: string[] | null }>('POST', '/containers/create', {
    query: { name: plan.name, ...(plan.platform ? { platform: plan.platform } : {}) },
    json: plan.body,
  });
  let created;
  try {
    created = await create();
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 404 || !/no such image/i.test(e.message) || plan.pull !== 'missing') throw e;
    ctx.io.stderr.write(`Unable to find image '${await withDefaultTag(plan.image)}' locally\n`);
    await pull();
    created = await create();
  }
  for (const w of created.Warnings ?? []) ctx.io.stderr.write(`WARNING: ${w}\n`);
  return created.Id;
}

function parse(cmd: 'run' | 'create', argv: string[], ctx: CommandContext): { plan: CreatePlan; flags: Record<string, unknown> } | undefined {
  const { flags, rest: positionals } = parseCommand(argv, cmd === 'run' ? RUN_FLAGS : CREATE_FLAGS, true);
  if (flags.help) {
    ctx.io.stdout.write(cmd === 'run' ? RUN_USAGE() : CREATE_USAGE());
    return undefined;
  }
  const detach = cmd === 'create' || flags.detach === true;
  // create keeps docker's attach defaults (stdout/stderr) in the config, for a later `start -a`.
  const plan = buildCreatePlan(flags, positionals, { env: ctx.env, cwd: ctx.cwd, readFile: (f) => fs.readFileSync(f, 'utf8') }, cmd === 'run' && detach);
  return { plan, flags };
}

/** `berth create`: prints the new container's id. */
export async function createCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const parsed = parse('create', argv, ctx);
  if (!parsed) return 0;
  const client = await ctx.client();
  try {
    ctx.io.stdout.write(`${await createContainer(client, parsed.plan, ctx, parsed.flags.quiet === true)}\n`);
  } catch (e) {
    throw daemonFailure('create', e);
  }
  return 0;
}

/** `berth run`: returns the container's exit code (or 125/126/127). */
export async function runCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const parsed = parse('run', argv, ctx);
  if (!parsed) return 0;
  const { plan, flags } = parsed;
  const detach = flags.detach === true;
  if (plan.attach.stdin && plan.tty && !ctx.io.stdin.isTTY) throw new CommandError('the input device is not a TTY', 1);
  // Like docker: the TTY starts at our terminal's size (then follows it with resize).
  const size = plan.tty ? consoleSize(ctx.io) : undefined;
  if (size && !detach) plan.body.HostConfig.ConsoleSize = size;
  const client = await ctx.client();
  let id: string;
  try {
    id = await createContainer(client, plan, ctx, flags.quiet === true);
  } catch (e) {
    throw daemonFailure('run', e);
  }
  const path = `/containers/${seg(id)}`;
  if (detach) {
    try {
      await client.send('POST', `${path}/start`);
    } catch (e) {
      throw daemonFailure('run', e, startErrorCode((e as Error).message));
    }
    ctx.io.stdout.write(`${id}\n`);
    return 0;
  }

  const { stdin, stdout, stderr } = plan.attach;
  const detachKeys = typeof flags['detach-keys'] === 'string' ? flags['detach-keys'] : '';
  let hijacked: Hijacked | undefined;
  let waitRes: IncomingMessage;
  try {
    if (stdin || stdout || stderr) hijacked = await client.hijack('POST', `${path}/attach`, { query: { stream: true, stdin, stdout, stderr, detachKeys: detachKeys || undefined } });
    // The wait is registered before start (its headers come back at once), so a quick exit is not missed.
    waitRes = await client.request('POST', `${path}/wait`, { query: { condition: plan.autoRemove ? 'removed' : 'next-exit' } });
  } catch (e) {
    hijacked?.stream.destroy();
    throw daemonFailure('run', e);
  }
  const waitBody = readAll(waitRes).then((b) => JSON.parse(b.toString('utf8') || '{}') as { StatusCode?: number; Error?: { Message?: string } | null });
  waitBody.catch(() => undefined);
  try {
    await client.send('POST', `${path}/start`);
  } catch (e) {
    hijacked?.stream.destroy();
    const failure = daemonFailure('run', e, startErrorCode((e as Error).message));
    // Like docker: with --rm the daemon removes the container; wait for that before returning.
    if (plan.autoRemove) {
      ctx.io.stderr.write(`${failure.message}\n`);
      await waitBody.catch(() => undefined);
      throw new CommandError('', failure.code);
    }
    waitRes.destroy();
    throw failure;
  }
  const stopResize = plan.tty ? followTerminalSize(ctx.io, (h, w) => client.send('POST', `${path}/resize`, { query: { h, w } })) : () => {};
  const stopSignals = flags['sig-proxy'] !== false && !plan.tty ? proxySignals(client, id) : () => {};
  try {
    if (hijacked && await pumpStreams(hijacked, ctx.io, { tty: plan.tty, stdin, detachKeys })) {
      waitRes.destroy(); // detached: the container runs on, as with docker
      return 0;
    }
    const status = await waitBody;
    if (status.Error?.Message) throw new CommandError(`berth: ${status.Error.Message}`, 125);
    return status.StatusCode ?? 0;
  } finally {
    stopResize();
    stopSignals();
  }
}
