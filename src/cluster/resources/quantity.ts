// Kubernetes resource quantities ("500m", "1Gi", "2e3"): parsing for validation, QoS and comparisons.
// A double is exact enough here: quantities are compared, never accumulated into storage.

/** The pattern Kubernetes quotes when a quantity does not parse. */
export const QUANTITY_PATTERN = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$';

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

/** Result of parsing: the value, or the message Kubernetes gives for that kind of failure. */
export type ParsedQuantity = { ok: true; value: number } | { ok: false; error: string };

/** Parses a quantity given as a string or a JSON number. */
export function parseQuantity(input: unknown): ParsedQuantity {
  if (typeof input === 'number' && Number.isFinite(input)) return { ok: true, value: input };
  if (typeof input !== 'string' || input.length === 0)
    return { ok: false, error: 'quantities must match the regular expression ' + `'${QUANTITY_PATTERN}'` };
  const m = /^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(.*)$/.exec(input.trim());
  if (!m) return { ok: false, error: `quantities must match the regular expression '${QUANTITY_PATTERN}'` };
  const num = Number(m[1]);
  const suffix = m[2] ?? '';
  let scale: number | undefined = BINARY[suffix] ?? DECIMAL[suffix];
  if (scale === undefined && /^[eE][+-]?[0-9]+$/.test(suffix)) scale = 10 ** Number(suffix.slice(1));
  if (scale === undefined) {
    return /^[eEinumkKMGTP]*[-+]?[0-9]*$/.test(suffix)
      ? { ok: false, error: "unable to parse quantity's suffix" }
      : { ok: false, error: `quantities must match the regular expression '${QUANTITY_PATTERN}'` };
  }
  return { ok: true, value: num * scale };
}

/** The numeric value of a quantity, or undefined when it does not parse. */
export function quantityValue(input: unknown): number | undefined {
  const p = parseQuantity(input);
  return p.ok ? p.value : undefined;
}

/** -1, 0 or 1 as `a` is less than, equal to or greater than `b`; undefined if either does not parse. */
export function compareQuantities(a: unknown, b: unknown): number | undefined {
  const x = quantityValue(a);
  const y = quantityValue(b);
  if (x === undefined || y === undefined) return undefined;
  // Relative tolerance: "0.1" and "100m" are the same quantity even if the doubles differ in the last bit.
  if (Math.abs(x - y) <= Math.max(Math.abs(x), Math.abs(y)) * 1e-12) return 0;
  return x < y ? -1 : 1;
}
