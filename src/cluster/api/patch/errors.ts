// The Status errors the patch engines raise, worded and coded as kube-apiserver answers the same requests.
// Kubernetes maps a few patch failures to 400/422 and lets the rest through as plain Go errors, which its
// handler turns into a Status with code 500 and an empty reason (kubectl prints `Error from server: …`);
// the messages embed Go's `%v` rendering of the offending JSON, reproduced by `goFormat`.
import { ApiError } from '../types.js';

/** 400 BadRequest with a free-form message (malformed patch bodies, bad directive formats). */
export function badRequest(message: string): ApiError {
  return new ApiError(400, 'BadRequest', message, {});
}

/**
 * 422 Invalid as kube-apiserver words a JSON patch that does not apply: the generic server message, with the
 * json-patch library's own text kept as the error's `cause` for logs (Kubernetes drops it from the Status).
 */
export function patchNotApplicable(why: string): ApiError {
  const err = new ApiError(422, 'Invalid', 'the server rejected our request due to an error in our request', {});
  Object.defineProperty(err, 'cause', { value: why, enumerable: false });
  return err;
}

/** 422 Invalid carrying a message (lists of lists, retainKeys mismatches). */
export function unprocessable(message: string): ApiError {
  return new ApiError(422, 'Invalid', message, {});
}

/** 413 for JSON patches with more operations than Kubernetes accepts. */
export function tooManyOperations(max: number, got: number): ApiError {
  return new ApiError(
    413,
    'RequestEntityTooLarge',
    `Request entity too large: The allowed maximum operations in a JSON patch is ${max}, got ${got}`,
    {},
  );
}

/** A failure Kubernetes reports as an unclassified error: code 500 with an empty reason. */
export function plainError(message: string): ApiError {
  return new ApiError(500, '', message, {});
}

/** Go's `%v` rendering of a decoded JSON value (`map[a:1 b:[x y]]`), as Kubernetes embeds it in messages. */
export function goFormat(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goFormat).join(' ')}]`;
  if (typeof v === 'object') {
    const keys = Object.keys(v as object).sort();
    return `map[${keys.map((k) => `${k}:${goFormat((v as Record<string, unknown>)[k])}`).join(' ')}]`;
  }
  if (typeof v === 'number') return goFloat(v);
  return String(v);
}

/** Go's `%v` for a float64 (`%g` with the shortest digits): `80`, `0.5`, `1e+06`, `1.5e-05`. */
export function goFloat(n: number): string {
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : n < 0 ? '-Inf' : 'NaN';
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  const [mantissa, expText] = n.toExponential().split('e');
  const exp = Number(expText);
  // %g switches to the exponent form below 1e-4 and, with shortest digits, from 1e+06 up.
  if (exp < -4 || exp >= 6) {
    const sign = exp < 0 ? '-' : '+';
    const abs = Math.abs(exp);
    return `${mantissa}e${sign}${abs < 10 ? `0${abs}` : abs}`;
  }
  return String(n);
}

/** Go's `reflect.TypeOf` name of a decoded JSON value, as `ErrBadArgType` prints it. */
export function goTypeName(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return '[]interface {}';
  switch (typeof v) {
    case 'object':
      return 'map[string]interface {}';
    case 'number':
      return 'float64';
    case 'boolean':
      return 'bool';
    default:
      return 'string';
  }
}

/** mergepatch.ErrBadArgType: a value of the wrong JSON type where a map or list was required. */
export function badArgType(expected: unknown, actual: unknown): ApiError {
  return plainError(`expected a ${goTypeName(expected)}, but received a ${goTypeName(actual)}`);
}
