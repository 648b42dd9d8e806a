// EXPOSE port words → the image config's ExposedPorts keys ("80/tcp"), with Docker's rules: `port[/proto]`,
// ranges `8000-8010`, protocols tcp/udp/sctp (case-insensitive, tcp by default); `ip:host:port` forms are
// accepted and their host part ignored, as Docker does.

import { SyntaxProblem } from './errors.js';

/** Turns expanded EXPOSE words into sorted, de-duplicated `port/proto` keys. */
export function exposedPorts(words: readonly string[]): string[] {
  const keys = new Set<string>();
  for (const word of words) for (const key of portKeys(word)) keys.add(key);
  return [...keys].sort();
}

/** One EXPOSE word → its `port/proto` keys (several for a range). */
export function portKeys(spec: string): string[] {
  const parts = spec.split(':');
  const containerPart = parts[parts.length - 1]!;
  const hostPart = parts.length >= 2 ? parts[parts.length - 2]! : '';
  const slash = containerPart.indexOf('/');
  const portText = slash < 0 ? containerPart : containerPart.slice(0, slash);
  const protoText = slash < 0 ? '' : containerPart.slice(slash + 1);
  if (portText === '') throw new SyntaxProblem(`invalid port: "${spec}": no port specified`);
  const proto = protoText === '' ? 'tcp' : protoText.toLowerCase();
  if (proto !== 'tcp' && proto !== 'udp' && proto !== 'sctp') {
    throw new SyntaxProblem(`invalid port: "${spec}": invalid proto: ${protoText} (use tcp, udp or sctp)`);
  }
  const [start, end] = portRange(portText, `invalid containerPort: ${portText}`);
  if (hostPart !== '') {
    const [hostStart, hostEnd] = portRange(hostPart, `invalid hostPort: ${hostPart}`);
    if (end - start !== hostEnd - hostStart && end !== start) {
      throw new SyntaxProblem(`invalid ranges specified for container and host Ports: ${portText} and ${hostPart}`);
    }
  }
  const keys: string[] = [];
  for (let p = start; p <= end; p++) keys.push(`${p}/${proto}`);
  return keys;
}

function portRange(text: string, message: string): [number, number] {
  const dash = text.indexOf('-');
  const startText = dash < 0 ? text : text.slice(0, dash);
  const endText = dash < 0 ? startText : text.slice(dash + 1);
  const start = portNumber(startText, message);
  const end = endText === startText ? start : portNumber(endText, message);
  if (end < start) throw new SyntaxProblem(`${message} (the range ends before it starts)`);
  return [start, end];
}

function portNumber(text: string, message: string): number {
  if (!/^[+-]?\d+$/.test(text)) throw new SyntaxProblem(message);
  const n = Number(text);
  if (n < 0 || n > 65535) throw new SyntaxProblem(`${message} (ports are 0-65535)`);
  return n;
}
