// Signal names and numbers as runc's `kill` accepts them: 9, KILL, SIGKILL, sigkill.
import os from 'node:os';
import { RuntimeError } from '../errors.js';

const BY_NAME = os.constants.signals as Record<string, number>;

/** Resolves a signal given as a number or a name with or without SIG, any case. */
export function parseSignal(input: string): { name: NodeJS.Signals; number: number } {
  const raw = input.trim();
  if (/^\d+$/.test(raw)) {
    const n = Number(raw);
    const name = Object.keys(BY_NAME).find((k) => BY_NAME[k] === n);
    if (!name) throw new RuntimeError(`unknown signal ${raw} (use a number from kill -l or a name like TERM)`, 'InvalidArgument');
    return { name: name as NodeJS.Signals, number: n };
  }
  const upper = raw.toUpperCase();
  const name = upper.startsWith('SIG') ? upper : `SIG${upper}`;
  const n = BY_NAME[name];
  if (n === undefined) throw new RuntimeError(`unknown signal "${input}" (use a name like TERM or KILL, or a number)`, 'InvalidArgument');
  return { name: name as NodeJS.Signals, number: n };
}

export { signalName } from '../native/errors.js';
