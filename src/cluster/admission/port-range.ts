// The NodePort range: `30000-32767` (kube-apiserver's `--service-node-port-range` form), `30000+2767`, or a
// single port.

export interface PortRange {
  base: number;
  /** Number of ports. */
  size: number;
  text: string;
}

/** Parses a port range. */
export function parsePortRange(text: string): PortRange {
  const t = text.trim();
  let m = /^(\d+)-(\d+)$/.exec(t);
  let base: number;
  let last: number;
  if (m) {
    base = Number(m[1]);
    last = Number(m[2]);
  } else if ((m = /^(\d+)\+(\d+)$/.exec(t))) {
    base = Number(m[1]);
    last = base + Number(m[2]);
  } else if (/^\d+$/.test(t)) {
    base = last = Number(t);
  } else {
    throw new Error(`invalid port range ${JSON.stringify(text)} (use e.g. 30000-32767)`);
  }
  if (base < 1 || last > 65535 || last < base) throw new Error(`invalid port range ${JSON.stringify(text)}`);
  return { base, size: last - base + 1, text: `${base}-${last}` };
}

/** Whether port is in the range. */
export function portInRange(r: PortRange, port: number): boolean {
  return Number.isInteger(port) && port >= r.base && port < r.base + r.size;
}
