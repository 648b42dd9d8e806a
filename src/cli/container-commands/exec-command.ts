// `berth exec`: inspect (the container must run) → POST …/exec → POST /exec/{id}/start hijacked (or detached)
// → resize with -t → copy streams → the exit code from GET /exec/{id}/json, as the docker CLI does.
import fs from 'node:fs';
import { bool, list, str, type FlagSpec } from '../../common/args.js';
import { seg } from '../../engine/client/index.js';
import { HELP_FLAG, parseCommand, usageText } from './argv.js';
import { consoleSize, followTerminalSize, pumpStreams } from './attach-io.js';
import { CommandError, requireArgs, type CommandContext } from './context.js';
import { environment } from './env-options.js';

const FLAGS: FlagSpec[] = [
  { name: 'detach', short: 'd', kind: 'bool', help: 'detached mode: run command in the background' },
  { name: 'interactive', short: 'i', kind: 'bool', help: 'keep STDIN open even if not attached' },
  { name: 'tty', short: 't', kind: 'bool', help: 'allocate a pseudo-TTY' },
  { name: 'env', short: 'e', kind: 'list', help: 'set environment variables' },
  { name: 'env-file', kind: 'list', help: 'read in a file of environment variables' },
  { name: 'user', short: 'u', kind: 'string', help: 'username or UID (format: "<name|uid>[:<group|gid>]")' },
  { name: 'workdir', short: 'w', kind: 'string', help: 'working directory inside the container' },
  { name: 'privileged', kind: 'bool', help: 'give extended privileges to the command' },
  { name: 'detach-keys', kind: 'string' },
  HELP_FLAG,
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `berth exec CONTAINER COMMAND [ARG...]`. */
export async function execCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const synopsis = 'exec [OPTIONS] CONTAINER COMMAND [ARG...]';
  const { flags, rest } = parseCommand(argv, FLAGS, true);
  if (flags.help) {
    ctx.io.stdout.write(usageText(synopsis, 'Execute a command in a running container', FLAGS));
    return 0;
  }
  requireArgs('exec', synopsis, rest, 2);
  const [container, ...cmd] = rest as [string, ...string[]];
  const detach = bool(flags, 'detach');
  const tty = bool(flags, 'tty');
  const interactive = bool(flags, 'interactive');
  if (interactive && tty && !detach && !ctx.io.stdin.isTTY) throw new CommandError('the input device is not a TTY', 1);
  const env = environment(list(flags, 'env'), list(flags, 'env-file'), (f) => fs.readFileSync(f, 'utf8'), ctx.env);
  const client = await ctx.client();
  const c = await client.json<{ Id: string; State?: { Running?: boolean; Paused?: boolean } }>('GET', `/containers/${seg(container)}/json`);
  if (!c.State?.Running) throw new CommandError(`Error response from daemon: container ${c.Id} is not running`, 1);
  if (c.State.Paused) throw new CommandError(`Error response from daemon: container ${c.Id} is paused, unpause the container before exec`, 1);
  const size = tty ? consoleSize(ctx.io) : undefined;
  const created = await client.json<{ Id: string }>('POST', `/containers/${seg(c.Id)}/exec`, {
    json: {
      User: str(flags, 'user') ?? '', Privileged: bool(flags, 'privileged'), Tty: tty, AttachStdin: interactive && !detach,
      AttachStderr: !detach, AttachStdout: !detach, Detach: detach, DetachKeys: str(flags, 'detach-keys') ?? '', Env: env,
      WorkingDir: str(flags, 'workdir') ?? '', Cmd: cmd, ...(size ? { ConsoleSize: size } : {}),
    },
  });
  const execPath = `/exec/${seg(created.Id)}`;
  if (detach) {
    await client.send('POST', `${execPath}/start`, { json: { Detach: true, Tty: tty, ...(size ? { ConsoleSize: size } : {}) } });
    return 0;
  }
  const hijacked = await client.hijack('POST', `${execPath}/start`, { json: { Detach: false, Tty: tty, ...(size ? { ConsoleSize: size } : {}) } });
  const stopResize = tty ? followTerminalSize(ctx.io, (h, w) => client.send('POST', `${execPath}/resize`, { query: { h, w } })) : () => {};
  try {
    if (await pumpStreams(hijacked, ctx.io, { tty, stdin: interactive, detachKeys: str(flags, 'detach-keys') })) return 0;
  } finally {
    stopResize();
  }
  // The output ends as the process exits; its code is recorded just after: look again briefly if needed.
  for (let i = 0; ; i++) {
    const info = await client.json<{ Running?: boolean; ExitCode?: number | null }>('GET', `${execPath}/json`);
    if ((!info.Running && info.ExitCode !== null && info.ExitCode !== undefined) || i >= 40) return info.ExitCode ?? 126;
    await sleep(50);
  }
}
