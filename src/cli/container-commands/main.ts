// The engine-client commands of `berth` (run, ps, logs, exec, volume, network, …): each module is loaded
// only when its command runs; errors end as docker's do (flag errors and an unreachable daemon: 125; a
// daemon's refusal: "Error response from daemon: …", 1; run/create choose their own codes).
import { UsageError } from '../../common/args.js';
import { CommandError, processContext, type Command, type CommandContext } from './context.js';

type Loader = () => Promise<Command>;

const COMMANDS: Record<string, Loader> = {
  run: async () => (await import('./run-command.js')).runCommand,
  create: async () => (await import('./run-command.js')).createCommand,
  start: async () => (await import('./start-attach-commands.js')).startCommand,
  attach: async () => (await import('./start-attach-commands.js')).attachCommand,
  stop: async () => (await import('./lifecycle-commands.js')).stopCommand,
  restart: async () => (await import('./lifecycle-commands.js')).restartCommand,
  kill: async () => (await import('./lifecycle-commands.js')).killCommand,
  rm: async () => (await import('./lifecycle-commands.js')).rmCommand,
  pause: async () => (await import('./lifecycle-commands.js')).pauseCommand,
  unpause: async () => (await import('./lifecycle-commands.js')).unpauseCommand,
  rename: async () => (await import('./lifecycle-commands.js')).renameCommand,
  wait: async () => (await import('./lifecycle-commands.js')).waitCommand,
  ps: async () => (await import('./ps-command.js')).psCommand,
  logs: async () => (await import('./logs-command.js')).logsCommand,
  exec: async () => (await import('./exec-command.js')).execCommand,
  inspect: async () => (await import('./inspect-command.js')).inspectCommand,
  top: async () => (await import('./top-port-commands.js')).topCommand,
  port: async () => (await import('./top-port-commands.js')).portCommand,
  stats: async () => (await import('./stats-command.js')).statsCommand,
  cp: async () => (await import('./cp-command.js')).cpCommand,
  export: async () => (await import('./cp-command.js')).exportCommand,
  volume: async () => (await import('./volume-commands.js')).volumeCommand,
  network: async () => (await import('./network-commands.js')).networkCommand,
  info: async () => (await import('./system-commands.js')).infoCommand,
  system: async () => (await import('./system-commands.js')).systemCommand,
  events: async () => (await import('./events-command.js')).eventsCommand,
  build: async () => (await import('./build-command.js')).buildCommand,
  builder: async () => (await import('./builder-command.js')).builderCommand,
  container: async () => containerGroup,
};

/** The commands this module serves (src/cli/main.ts dispatches them here). */
export const CONTAINER_COMMANDS = Object.keys(COMMANDS);

/** `container <verb>`: docker's management-command spelling of the same commands. */
const CONTAINER_VERBS: Record<string, string> = {
  ls: 'ps', list: 'ps', ps: 'ps', run: 'run', create: 'create', start: 'start', stop: 'stop', restart: 'restart', kill: 'kill',
  rm: 'rm', remove: 'rm', pause: 'pause', unpause: 'unpause', rename: 'rename', wait: 'wait', logs: 'logs', exec: 'exec',
  inspect: 'inspect', top: 'top', port: 'port', stats: 'stats', cp: 'cp', export: 'export', attach: 'attach', prune: 'prune',
};

async function containerGroup(argv: string[], ctx: CommandContext): Promise<number> {
  const [verb, ...rest] = argv;
  if (!verb || verb === '--help' || !CONTAINER_VERBS[verb]) {
    ctx.io[verb && verb !== '--help' ? 'stderr' : 'stdout'].write(`${verb && verb !== '--help' ? `berth container: unknown command "${verb}"\n\n` : ''}Usage:  berth container COMMAND\n\nManage containers\n\nCommands:\n  ${Object.keys(CONTAINER_VERBS).join(', ')}\n`);
    return verb && verb !== '--help' ? 1 : 0;
  }
  const target = CONTAINER_VERBS[verb]!;
  if (target === 'prune') return (await import('./lifecycle-commands.js')).pruneCommand(rest, ctx);
  // `container inspect` inspects containers only.
  if (target === 'inspect') return (await import('./inspect-command.js')).inspectCommand(['--type', 'container', ...rest], ctx);
  return (await COMMANDS[target]!())(rest, ctx);
}

/** Runs one container command; returns the exit code. */
export async function containerMain(cmd: string, argv: string[], ctx: CommandContext = processContext()): Promise<number> {
  try {
    return await (await COMMANDS[cmd]!())(argv, ctx);
  } catch (e) {
    return reportError(cmd, e, ctx);
  }
}

/** Prints an error as docker does and returns its exit code. */
async function reportError(cmd: string, e: unknown, ctx: CommandContext): Promise<number> {
  const out = ctx.io.stderr;
  if (e instanceof UsageError) {
    out.write(`berth ${cmd}: ${e.message}\nSee 'berth ${cmd} --help'.\n`);
    return 125;
  }
  if (e instanceof CommandError) {
    if (e.message) out.write(`${e.message}\n`);
    return e.code;
  }
  const client = await import('../../engine/client/index.js');
  if (e instanceof client.DaemonUnreachableError || e instanceof client.DaemonStartError) {
    out.write(`berth: ${e.message}\n`);
    return 125;
  }
  if (e instanceof client.ApiError) {
    out.write(`Error response from daemon: ${e.message}\n`);
    return 1;
  }
  out.write(`Error: ${(e as Error).message ?? String(e)}\n`);
  if (ctx.env.BERTH_DEBUG) out.write(`${(e as Error).stack}\n`);
  return 1;
}
