// What every container command gets: the terminal streams, the environment and a lazily connected engine
// client (the daemon is found, or started, only when a command first needs it), plus the error a command
// raises to end with a given exit code.
import type { EngineClient } from '../../engine/client/index.js';
import { ApiError } from '../../engine/client/api-error.js';

export interface Io {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

export interface CommandContext {
  io: Io;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** The engine client, connected (and the daemon started) on first use. */
  client(): Promise<EngineClient>;
}

/** Ends a command with `code`; `message` (if any) goes to stderr. */
export class CommandError extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
    this.name = 'CommandError';
  }
}

export type Command = (argv: string[], ctx: CommandContext) => Promise<number>;

/** The default context: process streams, and a client connected through connectEngine on first use. */
export function processContext(): CommandContext {
  let connecting: Promise<EngineClient> | undefined;
  return {
    io: { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr },
    env: process.env,
    cwd: process.cwd(),
    client: () => (connecting ??= import('../../engine/client/autostart.js').then((m) => m.connectEngine({ env: process.env }))),
  };
}

/** Throws the usual "requires N argument(s)" error of docker's commands (exit 1). */
export function requireArgs(cmd: string, synopsis: string, positionals: string[], min: number, max = Infinity): void {
  if (positionals.length >= min && positionals.length <= max) return;
  const what = max === min ? `exactly ${min}` : positionals.length < min ? `at least ${min}` : `at most ${max}`;
  throw new CommandError(`"berth ${cmd}" requires ${what} argument${(max === min ? min : positionals.length < min ? min : max) === 1 ? '' : 's'}.\nSee 'berth ${cmd} --help'.\n\nUsage:  berth ${synopsis}`, 1);
}

/** One error as docker prints it: the daemon's refusal, or our own failure. */
export function errorLine(e: unknown): string {
  return e instanceof ApiError ? `Error response from daemon: ${e.message}` : `Error: ${(e as Error).message ?? String(e)}`;
}
