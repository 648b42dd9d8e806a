// `berth`: the top-level command. Each subcommand's module is loaded only when used (fast start-up).
import { VERSION } from '../runtime/version.js';

const HELP = `Usage: berth COMMAND [ARGS...]

Berth — a container platform.

Commands:
  runtime    the OCI runtime (runc-compatible: create, start, run, exec, kill, delete, state, list, ...)
  demo       build a busybox bundle and run an isolated, limited container
  version    print the version

Run 'berth COMMAND --help' for more information on a command.
`;

/** Dispatches argv (after the program name); returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'runtime': {
      const { runtimeMain } = await import('../runtime/cli/main.js');
      return runtimeMain(rest, 'berth runtime');
    }
    case 'demo': {
      const { runDemo } = await import('../demo/demo.js');
      return runDemo();
    }
    case 'version':
    case '--version':
    case '-v':
      process.stdout.write(`berth version ${VERSION}\n`);
      return 0;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(HELP);
      return cmd === undefined ? 1 : 0;
    default:
      process.stderr.write(`berth: unknown command "${cmd}" (see 'berth --help')\n`);
      return 1;
  }
}
