// `berth login` / `berth logout`: credentials checked against the registry, then kept in
// ~/.docker/config.json, where docker and skopeo users already have theirs.
import { parseArgs, UsageError, type FlagSpec } from '../../common/args.js';
import type { ImageContext } from '../context.js';
import { login, removeCredentials } from '../registry/credentials.js';

const DOCKER_HUB = 'docker.io';

/** `berth login [-u USER] [-p PASS | --password-stdin] [SERVER]`. */
export async function loginCommand(argv: string[], context: (flags: Record<string, unknown>) => Promise<ImageContext>): Promise<number> {
  const specs: FlagSpec[] = [
    { name: 'username', short: 'u', kind: 'string' },
    { name: 'password', short: 'p', kind: 'string' },
    { name: 'password-stdin', kind: 'bool' },
    { name: 'insecure-registry', kind: 'list' },
  ];
  const { flags, positionals } = parseArgs(argv, specs);
  const server = positionals[0] ?? DOCKER_HUB;
  let password = flags.password as string | undefined;
  if (flags['password-stdin']) {
    if (password) throw new UsageError('--password and --password-stdin are mutually exclusive');
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    password = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  }
  const user = flags.username as string | undefined;
  if (!user || password === undefined) {
    throw new UsageError('login needs a username and a password: berth login -u USER --password-stdin SERVER (or -p PASSWORD)');
  }
  if (flags.password) process.stderr.write('WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n');
  const ctx = await context(flags);
  await login(ctx.registry, server, user, password);
  process.stdout.write('Login Succeeded\n');
  return 0;
}

/** `berth logout [SERVER]`. */
export async function logoutCommand(argv: string[]): Promise<number> {
  const { positionals } = parseArgs(argv, []);
  const server = positionals[0] ?? DOCKER_HUB;
  const removed = await removeCredentials(server);
  process.stdout.write(removed ? `Removing login credentials for ${server}\n` : `Not logged in to ${server}\n`);
  return 0;
}
