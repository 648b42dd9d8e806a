// runc's informational commands: state, list, ps, events, spec, features.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import type { Command } from './main.js';
import { contextOf as ctxOf, needArgs } from './main.js';
import { parseDuration } from './units.js';
import { runcStats } from './stats-format.js';
import { featuresDocument } from './features.js';

const out = (text: string) => process.stdout.write(text);

export const infoCommands: Record<string, Command> = {
  state: {
    summary: 'print the runtime-spec state of a container as JSON',
    usage: '<container-id>',
    flags: [],
    async run(env, _f, args) {
      needArgs(args, ['container-id'], 'state');
      const { containerState } = await import('../lifecycle/query.js');
      out(JSON.stringify(containerState(ctxOf(env), args[0]!), null, 2) + '\n');
    },
  },
  list: {
    summary: 'list containers under the root',
    usage: '[--format table|json] [--quiet]',
    flags: [
      { name: 'format', short: 'f', kind: 'string', help: 'table (default) or json' },
      { name: 'quiet', short: 'q', kind: 'bool', help: 'print ids only' },
    ],
    async run(env, f, _args) {
      const { listContainers } = await import('../lifecycle/query.js');
      const all = listContainers(ctxOf(env));
      const format = (f.format as string | undefined) ?? 'table';
      if (format === 'json') {
        out(JSON.stringify(all.length ? all : null) + '\n');
      } else if (f.quiet === true) {
        out(all.map((c) => c.id + '\n').join(''));
      } else if (format === 'table') {
        const rows = [['ID', 'PID', 'STATUS', 'BUNDLE', 'CREATED', 'OWNER'],
          ...all.map((c) => [c.id, String(c.pid), c.status, c.bundle, c.created, c.owner])];
        out(table(rows));
      } else throw new Error(`--format must be table or json, not "${format}"`);
    },
  },
  ps: {
    summary: 'list the processes of a container',
    usage: '[--format table|json] <container-id> [ps options]',
    flags: [{ name: 'format', short: 'f', kind: 'string', help: 'table (default) or json' }],
    async run(env, f, args) {
      needArgs(args, ['container-id'], 'ps');
      const { containerPids } = await import('../lifecycle/query.js');
      const pids = containerPids(ctxOf(env), args[0]!);
      if (f.format === 'json') {
        out(JSON.stringify(pids) + '\n');
        return;
      }
      const psArgs = args.length > 1 ? args.slice(1) : ['-ef'];
      const lines = execFileSync('ps', psArgs, { encoding: 'utf8' }).split('\n');
      const header = lines[0] ?? '';
      const pidCol = header.trim().split(/\s+/).indexOf('PID');
      if (pidCol < 0) throw new Error('ps: the ps options must print a PID column');
      const wanted = new Set(pids.map(String));
      out([header, ...lines.slice(1).filter((ln) => wanted.has(ln.trim().split(/\s+/)[pidCol] ?? ''))].join('\n') + '\n');
    },
  },
  events: {
    summary: 'print container events (stats every interval, OOM) until it stops',
    usage: '[--stats] [--interval 5s] <container-id>',
    flags: [
      { name: 'stats', kind: 'bool', help: 'print stats once and exit' },
      { name: 'interval', kind: 'string', help: 'stats interval (default 5s)' },
    ],
    async run(env, f, args) {
      needArgs(args, ['container-id'], 'events');
      const id = args[0]!;
      const { loadContainer } = await import('../lifecycle/context.js');
      const ctx = ctxOf(env);
      const statsEvent = () => {
        const c = loadContainer(ctx, id);
        return { c, line: JSON.stringify({ type: 'stats', id, data: runcStats(c.cgroup.stats()) }) + '\n' };
      };
      if (f.stats === true) {
        out(statsEvent().line);
        return;
      }
      const interval = parseDuration((f.interval as string | undefined) ?? '5s', 'interval');
      let ooms = loadContainer(ctx, id).cgroup.oomKills();
      let next = Date.now();
      for (;;) {
        const c = loadContainer(ctx, id);
        if (c.status === 'stopped') return;
        const now = c.cgroup.oomKills();
        if (now > ooms) out(JSON.stringify({ type: 'oom', id }) + '\n');
        ooms = now;
        if (Date.now() >= next) {
          out(statsEvent().line);
          next = Date.now() + interval;
        }
        await new Promise((r) => setTimeout(r, Math.min(interval, 200)));
      }
    },
  },
  spec: {
    summary: 'write a default config.json into the bundle',
    usage: '[--bundle DIR] [--rootless | --hardened]',
    flags: [
      { name: 'bundle', short: 'b', kind: 'string', help: 'bundle directory (default: current directory)' },
      { name: 'rootless', kind: 'bool', help: 'a spec for rootless containers (user namespace)' },
      { name: 'hardened', kind: 'bool', help: 'Docker-equivalent defaults: capabilities, seccomp, masked paths, devices' },
    ],
    async run(_env, f, _args) {
      // The hardened spec is for root (device cgroup, sysfs of its own netns, no user namespace): not rootless.
      if (f.hardened === true && f.rootless === true) throw new Error('--hardened and --rootless cannot be combined');
      const file = path.join((f.bundle as string | undefined) ?? '.', 'config.json');
      if (fs.existsSync(file)) throw new Error(`${file} exists: remove it first`);
      const spec = f.hardened === true
        ? (await import('../spec/hardened-spec.js')).hardenedSpec()
        : (await import('../spec/default-spec.js')).defaultSpec({ rootless: f.rootless === true });
      fs.writeFileSync(file, JSON.stringify(spec, null, '\t') + '\n');
    },
  },
  features: {
    summary: 'print the features this runtime supports (runtime-spec features JSON)',
    usage: '',
    flags: [],
    async run() {
      out(JSON.stringify(await featuresDocument(), null, '    ') + '\n');
    },
  },
};

/** Left-aligned columns separated by at least three spaces (docker's and runc's table style). */
export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]! + 3))).join('').trimEnd() + '\n').join('');
}
