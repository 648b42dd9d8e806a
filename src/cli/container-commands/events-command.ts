// `berth events`: GET /events with since/until/filters, each event printed as docker does
// ("2024-01-02T15:04:05.000000000Z container start <id> (image=busybox, name=web)"), as JSON lines, or
// through a template; it ends when the daemon ends the stream (--until) or on Ctrl-C.
import { list, str, type FlagSpec } from '../../common/args.js';
import { renderTemplate } from '../../image/cli/template.js';
import { HELP_FLAG, parseCommand, usageText } from './argv.js';
import type { CommandContext } from './context.js';
import { filtersQuery } from './filters.js';
import { apiTimestamp } from './timestamps.js';

export interface EngineEvent {
  Type?: string;
  Action?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> | null };
  time?: number;
  /** Nanoseconds: beyond 2^53, so kept as text or bigint to print it exactly. */
  timeNano?: number | string | bigint;
  [k: string]: unknown;
}

/** jsonmessage.RFC3339NanoFixed in local time: "2006-01-02T15:04:05.000000000Z07:00". */
export function rfc3339NanoFixed(nanos: bigint, offsetMinutes = -new Date(Number(nanos / 1_000_000n)).getTimezoneOffset()): string {
  const ms = Number(nanos / 1_000_000n);
  const local = new Date(ms + offsetMinutes * 60_000);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const frac = String(nanos % 1_000_000_000n).padStart(9, '0');
  const zone = offsetMinutes === 0 ? 'Z' : `${offsetMinutes < 0 ? '-' : '+'}${p(Math.trunc(Math.abs(offsetMinutes) / 60))}:${p(Math.abs(offsetMinutes) % 60)}`;
  return `${local.getUTCFullYear()}-${p(local.getUTCMonth() + 1)}-${p(local.getUTCDate())}T${p(local.getUTCHours())}:${p(local.getUTCMinutes())}:${p(local.getUTCSeconds())}.${frac}${zone}`;
}

/** docker's default event line. */
export function eventLine(e: EngineEvent, offsetMinutes?: number): string {
  const nanos = e.timeNano && e.timeNano !== '0' ? BigInt(e.timeNano) : e.time ? BigInt(e.time) * 1_000_000_000n : undefined;
  let line = nanos !== undefined ? `${rfc3339NanoFixed(nanos, offsetMinutes)} ` : '';
  line += `${e.Type ?? ''} ${e.Action ?? ''} ${e.Actor?.ID ?? ''}`;
  const attrs = Object.entries(e.Actor?.Attributes ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (attrs.length) line += ` (${attrs.map(([k, v]) => `${k}=${v}`).join(', ')})`;
  return `${line}\n`;
}

const FLAGS: FlagSpec[] = [
  { name: 'since', kind: 'string', help: 'show all events created since timestamp (or relative: 10m)' },
  { name: 'until', kind: 'string', help: 'stream events until this timestamp (or relative)' },
  { name: 'filter', short: 'f', kind: 'list', help: 'filter output based on conditions provided (type=container, event=start, …)' },
  { name: 'format', kind: 'string', help: 'format output: json, or a Go template' },
  HELP_FLAG,
];

/** `berth events`. */
export async function eventsCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const { flags } = parseCommand(argv, FLAGS);
  if (flags.help) {
    ctx.io.stdout.write(usageText('events [OPTIONS]', 'Get real time events from the server', FLAGS));
    return 0;
  }
  const since = str(flags, 'since') !== undefined ? apiTimestamp(str(flags, 'since')!) : undefined;
  const until = str(flags, 'until') !== undefined ? apiTimestamp(str(flags, 'until')!) : undefined;
  const format = str(flags, 'format');
  const res = await (await ctx.client()).request('GET', '/events', { query: { since, until, filters: filtersQuery(list(flags, 'filter')) } });
  const print = (line: string) => {
    const e = JSON.parse(line) as EngineEvent;
    // JSON numbers lose the last digits of timeNano: take them from the text.
    const exact = /"timeNano"\s*:\s*(\d+)/.exec(line)?.[1];
    if (format === 'json') {
      // docker's field order: the legacy status/id/from first, attributes sorted (a marshalled Go map).
      const { status, id, from, ...rest } = e;
      if (rest.Actor?.Attributes) rest.Actor = { ...rest.Actor, Attributes: Object.fromEntries(Object.entries(rest.Actor.Attributes).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) };
      const text = JSON.stringify({ status, id, from, ...rest });
      return void ctx.io.stdout.write((exact ? text.replace(/"timeNano":\d+(\.\d+)?(e\+\d+)?/, `"timeNano":${exact}`) : text) + '\n');
    }
    if (exact) e.timeNano = exact;
    ctx.io.stdout.write(format ? renderTemplate(format, e) + '\n' : eventLine(e));
  };
  const onInt = () => res.destroy();
  process.once('SIGINT', onInt);
  try {
    await new Promise<void>((resolve, reject) => {
      let pending = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        pending += chunk;
        const lines = pending.split('\n');
        pending = lines.pop()!;
        for (const l of lines) if (l.trim()) print(l.trim());
      });
      res.on('end', resolve);
      res.on('close', resolve);
      res.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' || res.destroyed ? resolve() : reject(e)));
    });
  } finally {
    process.removeListener('SIGINT', onInt);
  }
  return 0;
}
