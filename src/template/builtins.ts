// text/template's predefined functions (text/template/funcs.go). They take reflect.Value in Go;
// here a nil interface and a missing value both arrive as `undefined`.
import { FuncError } from "./errors.ts";
import { sprint, sprintf, sprintln } from "./fmt.ts";
import { type FuncSpec, spec } from "./func-spec.ts";
import { decodeRune } from "./go-string.ts";
import { isPrint } from "./unicode.ts";
import {
  GoInt,
  GoMap,
  GoOpaque,
  GoSlice,
  GoStruct,
  type GoValue,
  isTrue,
  JsonNumber,
  stringOf,
  typeName,
} from "./values.ts";

type BasicKind = "invalid" | "bool" | "int" | "uint" | "float" | "string";

function basicKind(v: GoValue): BasicKind {
  if (typeof v === "boolean") return "bool";
  if (typeof v === "number") return "float";
  if (typeof v === "string" || v instanceof JsonNumber) return "string";
  if (v instanceof GoInt) return v.type.startsWith("uint") ? "uint" : "int";
  return "invalid";
}

function isNilValue(v: GoValue): boolean {
  if (v === undefined || v === null) return true;
  if (v instanceof GoMap || v instanceof GoSlice) return v.isNil;
  return false;
}

function reflectKind(v: GoValue): string {
  if (v === undefined || v === null) return "invalid";
  if (v instanceof GoMap) return "map";
  if (v instanceof GoSlice) return "slice";
  if (v instanceof GoStruct) return v.pointer ? "ptr" : "struct";
  if (v instanceof GoOpaque) return v.kind;
  return basicKind(v);
}

function comparable(v: GoValue): boolean {
  if (v instanceof GoMap || v instanceof GoSlice) return false;
  if (v instanceof GoStruct) return v.pointer;
  return true;
}

function intOf(v: GoValue): bigint {
  return (v as GoInt).value;
}

function eq(arg1: GoValue, rest: GoValue[]): boolean {
  if (rest.length === 0) throw new FuncError("missing argument for comparison");
  const k1 = basicKind(arg1);
  for (const arg of rest) {
    const k2 = basicKind(arg);
    let truth = false;
    if (k1 !== k2) {
      if (k1 === "int" && k2 === "uint") {
        truth = intOf(arg1) >= 0n && intOf(arg1) === intOf(arg);
      } else if (k1 === "uint" && k2 === "int") {
        truth = intOf(arg) >= 0n && intOf(arg1) === intOf(arg);
      } else if (arg1 !== undefined && arg !== undefined) {
        throw new FuncError(`incompatible types for comparison: ${typeName(arg1)} and ${typeName(arg)}`);
      }
    } else {
      switch (k1) {
        case "bool":
        case "float":
          truth = arg1 === arg;
          break;
        case "int":
        case "uint":
          truth = intOf(arg1) === intOf(arg);
          break;
        case "string":
          truth = stringOf(arg1 as string) === stringOf(arg as string);
          break;
        default: {
          const kind1 = reflectKind(arg1);
          const kind2 = reflectKind(arg);
          if (!(kind1 === kind2 || kind1 === "invalid" || kind2 === "invalid")) {
            throw new FuncError(`non-comparable types ${typeName(arg1)} and ${typeName(arg)}`);
          }
          if (isNilValue(arg1) || isNilValue(arg)) {
            truth = isNilValue(arg) === isNilValue(arg1);
          } else {
            if (!comparable(arg)) throw new FuncError(`non-comparable type ${typeName(arg)}`);
            truth = arg1 === arg;
          }
        }
      }
    }
    if (truth) return true;
  }
  return false;
}

