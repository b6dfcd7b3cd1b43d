// The Go values a template sees, modelled closely enough that printing, comparison, function
// argument checks and `typeOf`/`kindOf` behave as they do under Go's reflect. Maps are JavaScript
// Maps and structs list their fields explicitly, so no template can reach a JavaScript prototype,
// constructor or method: only what is modelled here exists.
import { JsonNumber } from "../sync/go-json.ts";

export { JsonNumber };

export type IntType = "int" | "int64" | "int32" | "uint32" | "uint8" | "uint64";

/** A Go integer of a named type (int, int64, …); float64 is a plain JavaScript number. */
export class GoInt {
  readonly type: IntType;
  readonly value: bigint;
  constructor(type: IntType, value: bigint) {
    this.type = type;
    this.value = wrapInt(type, value);
  }
}

export function wrapInt(type: IntType, v: bigint): bigint {
  switch (type) {
    case "int":
    case "int64":
      return BigInt.asIntN(64, v);
    case "int32":
      return BigInt.asIntN(32, v);
    case "uint32":
      return BigInt.asUintN(32, v);
    case "uint8":
      return BigInt.asUintN(8, v);
    case "uint64":
      return BigInt.asUintN(64, v);
  }
}

export function int(v: number | bigint): GoInt {
  return new GoInt("int", typeof v === "bigint" ? v : BigInt(Math.trunc(v)));
}
export function int64(v: number | bigint): GoInt {
  return new GoInt("int64", typeof v === "bigint" ? v : BigInt(Math.trunc(v)));
}

/** A Go slice; `elem` is the Go element type name ("interface {}", "string", "int", …). */
export class GoSlice {
  readonly elem: string;
  readonly items: GoValue[];
  readonly isNil: boolean;
  constructor(elem: string, items: GoValue[], isNil = false) {
    this.elem = elem;
    this.items = items;
    this.isNil = isNil;
  }
}

/** A Go map with string keys; `elem` is the value type name ("interface {}" or "string"). */
export class GoMap {
  readonly elem: string;
  readonly entries: Map<string, GoValue>;
  readonly isNil: boolean;
  constructor(elem: string, entries: Map<string, GoValue> = new Map(), isNil = false) {
    this.elem = elem;
    this.entries = entries;
    this.isNil = isNil;
  }
}

export interface StructField {
  readonly name: string;
  readonly type: string;
  /** encoding/json name and omitempty, when the struct has tags. */
  readonly json?: { name: string; omitEmpty: boolean };
}

/** A Go struct value (or pointer to one, when `pointer`); fields are exported ones only. */
export class GoStruct {
  readonly typeName: string;
  readonly pointer: boolean;
  readonly fields: readonly StructField[];
  readonly values: Map<string, GoValue>;
  constructor(
    typeName: string,
    pointer: boolean,
    fields: readonly StructField[],
    values: Map<string, GoValue>,
  ) {
    this.typeName = typeName;
    this.pointer = pointer;
    this.fields = fields;
    this.values = values;
  }
  get type(): string {
    return (this.pointer ? "*" : "") + this.typeName;
  }
}

export type GoMethod = (args: GoValue[]) => GoValue;

/**
 * A value of a Go type that templates use only through methods and printing (*semver.Version,
 * time.Time). `kind` is its reflect kind, `type` its %T name.
 */
export abstract class GoOpaque {
  abstract readonly type: string;
  abstract readonly kind: string;
  /** Methods callable from a template, with the number of arguments each takes. */
  abstract method(name: string): { arity: number; params: readonly string[]; call: GoMethod } | undefined;
  /** fmt.Stringer */
  abstract string(): string;
  /** encoding/json representation */
  abstract json(): string;
  abstract equals(other: GoOpaque): boolean;
  /** The struct fmt prints for verbs that do not use String() (%d, %#v, …), if modelled. */
  structView(): GoStruct | undefined {
    return undefined;
  }
}

/**
 * `undefined` is Go's invalid reflect.Value (what a missing map key yields, printed `<no value>`);
 * `null` is a nil interface{} (a JSON null, printed `<nil>` inside containers).
 */
export type GoValue =
  | undefined
  | null
  | string
  | boolean
  | number
  | GoInt
  | JsonNumber
  | GoSlice
  | GoMap
  | GoStruct
  | GoOpaque;

