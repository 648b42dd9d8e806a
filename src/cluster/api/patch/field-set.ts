// A set of field paths — who owns what in server-side apply — with structured-merge-diff's operations and its
// FieldsV1 encoding: a tree whose keys are path elements (`f:`, `k:`, `v:`, `i:`), `{}` for an owned leaf,
// and `".": {}` marking a node that is owned itself and also has owned children.
import { comparePE, parsePeKey, peKey, type FieldPath, type PathElement } from './field-path.js';

interface Child {
  pe: PathElement;
  set: FieldSet;
}

/** An immutable-by-convention set of field paths (operations return new sets). */
export class FieldSet {
  private readonly members = new Map<string, PathElement>();
  private readonly children = new Map<string, Child>();

  /** A set holding the given paths. */
  static of(...paths: FieldPath[]): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }

  /** Adds a path (mutates this set; used while building). */
  insert(path: FieldPath): void {
    if (!path.length) return;
    let node: FieldSet = this;
    for (const pe of path.slice(0, -1)) node = node.childFor(pe);
    const last = path[path.length - 1]!;
    node.members.set(peKey(last), last);
  }

  private childFor(pe: PathElement): FieldSet {
    const key = peKey(pe);
    let c = this.children.get(key);
    if (!c) this.children.set(key, (c = { pe, set: new FieldSet() }));
    return c.set;
  }

  /** Whether the path is a member. */
  has(path: FieldPath): boolean {
    if (!path.length) return false;
    let node: FieldSet | undefined = this;
    for (const pe of path.slice(0, -1)) {
      node = node.children.get(peKey(pe))?.set;
      if (!node) return false;
    }
    return node.members.has(peKey(path[path.length - 1]!));
  }

  /** Whether `pe` is a member at this level. */
  hasMember(pe: PathElement): boolean {
    return this.members.has(peKey(pe));
  }

  /** The paths under `pe` (relative), if any. */
  child(pe: PathElement): FieldSet | undefined {
    return this.children.get(peKey(pe))?.set;
  }

  /** True when the set holds no path. */
  get empty(): boolean {
    return this.members.size === 0 && this.children.size === 0;
  }

  /** Members at this level, in set order. */
  memberElements(): PathElement[] {
    return [...this.members.values()].sort(comparePE);
  }

  /** Children at this level, in set order. */
  childEntries(): Child[] {
    return [...this.children.values()].sort((a, b) => comparePE(a.pe, b.pe));
  }

  /** Paths in either set. */
  union(o: FieldSet): FieldSet {
    const out = this.clone();
    for (const [k, pe] of o.members) out.members.set(k, pe);
    for (const [k, c] of o.children) {
      const mine = out.children.get(k);
      out.children.set(k, { pe: c.pe, set: mine ? mine.set.union(c.set) : c.set.clone() });
    }
    return out;
  }

  /** Paths in both sets. */
  intersection(o: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) if (o.members.has(k)) out.members.set(k, pe);
    for (const [k, c] of this.children) {
      const theirs = o.children.get(k);
      if (!theirs) continue;
      const sub = c.set.intersection(theirs.set);
      if (!sub.empty) out.children.set(k, { pe: c.pe, set: sub });
    }
    return out;
  }

  /** Paths of this set that are not paths of `o` (a member of `o` does not remove what lies below it). */
  difference(o: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) if (!o.members.has(k)) out.members.set(k, pe);
    for (const [k, c] of this.children) {
      const theirs = o.children.get(k);
      const sub = theirs ? c.set.difference(theirs.set) : c.set.clone();
      if (!sub.empty) out.children.set(k, { pe: c.pe, set: sub });
    }
    return out;
  }

  /** Paths of this set that are neither in `o` nor below a member of `o`. */
  recursiveDifference(o: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) if (!o.members.has(k)) out.members.set(k, pe);
    for (const [k, c] of this.children) {
      if (o.members.has(k)) continue;
      const theirs = o.children.get(k);
      const sub = theirs ? c.set.recursiveDifference(theirs.set) : c.set.clone();
      if (!sub.empty) out.children.set(k, { pe: c.pe, set: sub });
    }
    return out;
  }

  /** A deep copy. */
  clone(): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) out.members.set(k, pe);
    for (const [k, c] of this.children) out.children.set(k, { pe: c.pe, set: c.set.clone() });
    return out;
  }

  /** Every path, members of a level before its children, each in set order. */
  paths(prefix: PathElement[] = []): PathElement[][] {
    const out: PathElement[][] = this.memberElements().map((pe) => [...prefix, pe]);
    for (const c of this.childEntries()) out.push(...c.set.paths([...prefix, c.pe]));
    return out;
  }

  /** The FieldsV1 JSON object of this set. */
  toFieldsV1(): Record<string, unknown> {
    return this.emit(false);
  }

  private emit(self: boolean): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (self) out['.'] = {};
    const keys = new Map<string, PathElement>();
    for (const [k, pe] of this.members) keys.set(k, pe);
    for (const [k, c] of this.children) keys.set(k, c.pe);
    const ordered = [...keys.entries()].sort((a, b) => comparePE(a[1], b[1]));
    for (const [k] of ordered) {
      const c = this.children.get(k);
      out[k] = c ? c.set.emit(this.members.has(k)) : {};
    }
    return out;
  }

  /** Decodes a FieldsV1 JSON object; throws on malformed input. */
  static fromFieldsV1(obj: unknown): FieldSet {
    const out = new FieldSet();
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new Error('FieldsV1 must be a JSON object');
    for (const [k, v] of Object.entries(obj)) {
      if (k === '.') continue;
      const pe = parsePeKey(k);
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`FieldsV1 entry ${k} must be an object`);
      const entries = Object.keys(v);
      if (entries.length === 0 || entries.includes('.')) out.members.set(k, pe);
      if (entries.some((e) => e !== '.')) out.children.set(k, { pe, set: FieldSet.fromFieldsV1(v) });
    }
    return out;
  }
}
