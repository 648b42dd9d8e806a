// `berth start` (-a/-i attach before starting, as docker does) and `berth attach` (join a running
// container's stdio; its exit code becomes ours).
import { bool, str, type FlagSpec } from '../../common/args.js';
import { readAll, seg, type EngineClient } from '../../engine/client/index.js';
import { HELP_FLAG, parseCommand, usageText } from './argv.js';
import { followTerminalSize, proxySignals, pumpStreams } from './attach-io.js';
import { CommandError, errorLine, requireArgs, type CommandContext } from './context.js';
import { startErrorCode } from './run-command.js';

interface InspectState {
  Id: string;
  Config?: { Tty?: boolean; OpenStdin?: boolean } | null;
  State?: { Running?: boolean; Paused?: boolean; Restarting?: boolean; ExitCode?: number };
}

const inspect = (client: EngineClient, name: string) => client.json<InspectState>('GET', `/containers/${seg(name)}/json`);

/** Reads a wait response's status code (a failed wait is an error). */
async function waitStatus(res: import('node:http').IncomingMessage): Promise<number> {
  const body = JSON.parse((await readAll(res)).toString('utf8') || '{}') as { StatusCode?: number; Error?: { Message?: string } | null };
  if (body.Error?.Message) throw new CommandError(`Error: ${body.Error.Message}`, 125);
  return body.StatusCode ?? 0;
}

const START_FLAGS: FlagSpec[] = [
  { name: 'attach', short: 'a', kind: 'bool', help: "attach STDOUT/STDERR and forward signals" },
  { name: 'interactive', short: 'i', kind: 'bool', help: "attach container's STDIN" },
  { name: 'detach-keys', kind: 'string' },
  HELP_FLAG,
];

/** `berth start`. */
export async function startCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const synopsis = 'start [OPTIONS] CONTAINER [CONTAINER...]';
  const { flags, positionals } = parseCommand(argv, START_FLAGS);
  if (flags.help) {
    ctx.io.stdout.write(usageText(synopsis, 'Start one or more stopped containers', START_FLAGS));
    return 0;
  }
  requireArgs('start', synopsis, positionals, 1);
  const client = await ctx.client();
  if (!bool(flags, 'attach') && !bool(flags, 'interactive')) {
    let failed = false;
    for (const name of positionals) {
      try {
        await client.send('POST', `/containers/${seg(name)}/start`);
        ctx.io.stdout.write(`${name}\n`);
      } catch (e) {
        failed = true;
        ctx.io.stderr.write(`${errorLine(e)}\n`);
      }
    }
    if (failed) throw new CommandError('Error: failed to start containers: ' + positionals.join(', '), 1);
    return 0;
  }
  if (positionals.length > 1) throw new CommandError('you cannot start and attach multiple containers at once', 1);
  const c = await inspect(client, positionals[0]!);
  const tty = c.Config?.Tty === true;
  const stdin = bool(flags, 'interactive') && c.Config?.OpenStdin === true;
  const path = `/containers/${seg(c.Id)}`;
  const hijacked = await client.hijack('POST', `${path}/attach`, { query: { stream: true, stdin, stdout: true, stderr: true, detachKeys: str(flags, 'detach-keys') || undefined } });
  const waitRes = await client.request('POST', `${path}/wait`, { query: { condition: 'next-exit' } });
  try {
    await client.send('POST', `${path}/start`);
  } catch (e) {
    hijacked.stream.destroy();
    waitRes.destroy();
    throw new CommandError(errorLine(e), startErrorCode((e as Error).message));
  }
  const stopResize = tty ? followTerminalSize(ctx.io, (h, w) => client.send('POST', `${path}/resize`, { query: { h, w } })) : () => {};
  const stopSignals = tty ? () => {} : proxySignals(client, c.Id);
  try {
    if (await pumpStreams(hijacked, ctx.io, { tty, stdin, detachKeys: str(flags, 'detach-keys') })) {
      waitRes.destroy(); // detached: the container runs on
      return 0;
    }
    return await waitStatus(waitRes);
  } finally {
    stopResize();
    stopSignals();
  }
}

const ATTACH_FLAGS: FlagSpec[] = [
  { name: 'no-stdin', kind: 'bool', help: 'do not attach STDIN' },
  { name: 'sig-proxy', kind: 'bool', help: 'proxy all received signals to the process (default true)' },
  { name: 'detach-keys', kind: 'string' },
  HELP_FLAG,
];

/** `berth attach CONTAINER`. */
export async function attachCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const synopsis = 'attach [OPTIONS] CONTAINER';
  const { flags, positionals } = parseCommand(argv, ATTACH_FLAGS);
  if (flags.help) {
    ctx.io.stdout.write(usageText(synopsis, "Attach local standard input, output, and error streams to a running container", ATTACH_FLAGS));
    return 0;
  }
  requireArgs('attach', synopsis, positionals, 1, 1);
  const client = await ctx.client();
  const c = await inspect(client, positionals[0]!);
  if (!c.State?.Running) throw new CommandError('You cannot attach to a stopped container, start it first', 1);
  if (c.State.Paused) throw new CommandError('You cannot attach to a paused container, unpause it first', 1);
  if (c.State.Restarting) throw new CommandError('You cannot attach to a restarting container, wait until it is running', 1);
  const tty = c.Config?.Tty === true;
  const stdin = !bool(flags, 'no-stdin') && c.Config?.OpenStdin === true;
  const path = `/containers/${seg(c.Id)}`;
  const hijacked = await client.hijack('POST', `${path}/attach`, { query: { stream: true, stdin, stdout: true, stderr: true, detachKeys: str(flags, 'detach-keys') || undefined } });
  const stopResize = tty ? followTerminalSize(ctx.io, (h, w) => client.send('POST', `${path}/resize`, { query: { h, w } })) : () => {};
  const stopSignals = !tty && flags['sig-proxy'] !== false ? proxySignals(client, c.Id) : () => {};
  try {
    if (await pumpStreams(hijacked, ctx.io, { tty, stdin, detachKeys: str(flags, 'detach-keys') })) return 0;
    return await waitStatus(await client.request('POST', `${path}/wait`));
  } finally {
    stopResize();
    stopSignals();
  }
}
