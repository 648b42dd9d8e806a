// Parses one generated client-node model (its field table and its doc comments) into a neutral description.
import type { ModelFiles } from './model-source.js';

/** One field of a model. */
export interface ModelProperty {
  /** The JSON field name. */
  name: string;
  /** client-node's type: `string`, `number`, `boolean`, `Date`, `any`, `IntOrString`, `Array<T>`, `{ [key: string]: T; }`, or a model name. */
  type: string;
  /** OpenAPI format: `int32`, `int64`, `double`, `byte`, `date-time`, … or empty. */
  format: string;
  description?: string;
  required: boolean;
}

/** A parsed model. */
export interface ModelDef {
  name: string;
  description?: string;
  properties: ModelProperty[];
}

interface TypeMapEntry {
  name: string;
  baseName: string;
  type: string;
  format: string;
}

// The generated sources escape quotes inside comments.
const unescape = (s: string) => s.replace(/\\(['"\\])/g, '$1');

function commentText(block: string): string {
  return unescape(
    block
      .split('\n')
      .map((l) => l.replace(/^\s*\*\s?/, ''))
      .join('\n')
      .trim(),
  );
}

/** Parses a model's files; throws when the field table cannot be found. */
export function parseModel(name: string, files: ModelFiles): ModelDef {
  const table = /\.attributeTypeMap = (\[[\s\S]*?\n\]);/.exec(files.js);
  if (!table) throw new Error(`model ${name}: no attributeTypeMap`);
  const entries = JSON.parse(table[1]!) as TypeMapEntry[];
  const classDoc = /\/\*\*\n((?:\s*\*[^\n]*\n)+?)\s*\*\/\nexport declare class/.exec(files.dts);
  const docs = new Map<string, { description?: string; required: boolean }>();
  // A property is an optional doc comment followed by `'name'?: Type;` at class indentation.
  const prop = /(?:\/\*\*\n((?:[ \t]*\*(?!\/)[^\n]*\n)+?)[ \t]*\*\/\n)?[ \t]+'([^']+)'(\?)?:/g;
  for (let m = prop.exec(files.dts); m; m = prop.exec(files.dts)) {
    const description = m[1] ? commentText(m[1]) : undefined;
    docs.set(m[2]!, { ...(description ? { description } : {}), required: m[3] !== '?' });
  }
  const classDescription = classDoc ? commentText(classDoc[1]!) : undefined;
  return {
    name,
    ...(classDescription ? { description: classDescription } : {}),
    properties: entries.map((e) => {
      const d = docs.get(e.name);
      return {
        name: e.baseName,
        type: e.type,
        format: e.format,
        ...(d?.description ? { description: d.description } : {}),
        required: d?.required ?? false,
      };
    }),
  };
}

/** The model names a property type refers to (`Array<V1Container>` → `V1Container`). */
export function referencedModels(type: string): string[] {
  const inner = innerType(type);
  if (inner !== undefined) return referencedModels(inner);
  return isModelName(type) ? [type] : [];
}

/** The element type of `Array<T>` or the value type of `{ [key: string]: T; }`; undefined for other types. */
export function innerType(type: string): string | undefined {
  const arr = /^Array<(.+)>$/.exec(type);
  if (arr) return arr[1];
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  return map ? map[1] : undefined;
}

// V1MicroTime is a type alias of Date in the generated models, with no file of its own.
const PRIMITIVES = new Set(['string', 'number', 'boolean', 'Date', 'V1MicroTime', 'any', 'object', 'IntOrString']);

/** True when a type names another model rather than a primitive. */
export function isModelName(type: string): boolean {
  return !PRIMITIVES.has(type) && /^[A-Za-z0-9]+$/.test(type);
}
