// Protobuf message → the JSON Kubernetes' Go types would marshal. Go's protobuf code writes every
// non-pointer field, zero or not, so the decoder cannot just copy what it sees: it applies Go's JSON rules
// per field (schema.ts): omitempty drops zero scalars and empty lists and maps, pointers keep whatever was
// sent, fields without omitempty are always there, and structs are never dropped. The result is what the
// same kubectl would have sent as JSON, so the JSON request path needs no special cases.
import { isScalar, type FieldDef, type MessageDef, type Schema } from './schema.js';
import { ProtobufError, readFields, readPackedVarints, WIRE_LEN, WIRE_VARINT, type WireField } from './wire.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** The Go zero time's Unix seconds (0001-01-01T00:00:00Z): metav1.Time marshals it as null. */
const ZERO_TIME_SECONDS = -62135596800n;

const fieldLabel = (msg: MessageDef, f: FieldDef) => `${msg.name}.${f.json} (field ${f.number})`;

function expectWire(msg: MessageDef, f: FieldDef, w: WireField, wanted: number): void {
  if (w.wireType !== wanted) throw new ProtobufError(`${fieldLabel(msg, f)} has wire type ${w.wireType}, expected ${wanted}`);
}

function varintOf(msg: MessageDef, f: FieldDef, w: WireField): bigint {
  expectWire(msg, f, w, WIRE_VARINT);
  return w.varint!;
}

function bytesOf(msg: MessageDef, f: FieldDef, w: WireField): Uint8Array {
  expectWire(msg, f, w, WIRE_LEN);
  return w.bytes!;
}

function utf8(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8');
}

function scalarFromVarint(type: string, v: bigint): Json {
  switch (type) {
    case 'int32':
      return Number(BigInt.asIntN(32, v));
    case 'int64':
      return Number(BigInt.asIntN(64, v));
    default:
      return v !== 0n;
  }
}

/** One scalar occurrence (a repeated numeric field may arrive packed: several values in one occurrence). */
function scalarValues(msg: MessageDef, f: FieldDef, w: WireField): Json[] {
  switch (f.type) {
    case 'string':
      return [utf8(bytesOf(msg, f, w))];
    case 'bytes':
      return [Buffer.from(bytesOf(msg, f, w)).toString('base64')];
    default:
      if (f.cardinality === 'repeated' && w.wireType === WIRE_LEN) {
        try {
          return readPackedVarints(w.bytes!).map((v) => scalarFromVarint(f.type, v));
        } catch (err) {
          throw new ProtobufError(`${fieldLabel(msg, f)}: ${(err as Error).message}`);
        }
      }
      return [scalarFromVarint(f.type, varintOf(msg, f, w))];
  }
}

/** Go's zero value in JSON (a nil []byte is null). */
function zeroScalar(type: string): Json {
  if (type === 'string') return '';
  if (type === 'bytes') return null;
  return type === 'bool' ? false : 0;
}

/** The fields of a message, with wire errors labelled by the message and where it sits. */
function fieldsOf(bytes: Uint8Array | undefined, name: string, path: string): WireField[] {
  try {
    return readFields(bytes ?? new Uint8Array());
  } catch (err) {
    throw new ProtobufError(`${name} at ${path || '<root>'}: ${(err as Error).message}`);
  }
}

const isZeroScalar = (v: Json) => v === '' || v === 0 || v === false || v === null;

