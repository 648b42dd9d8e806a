// Drawing progress events for a person: on a terminal, one line per layer redrawn in place with a bar
// (as the docker CLI does); otherwise plain lines, one per status change, without the bar ticks.
import type { ProgressEvent, ProgressSink } from './events.js';
import { humanSize } from './units.js';

const TICKS = new Set(['Downloading', 'Extracting', 'Pushing', 'Loading layer']);
const WIDTH = 50;

/** A bar like `[=====>      ]  1.2MB/3.4MB`. */
export function progressBar(current: number, total?: number): string {
  if (!total) return humanSize(current);
  const filled = Math.min(WIDTH, Math.floor((current / total) * WIDTH));
  const bar = '='.repeat(Math.max(0, filled - 1)) + (filled ? (filled === WIDTH ? '=' : '>') : '') + ' '.repeat(WIDTH - filled);
  return `[${bar}]  ${humanSize(current)}/${humanSize(total)}`;
}

/** A sink writing events to a stream; `tty` chooses in-place bars. */
export function renderProgress(out: NodeJS.WritableStream & { isTTY?: boolean }, tty = !!out.isTTY): ProgressSink {
  if (!tty) {
    const last = new Map<string, string>();
    return (e: ProgressEvent) => {
      if (e.error) return void out.write(`${e.error}\n`);
      if (!e.id) return void out.write(`${e.status}\n`);
      if (TICKS.has(e.status) && last.get(e.id) === e.status) return;
      last.set(e.id, e.status);
      out.write(`${e.id}: ${e.status}\n`);
    };
  }
  const lines: string[] = [];
  const ids = new Map<string, number>();
  return (e: ProgressEvent) => {
    const plain = e.error ?? (e.id ? undefined : e.status);
    if (plain !== undefined) {
      lines.push(plain); // keeps the row arithmetic right for the layer lines above
      return void out.write(`${plain}\n`);
    }
    const text = `${e.id}: ${e.status}${e.progressDetail ? ` ${progressBar(e.progressDetail.current, e.progressDetail.total)}` : ''}`;
    const row = ids.get(e.id!);
    if (row === undefined) {
      ids.set(e.id!, lines.length);
      lines.push(text);
      out.write(`${text}\n`);
      return;
    }
    lines[row] = text;
    const up = lines.length - row;
    // Move up to the layer's line, clear it, write, and come back down.
    out.write(`\x1b[${up}A\r\x1b[2K${text}\x1b[${up}B\r`);
  };
}
