// The protobuf wire format, only as much as Kubernetes' generated messages use: varints (wire type 0),
// 64-bit fixed values (1), length-delimited bytes (2) and 32-bit fixed values (5). Groups (3, 4) never appear
// in Kubernetes' proto2 files and are rejected. Every failure is a ProtobufError naming what broke and where,
// which the API edge turns into a 400.

/** A malformed or unsupported protobuf body (→ 400 BadRequest). */
export class ProtobufError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtobufError';
  }
}

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;
export const WIRE_FIXED32 = 5;

/** One field occurrence on the wire: varints as bigint (exact for int64), everything else as bytes. */
export interface WireField {
  number: number;
  wireType: number;
  /** Set for wire type 0. */
  varint?: bigint;
  /** Set for wire types 1, 2 and 5 (a view into the input, not a copy). */
  bytes?: Uint8Array;
}

/** Reads a varint at `pos`; returns the value and the position after it. */
export function readVarint(buf: Uint8Array, pos: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (let i = 0; i < 10; i++) {
    if (pos >= buf.length) throw new ProtobufError(`truncated varint at byte ${pos}`);
    const b = buf[pos++]!;
    result |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return [BigInt.asUintN(64, result), pos];
    shift += 7n;
  }
  throw new ProtobufError(`varint longer than 10 bytes at byte ${pos - 10}`);
}

function take(buf: Uint8Array, pos: number, n: number, what: string): Uint8Array {
  const left = buf.length - pos;
  if (n > left) throw new ProtobufError(`truncated ${what} at byte ${pos}: need ${n} bytes, have ${left}`);
  return buf.subarray(pos, pos + n);
}

/** Splits a message into its field occurrences, in wire order. */
export function readFields(buf: Uint8Array): WireField[] {
  const out: WireField[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const start = pos;
    const [key, next] = readVarint(buf, pos);
    pos = next;
    const number = Number(key >> 3n);
    const wireType = Number(key & 7n);
    if (number < 1 || number > 0x1fffffff) throw new ProtobufError(`invalid field number ${number} at byte ${start}`);
    switch (wireType) {
      case WIRE_VARINT: {
        const [v, after] = readVarint(buf, pos);
        out.push({ number, wireType, varint: v });
        pos = after;
        break;
      }
      case WIRE_FIXED64:
        out.push({ number, wireType, bytes: take(buf, pos, 8, 'fixed64') });
        pos += 8;
        break;
      case WIRE_FIXED32:
        out.push({ number, wireType, bytes: take(buf, pos, 4, 'fixed32') });
        pos += 4;
        break;
      case WIRE_LEN: {
        const [len, after] = readVarint(buf, pos);
        const left = buf.length - after;
        if (len > BigInt(left)) {
          throw new ProtobufError(`truncated field ${number} at byte ${start}: length ${len} exceeds the ${left} bytes left`);
        }
        out.push({ number, wireType, bytes: buf.subarray(after, after + Number(len)) });
        pos = after + Number(len);
        break;
      }
      default:
        throw new ProtobufError(`field ${number} at byte ${start} has unsupported wire type ${wireType}`);
    }
  }
  return out;
}

/** The varints of a packed repeated scalar field. */
export function readPackedVarints(buf: Uint8Array): bigint[] {
  const out: bigint[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const [v, next] = readVarint(buf, pos);
    out.push(v);
    pos = next;
  }
  return out;
}