function lt(arg1: GoValue, arg2: GoValue): boolean {
  const k1 = basicKind(arg1);
  if (k1 === "invalid") throw new FuncError("invalid type for comparison");
  const k2 = basicKind(arg2);
  if (k2 === "invalid") throw new FuncError("invalid type for comparison");
  if (k1 !== k2) {
    if (k1 === "int" && k2 === "uint") return intOf(arg1) < 0n || intOf(arg1) < intOf(arg2);
    if (k1 === "uint" && k2 === "int") return intOf(arg2) >= 0n && intOf(arg1) < intOf(arg2);
    throw new FuncError(`incompatible types for comparison: ${typeName(arg1)} and ${typeName(arg2)}`);
  }
  switch (k1) {
    case "bool":
      throw new FuncError("invalid type for comparison");
    case "float":
      return (arg1 as number) < (arg2 as number);
    case "int":
    case "uint":
      return intOf(arg1) < intOf(arg2);
    default: {
      const a = stringOf(arg1 as string);
      const b = stringOf(arg2 as string);
      return a < b;
    }
  }
}

function le(a: GoValue, b: GoValue): boolean {
  return lt(a, b) || eq(a, [b]);
}

function indexArg(index: GoValue, cap: number): number {
  if (!(index instanceof GoInt)) {
    if (index === undefined) throw new FuncError("cannot index slice/array with nil");
    throw new FuncError(`cannot index slice/array with type ${typeName(index)}`);
  }
  const x = index.value;
  if (x < 0n || x > BigInt(cap)) throw new FuncError(`index out of range: ${x}`);
  return Number(x);
}

function index(item: GoValue, indexes: GoValue[]): GoValue {
  if (item === undefined || item === null) throw new FuncError("index of untyped nil");
  for (const ix of indexes) {
    if (item === null || item === undefined) throw new FuncError("index of nil pointer");
    if (typeof item === "string" || item instanceof JsonNumber) {
      const s = stringOf(item);
      const x = indexArg(ix, s.length);
      if (x >= s.length) throw new FuncError(`index out of range: ${x}`);
      item = new GoInt("uint8", BigInt(s.charCodeAt(x)));
    } else if (item instanceof GoSlice) {
      const x = indexArg(ix, item.items.length);
      if (x >= item.items.length) throw new FuncError(`index out of range: ${x}`);
      item = item.items[x];
    } else if (item instanceof GoMap) {
      if (ix === undefined) throw new FuncError("value is nil; should be of type string");
      if (typeof ix !== "string") throw new FuncError(`value has type ${typeName(ix)}; should be string`);
      const v = item.entries.get(ix);
      item = v !== undefined ? v : item.elem === "string" ? "" : null;
    } else {
      throw new FuncError(`can't index item of type ${typeName(item)}`);
    }
  }
  return item;
}

function length(item: GoValue): GoValue {
  if (typeof item === "string" || item instanceof JsonNumber)
    return new GoInt("int", BigInt(stringOf(item).length));
  if (item instanceof GoSlice) return new GoInt("int", BigInt(item.items.length));
  if (item instanceof GoMap) return new GoInt("int", BigInt(item.entries.size));
  if (item === undefined || item === null) throw new FuncError("len of nil");
  throw new FuncError(`len of type ${typeName(item)}`);
}

function builtinSlice(item: GoValue, indexes: GoValue[]): GoValue {
  if (item === undefined || item === null) throw new FuncError("slice of untyped nil");
  if (indexes.length > 3) throw new FuncError(`too many slice indexes: ${indexes.length}`);
  let cap: number;
  let len: number;
  if (typeof item === "string" || item instanceof JsonNumber) {
    if (indexes.length === 3) throw new FuncError("cannot 3-index slice a string");
    cap = stringOf(item).length;
    len = cap;
  } else if (item instanceof GoSlice) {
    cap = item.items.length;
    len = cap;
  } else {
    throw new FuncError(`can't slice item of type ${typeName(item)}`);
  }
  const idx = [0, len, 0];
  indexes.forEach((ix, i) => {
    idx[i] = indexArg(ix, cap);
  });
  const [a, b] = idx as [number, number];
  if (a > b) throw new FuncError(`invalid slice index: ${a} > ${b}`);
  if (indexes.length === 3 && b > (idx[2] as number))
    throw new FuncError(`invalid slice index: ${b} > ${idx[2]}`);
  if (typeof item === "string") return item.slice(a, b);
  if (item instanceof JsonNumber) return new JsonNumber(item.source.slice(a, b));
  return new GoSlice(item.elem, item.items.slice(a, b));
}

