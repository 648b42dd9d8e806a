// The shape of the schema tables (schema-*.ts): each message is one string of whitespace-separated field
// tokens, read once at startup. A token is
//
//   [~|-]jsonName=number[:type][*|!]
//
//   type     omitted = string; i32, i64, bool, bytes; a message name; `[T]` repeated T (`[]` = strings);
//            `{T}` map<string, T> (`{}` = map<string, string>)
//   *        a Go pointer: emitted in JSON whenever it was on the wire, even when zero
//   !        a Go field without `omitempty`: always emitted (zero value, or null for a nil slice or map)
//   (none)   a Go field with `omitempty`: zero scalars and empty lists and maps are left out
//   ~        an embedded Go struct (`json:",inline"`): its fields are merged into the enclosing object
//   -        a field Berth knows but does not decode (deprecated in-tree volume plugins): a clear 400
//
// Non-pointer message fields are always emitted (Go's omitempty never drops a struct), which is why
// `status: {}` and `resources: {}` appear in what kubectl sends as JSON.

/** The scalar types of the tables; anything else is a message name. */
export type ScalarType = 'string' | 'int32' | 'int64' | 'bool' | 'bytes';

/** How a field appears in Go's JSON when its value is zero or absent. */
export type Presence = 'omitempty' | 'pointer' | 'always';

export interface FieldDef {
  json: string;
  number: number;
  /** A ScalarType, or a message name (including the special Time, Quantity, IntOrString, FieldsV1). */
  type: string;
  cardinality: 'single' | 'repeated' | 'map';
  presence: Presence;
  inline: boolean;
  unsupported: boolean;
}

export interface MessageDef {
  name: string;
  fields: FieldDef[];
  byNumber: Map<number, FieldDef>;
}

/** A table of messages: name → field tokens. */
export type SchemaTable = Record<string, string>;

const SCALARS: Record<string, ScalarType> = { '': 'string', i32: 'int32', i64: 'int64', bool: 'bool', bytes: 'bytes' };

/** True for the scalar type names of FieldDef.type. */
export function isScalar(type: string): type is ScalarType {
  return Object.values(SCALARS).includes(type as ScalarType);
}

const TOKEN = /^([~-]?)([A-Za-z][A-Za-z0-9]*)=(\d+)(?::([^*!]+))?([*!]?)$/;

function parseType(spec: string): { type: string; cardinality: FieldDef['cardinality'] } {
  const inner = spec.slice(1, -1);
  if (spec.startsWith('[') && spec.endsWith(']')) return { type: SCALARS[inner] ?? inner, cardinality: 'repeated' };
  if (spec.startsWith('{') && spec.endsWith('}')) return { type: SCALARS[inner] ?? inner, cardinality: 'map' };
  return { type: SCALARS[spec] ?? spec, cardinality: 'single' };
}

/** Parses one message's field tokens (throws on a malformed table: a programming error). */
export function parseMessage(name: string, tokens: string): MessageDef {
  const fields: FieldDef[] = [];
  const byNumber = new Map<number, FieldDef>();
  for (const token of tokens.trim().split(/\s+/)) {
    const m = TOKEN.exec(token);
    if (!m) throw new Error(`protobuf schema ${name}: bad token ${JSON.stringify(token)}`);
    const [, prefix, json, num, typeSpec = '', suffix] = m;
    const { type, cardinality } = parseType(typeSpec);
    const field: FieldDef = {
      json: json!,
      number: Number(num),
      type,
      cardinality,
      presence: suffix === '*' ? 'pointer' : suffix === '!' ? 'always' : 'omitempty',
      inline: prefix === '~',
      unsupported: prefix === '-',
    };
    if (byNumber.has(field.number)) throw new Error(`protobuf schema ${name}: field number ${field.number} twice`);
    byNumber.set(field.number, field);
    fields.push(field);
  }
  return { name, fields, byNumber };
}

/** A schema: every message of the given tables, by name. */
export type Schema = Map<string, MessageDef>;

/** Parses tables into one schema (a name defined twice is a programming error). */
export function buildSchema(...tables: SchemaTable[]): Schema {
  const schema: Schema = new Map();
  for (const table of tables) {
    for (const [name, tokens] of Object.entries(table)) {
      if (schema.has(name)) throw new Error(`protobuf schema: message ${name} defined twice`);
      schema.set(name, parseMessage(name, tokens));
    }
  }
  return schema;
}