/** metav1.Time: seconds only (Kubernetes drops nanos), RFC 3339 in UTC; the zero time is null. */
function decodeTime(bytes: Uint8Array | undefined, path: string): Json {
  if (!bytes || bytes.length === 0) return null;
  let seconds = 0n;
  for (const w of fieldsOf(bytes, 'Time', path)) {
    if (w.number === 1 && w.wireType === WIRE_VARINT) seconds = BigInt.asIntN(64, w.varint!);
    else if (w.number === 2 && w.wireType === WIRE_VARINT) continue;
    else throw new ProtobufError(`unexpected field ${w.number} (wire type ${w.wireType}) in Time at ${path || '<root>'}`);
  }
  if (seconds === ZERO_TIME_SECONDS) return null;
  const ms = Number(seconds) * 1000;
  const date = new Date(ms);
  if (Number.isNaN(date.getTime()) || date.getUTCFullYear() < 0 || date.getUTCFullYear() > 9999) {
    throw new ProtobufError(`Time at ${path || '<root>'} is out of range (${seconds} seconds)`);
  }
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** resource.Quantity: its canonical string (Go writes it canonical already); the zero quantity is "0". */
function decodeQuantity(bytes: Uint8Array | undefined, path: string): Json {
  let value = '0';
  for (const w of fieldsOf(bytes, 'Quantity', path)) {
    if (w.number === 1 && w.wireType === WIRE_LEN) value = utf8(w.bytes!);
    else throw new ProtobufError(`unexpected field ${w.number} (wire type ${w.wireType}) in Quantity at ${path || '<root>'}`);
  }
  return value;
}

/** intstr.IntOrString: type 0 → intVal (a JSON number), type 1 → strVal (a JSON string). */
function decodeIntOrString(bytes: Uint8Array | undefined, path: string): Json {
  let type = 0n;
  let intVal = 0;
  let strVal = '';
  for (const w of fieldsOf(bytes, 'IntOrString', path)) {
    if (w.number === 1 && w.wireType === WIRE_VARINT) type = BigInt.asIntN(64, w.varint!);
    else if (w.number === 2 && w.wireType === WIRE_VARINT) intVal = Number(BigInt.asIntN(32, w.varint!));
    else if (w.number === 3 && w.wireType === WIRE_LEN) strVal = utf8(w.bytes!);
    else throw new ProtobufError(`unexpected field ${w.number} (wire type ${w.wireType}) in IntOrString at ${path || '<root>'}`);
  }
  if (type === 0n) return intVal;
  if (type === 1n) return strVal;
  throw new ProtobufError(`IntOrString at ${path || '<root>'} has impossible type ${type}`);
}

/** metav1.FieldsV1: raw JSON bytes, passed through as JSON. */
function decodeFieldsV1(bytes: Uint8Array | undefined, path: string): Json {
  let raw: Uint8Array | undefined;
  for (const w of fieldsOf(bytes, 'FieldsV1', path)) {
    if (w.number === 1 && w.wireType === WIRE_LEN) raw = w.bytes!;
    else throw new ProtobufError(`unexpected field ${w.number} (wire type ${w.wireType}) in FieldsV1 at ${path || '<root>'}`);
  }
  if (!raw || raw.length === 0) return null;
  try {
    return JSON.parse(utf8(raw)) as Json;
  } catch {
    throw new ProtobufError(`FieldsV1 at ${path || '<root>'} is not valid JSON`);
  }
}

/** A message-typed value: the special types get their custom JSON, everything else is a nested object. */
function decodeValue(schema: Schema, type: string, bytes: Uint8Array | undefined, path: string): Json {
  switch (type) {
    case 'Time':
      return decodeTime(bytes, path);
    case 'Quantity':
      return decodeQuantity(bytes, path);
    case 'IntOrString':
      return decodeIntOrString(bytes, path);
    case 'FieldsV1':
      return decodeFieldsV1(bytes, path);
    default:
      return decodeMessage(schema, type, bytes ?? new Uint8Array(), path);
  }
}

const join = (path: string, key: string) => (path ? `${path}.${key}` : key);

function decodeMapEntry(schema: Schema, msg: MessageDef, f: FieldDef, entry: Uint8Array, path: string): [string, Json] {
  let key = '';
  let value: Uint8Array | bigint | undefined;
  let valueField: WireField | undefined;
  for (const w of fieldsOf(entry, `${msg.name}.${f.json} entry`, path)) {
    if (w.number === 1) key = utf8(bytesOf(msg, f, w));
    else if (w.number === 2) {
      valueField = w;
      value = w.wireType === WIRE_VARINT ? w.varint : w.bytes;
    } else throw new ProtobufError(`${fieldLabel(msg, f)}: map entry has unknown field ${w.number}`);
  }
  const at = `${join(path, f.json)}[${JSON.stringify(key)}]`;
  if (isScalar(f.type)) {
    if (!valueField) return [key, f.type === 'bytes' ? '' : zeroScalar(f.type)];
    return [key, scalarValues(msg, f, valueField)[0]!];
  }
  if (valueField) expectWire(msg, f, valueField, WIRE_LEN);
  return [key, decodeValue(schema, f.type, value as Uint8Array | undefined, at)];
}

/** Decodes one message of `schema` into Go's JSON for it; `path` (a JSON path) only labels errors. */
export function decodeMessage(schema: Schema, name: string, bytes: Uint8Array, path = ''): JsonObject {
  const msg = schema.get(name);
  if (!msg) throw new ProtobufError(`no protobuf schema for message ${name} (at ${path || '<root>'})`);
  const wire = fieldsOf(bytes, name, path);
  const scalars = new Map<FieldDef, Json>();
  const lists = new Map<FieldDef, Json[]>();
  const maps = new Map<FieldDef, JsonObject>();
  // Occurrences of a singular message field are merged, as protobuf defines (their encodings concatenate).
  const messages = new Map<FieldDef, Uint8Array[]>();
  for (const w of wire) {
    const f = msg.byNumber.get(w.number);
    const at = path || '<root>';
    if (!f) throw new ProtobufError(`unknown field number ${w.number} (wire type ${w.wireType}) in ${name} at ${at}`);
    if (f.unsupported) {
      const why = 'is not supported in protobuf requests by this server; send the object as JSON';
      throw new ProtobufError(`${fieldLabel(msg, f)} at ${at} ${why}`);
    }
    if (f.cardinality === 'map') {
      const [k, v] = decodeMapEntry(schema, msg, f, bytesOf(msg, f, w), path);
      const m = maps.get(f) ?? {};
      m[k] = v;
      maps.set(f, m);
    } else if (isScalar(f.type)) {
      const values = scalarValues(msg, f, w);
      if (f.cardinality === 'repeated') lists.set(f, [...(lists.get(f) ?? []), ...values]);
      else scalars.set(f, values[values.length - 1]!);
    } else if (f.cardinality === 'repeated') {
      const list = lists.get(f) ?? [];
      list.push(decodeValue(schema, f.type, bytesOf(msg, f, w), `${join(path, f.json)}[${list.length}]`));
      lists.set(f, list);
    } else {
      messages.set(f, [...(messages.get(f) ?? []), bytesOf(msg, f, w)]);
    }
  }

  const out: JsonObject = {};
  for (const f of msg.fields) {
    if (f.unsupported) continue;
    if (f.cardinality === 'map' || f.cardinality === 'repeated') {
      const v = f.cardinality === 'map' ? maps.get(f) : lists.get(f);
      const empty = !v || (Array.isArray(v) ? v.length === 0 : Object.keys(v).length === 0);
      if (!empty) out[f.json] = v!;
      else if (f.presence === 'always') out[f.json] = null; // a nil slice or map without omitempty
      continue;
    }
    if (isScalar(f.type)) {
      const present = scalars.has(f);
      const v = present ? scalars.get(f)! : zeroScalar(f.type);
      if (f.presence === 'pointer') {
        if (present) out[f.json] = v;
      } else if (f.presence === 'always') out[f.json] = v;
      else if (!isZeroScalar(v)) out[f.json] = v;
      continue;
    }
    const parts = messages.get(f);
    // A pointer is nil unless sent; a struct is always marshalled, from its zero value when absent.
    if (!parts && f.presence === 'pointer') continue;
    const bytesIn = parts ? (parts.length === 1 ? parts[0]! : Buffer.concat(parts)) : undefined;
    const value = decodeValue(schema, f.type, bytesIn, f.inline ? path : join(path, f.json));
    if (f.inline && value && typeof value === 'object' && !Array.isArray(value)) Object.assign(out, value);
    else out[f.json] = value;
  }
  return out;
}