export function typeName(v: GoValue): string {
  if (v === undefined || v === null) return "<nil>";
  if (typeof v === "string") return "string";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "number") return "float64";
  if (v instanceof GoInt) return v.type;
  if (v instanceof JsonNumber) return "json.Number";
  if (v instanceof GoSlice) return `[]${v.elem}`;
  if (v instanceof GoMap) return `map[string]${v.elem}`;
  if (v instanceof GoStruct) return v.type;
  return v.type;
}

/** reflect.Kind names, as kindOf prints them. */
export function kindName(v: GoValue): string {
  if (v === undefined || v === null) return "invalid";
  if (typeof v === "string" || v instanceof JsonNumber) return "string";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "number") return "float64";
  if (v instanceof GoInt) return v.type;
  if (v instanceof GoSlice) return "slice";
  if (v instanceof GoMap) return "map";
  if (v instanceof GoStruct) return v.pointer ? "ptr" : "struct";
  return v.kind;
}

export function isString(v: GoValue): v is string | JsonNumber {
  return typeof v === "string" || v instanceof JsonNumber;
}

/** The string of a string-kinded value (string or json.Number). */
export function stringOf(v: string | JsonNumber): string {
  return typeof v === "string" ? v : v.source;
}

export function newInterfaceMap(entries?: Iterable<[string, GoValue]>): GoMap {
  return new GoMap("interface {}", new Map(entries ?? []));
}

export function newInterfaceSlice(items: GoValue[]): GoSlice {
  return new GoSlice("interface {}", items);
}

export function newStringSlice(items: string[]): GoSlice {
  return new GoSlice("string", items);
}

export function sortedKeys(m: GoMap): string[] {
  return [...m.entries.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Go's reflect.DeepEqual for the modelled values (both sides already unwrapped from interfaces). */
export function deepEqual(a: GoValue, b: GoValue): boolean {
  if (a === undefined) a = null;
  if (b === undefined) b = null;
  if (a === null || b === null) return a === b;
  if (typeName(a) !== typeName(b)) return false;
  if (typeof a === "string" || typeof a === "boolean" || typeof a === "number") return a === b;
  if (a instanceof GoInt) return a.value === (b as GoInt).value;
  if (a instanceof JsonNumber) return a.source === (b as JsonNumber).source;
  if (a instanceof GoSlice) {
    const s = b as GoSlice;
    if (a.isNil !== s.isNil) return false;
    if (a.items.length !== s.items.length) return false;
    return a.items.every((x, i) => deepEqual(x, s.items[i]));
  }
  if (a instanceof GoMap) {
    const m = b as GoMap;
    if (a.isNil !== m.isNil) return false;
    if (a.entries.size !== m.entries.size) return false;
    for (const [k, v] of a.entries) {
      if (!m.entries.has(k)) return false;
      if (!deepEqual(v, m.entries.get(k))) return false;
    }
    return true;
  }
  if (a instanceof GoStruct) {
    const s = b as GoStruct;
    if (a.pointer && a === s) return true;
    return a.fields.every((f) => deepEqual(a.values.get(f.name), s.values.get(f.name)));
  }
  return (a as GoOpaque).equals(b as GoOpaque);
}

/** sprig's empty(): Go's zero-value test through reflect. */
export function isEmpty(v: GoValue): boolean {
  if (v === undefined || v === null) return true;
  if (typeof v === "string") return v.length === 0;
  if (v instanceof JsonNumber) return v.source.length === 0;
  if (typeof v === "boolean") return !v;
  if (typeof v === "number") return v === 0;
  if (v instanceof GoInt) return v.value === 0n;
  if (v instanceof GoSlice) return v.items.length === 0;
  if (v instanceof GoMap) return v.entries.size === 0;
  return false;
}

/** text/template's truth: the zero value of a type is false. */
export function isTrue(v: GoValue): boolean {
  if (v === undefined || v === null) return false;
  if (v instanceof GoStruct) return true;
  if (v instanceof GoOpaque) return v.kind === "ptr" || v.kind === "struct";
  return !isEmpty(v);
}

/** A copy that shares nothing mutable (copystructure.Copy). */
export function deepCopy(v: GoValue): GoValue {
  if (v instanceof GoSlice) return new GoSlice(v.elem, v.items.map(deepCopy), v.isNil);
  if (v instanceof GoMap) {
    return new GoMap(v.elem, new Map([...v.entries].map(([k, x]) => [k, deepCopy(x)])), v.isNil);
  }
  if (v instanceof GoStruct) {
    return new GoStruct(
      v.typeName,
      v.pointer,
      v.fields,
      new Map([...v.values].map(([k, x]) => [k, deepCopy(x)])),
    );
  }
  return v;
}