/** text/template's evalArgs for html, js and urlquery. */
function evalArgs(args: GoValue[]): string {
  if (args.length === 1 && typeof args[0] === "string") return args[0];
  return sprint(args.map((a) => (a === undefined || a === null ? "<no value>" : a)));
}

export function htmlEscape(s: string): string {
  return s.replace(/[\0"'&<>]/g, (c) => {
    switch (c) {
      case "\0":
        return "\xef\xbf\xbd";
      case '"':
        return "&#34;";
      case "'":
        return "&#39;";
      case "&":
        return "&amp;";
      case "<":
        return "&lt;";
      default:
        return "&gt;";
    }
  });
}

export function jsEscape(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; ) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      i++;
      switch (s[i - 1]) {
        case "\\":
          out += "\\\\";
          continue;
        case "'":
          out += "\\'";
          continue;
        case '"':
          out += '\\"';
          continue;
        case "<":
          out += "\\u003C";
          continue;
        case ">":
          out += "\\u003E";
          continue;
        case "&":
          out += "\\u0026";
          continue;
        case "=":
          out += "\\u003D";
          continue;
      }
      if (c < 0x20) out += `\\u00${c.toString(16).toUpperCase().padStart(2, "0")}`;
      else out += s[i - 1];
      continue;
    }
    const [r, w] = decodeRune(s, i);
    if (isPrint(r)) out += s.slice(i, i + w);
    else out += `\\u${r.toString(16).toUpperCase().padStart(4, "0")}`;
    i += w;
  }
  return out;
}

/** url.QueryEscape */
export function queryEscape(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === " ") out += "+";
    else out += `%${s.charCodeAt(i).toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

const bool = (b: boolean): GoValue => b;

export const builtins: Readonly<Record<string, FuncSpec>> = {
  and: spec(["reflect.Value"], () => undefined, "reflect.Value"),
  or: spec(["reflect.Value"], () => undefined, "reflect.Value"),
  not: spec(["reflect.Value"], ([a]) => !isTrue(a)),
  call: spec(
    ["reflect.Value"],
    ([fn]) => {
      if (fn === undefined) throw new FuncError("call of nil");
      throw new FuncError(`non-function of type ${typeName(fn)}`);
    },
    "reflect.Value",
  ),
  html: spec([], (args) => htmlEscape(evalArgs(args)), "interface {}"),
  index: spec(["reflect.Value"], ([item, ...rest]) => index(item, rest), "reflect.Value"),
  slice: spec(["reflect.Value"], ([item, ...rest]) => builtinSlice(item, rest), "reflect.Value"),
  js: spec([], (args) => jsEscape(evalArgs(args)), "interface {}"),
  len: spec(["reflect.Value"], ([a]) => length(a)),
  print: spec([], (args) => sprint(args), "interface {}"),
  printf: spec(["string"], ([f, ...args]) => sprintf(f as string, args), "interface {}"),
  println: spec([], (args) => sprintln(args), "interface {}"),
  urlquery: spec([], (args) => queryEscape(evalArgs(args)), "interface {}"),
  eq: spec(["reflect.Value"], ([a, ...rest]) => bool(eq(a, rest)), "reflect.Value"),
  ge: spec(["reflect.Value", "reflect.Value"], ([a, b]) => !lt(a, b)),
  gt: spec(["reflect.Value", "reflect.Value"], ([a, b]) => !le(a, b)),
  le: spec(["reflect.Value", "reflect.Value"], ([a, b]) => le(a, b)),
  lt: spec(["reflect.Value", "reflect.Value"], ([a, b]) => lt(a, b)),
  ne: spec(["reflect.Value", "reflect.Value"], ([a, b]) => !eq(a, [b])),
};

export function isAndOr(name: string): boolean {
  return name === "and" || name === "or";
}
