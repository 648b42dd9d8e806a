// `berth runtime` / `berth-runtime`: runc's command line over the runtime library.
import { parseArgs, flagHelp, str, bool, UsageError, type FlagSpec } from '../../common/args.js';
import { RuntimeLog, type LogFormat } from './log.js';
import { VERSION, SPEC_VERSION } from '../version.js';
import { newContext, type RuntimeContext } from '../lifecycle/context.js';

export interface CommandEnv {
  root: string;
  rootless: boolean;
  log: RuntimeLog;
  cgroupParent?: string;
  name: string;
}

export interface Command {
  summary: string;
  usage: string;
  flags: FlagSpec[];
  /** Exit code to use when the command fails (runc exec uses 255). */
  failureCode?: number;
  run(env: CommandEnv, flags: Record<string, string | boolean | string[] | undefined>, args: string[]): Promise<number | void>;
}

const GLOBAL_FLAGS: FlagSpec[] = [
  { name: 'root', kind: 'string', help: 'state directory (default /run/berth/runtime, or $BERTH_RUNTIME_ROOT)' },
  { name: 'log', kind: 'string', help: 'append log lines to this file' },
  { name: 'log-format', kind: 'string', help: 'log format: text or json (default text)' },
  { name: 'debug', kind: 'bool', help: 'log debug messages' },
  { name: 'systemd-cgroup', kind: 'bool', help: 'use systemd cgroups (not supported: refused clearly)' },
  { name: 'rootless', kind: 'string', help: 'true, false or auto (default: true for non-root callers): run without cgroups the caller may not create' },
  { name: 'criu', kind: 'string' },
  { name: 'version', short: 'v', kind: 'bool', help: 'print the version' },
  { name: 'help', short: 'h', kind: 'bool', help: 'show help' },
];

async function commands(): Promise<Record<string, Command>> {
  const [lifecycle, info] = await Promise.all([import('./lifecycle-commands.js'), import('./info-commands.js')]);
  return { ...lifecycle.lifecycleCommands, ...info.infoCommands };
}

/** Runs the runtime CLI with argv (after the program name); returns the exit code. */
export async function runtimeMain(argv: string[], name = 'berth-runtime'): Promise<number> {
  let log = new RuntimeLog(undefined, 'text');
  let failureCode = 1;
  try {
    const g = parseArgs(argv, GLOBAL_FLAGS, true);
    const logFormat = (str(g.flags, 'log-format') ?? 'text') as LogFormat;
    if (logFormat !== 'text' && logFormat !== 'json') throw new UsageError(`--log-format must be text or json, not "${logFormat}"`);
    log = new RuntimeLog(str(g.flags, 'log'), logFormat, bool(g.flags, 'debug'));
    log.debug(`${name} ${argv.join(' ')}`);
    if (bool(g.flags, 'version')) {
      process.stdout.write(`${name} version ${VERSION}\ncommit: ${VERSION}\nspec: ${SPEC_VERSION}\n`);
      return 0;
    }
    if (bool(g.flags, 'systemd-cgroup')) {
      throw new UsageError('--systemd-cgroup is not supported by Berth: drop the flag to use cgroupfs cgroups (cgroupsPath as a path)');
    }
    const rootlessFlag = str(g.flags, 'rootless') ?? 'auto';
    if (!['true', 'false', 'auto'].includes(rootlessFlag)) throw new UsageError(`--rootless must be true, false or auto, not "${rootlessFlag}"`);
    const euid = process.geteuid?.() ?? 0;
    const rootless = rootlessFlag === 'true' || (rootlessFlag === 'auto' && euid !== 0);
    const table = await commands();
    const [cmdName, ...rest] = g.rest;
    if (!cmdName || bool(g.flags, 'help') || cmdName === 'help') {
      process.stdout.write(usage(name, table));
      return cmdName || bool(g.flags, 'help') ? 0 : 1;
    }
    const cmd = table[cmdName];
    if (!cmd) throw new UsageError(`unknown command "${cmdName}" (see '${name} --help')`);
    failureCode = cmd.failureCode ?? 1;
    const helpFlag: FlagSpec = { name: 'help', short: 'h', kind: 'bool' };
    const p = parseArgs(rest, [...cmd.flags, helpFlag], cmdName === 'exec');
    if (bool(p.flags, 'help')) {
      process.stdout.write(`Usage: ${name} ${cmdName} ${cmd.usage}\n\n${cmd.summary}\n\n${flagHelp(cmd.flags)}\n`);
      return 0;
    }
    const args = cmdName === 'exec' ? p.rest : p.positionals;
    const env: CommandEnv = {
      root: str(g.flags, 'root') ?? process.env.BERTH_RUNTIME_ROOT ?? defaultRoot(euid),
      rootless,
      log,
      name,
      ...(process.env.BERTH_CGROUP_PARENT ? { cgroupParent: process.env.BERTH_CGROUP_PARENT } : {}),
    };
    const code = await cmd.run(env, p.flags, args);
    return code ?? 0;
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    log.error(msg);
    process.stderr.write(`${name}: ${msg}\n`);
    return failureCode;
  }
}

function usage(name: string, table: Record<string, Command>): string {
  const cmds = Object.entries(table).map(([n, c]) => `   ${n.padEnd(10)} ${c.summary}`).join('\n');
  return `Usage: ${name} [global options] command [command options] [arguments...]\n\n` +
    `An OCI runtime (runc-compatible command line).\n\nCommands:\n${cmds}\n\nGlobal options:\n${flagHelp(GLOBAL_FLAGS)}\n`;
}

/** The runtime context a command works in (state root, rootless, cgroup parent). */
export function contextOf(env: CommandEnv): RuntimeContext {
  return newContext({ root: env.root, rootless: env.rootless, ...(env.cgroupParent ? { cgroupParent: env.cgroupParent } : {}) });
}

/** Requires exactly n positional arguments, naming them in the error. */
export function needArgs(args: string[], names: string[], cmd: string): void {
  if (args.length < names.length) {
    throw new UsageError(`"${cmd}" requires ${names.map((n) => `<${n}>`).join(' ')} (see '${cmd} --help')`);
  }
}

/** runc's choice: /run for root, $XDG_RUNTIME_DIR for other users. */
function defaultRoot(euid: number): string {
  if (euid === 0) return '/run/berth/runtime';
  return `${process.env.XDG_RUNTIME_DIR ?? `/run/user/${euid}`}/berth`;
}
