// sprig's dict.go: dictionaries are map[string]interface{}; set/unset/merge mutate the map they
// are given and return it, so changes are visible through every reference, as in Go.
import { FuncError } from "../errors.ts";
import { type FuncSpec, spec } from "../func-spec.ts";
import {
  deepCopy,
  GoMap,
  GoSlice,
  GoStruct,
  type GoValue,
  isEmpty,
  newInterfaceMap,
  newInterfaceSlice,
  newStringSlice,
  sortedKeys,
} from "../values.ts";
import { asString, strval } from "./convert.ts";

const asMap = (v: GoValue) => v as GoMap;

function concreteKind(v: GoValue): "map" | "slice" | "struct" | "nil" | "other" {
  if (v === null || v === undefined) return "nil";
  if (v instanceof GoMap) return "map";
  if (v instanceof GoSlice) return "slice";
  if (v instanceof GoStruct) return "struct";
  return "other";
}

/** mergo's deepMerge for two maps, as sprig's merge and mergeOverwrite call it. */
function mergeInto(dst: GoMap, src: GoMap, overwrite: boolean): void {
  for (const [key, srcElement] of src.entries) {
    const has = dst.entries.has(key);
    const dstElement = dst.entries.get(key);
    if (srcElement === null || srcElement === undefined) {
      if (overwrite) dst.entries.set(key, null);
      continue;
    }
    const srcKind = concreteKind(srcElement);
    if (srcKind === "map") {
      if (dstElement instanceof GoMap && !dstElement.isNil)
        mergeInto(dstElement, srcElement as GoMap, overwrite);
    } else if (srcKind === "slice") {
      if (has && dstElement !== null && dstElement !== undefined && !overwrite && dst.entries.size > 0) {
        // mergo writes the destination's own value back.
        dst.entries.set(key, dstElement);
      } else {
        dst.entries.set(key, srcElement);
      }
    }
    const dstEmpty = !has || isEmpty(dstElement === undefined ? null : dstElement);
    if (has && !dstEmpty) {
      if (srcKind === "slice") continue;
      if (srcKind === "map" && dstElement instanceof GoMap) continue;
    }
    if (overwrite || !has || dstEmpty) dst.entries.set(key, srcElement);
  }
}

function merge(dstIn: GoValue, srcs: GoValue[], overwrite: boolean): GoValue {
  let dst = asMap(dstIn);
  if (dst.isNil) {
    if (srcs.some((s) => !asMap(s).isNil)) dst = newInterfaceMap();
  }
  for (const s of srcs) {
    const src = asMap(s);
    if (src.isNil) continue;
    if (dst.isNil) dst = newInterfaceMap();
    mergeInto(dst, src, overwrite);
  }
  return dst;
}

function dig(ps: GoValue[]): GoValue {
  if (ps.length < 3) throw new FuncError("dig needs at least three arguments");
  const dict = ps[ps.length - 1];
  if (!(dict instanceof GoMap) || dict.elem !== "interface {}")
    throw new FuncError("dig: the last argument must be a dict");
  const def = ps[ps.length - 2] as GoValue;
  const keys = ps.slice(0, -2).map((k) => {
    if (typeof k !== "string") throw new FuncError("dig: keys must be strings");
    return k;
  });
  let current: GoMap = dict;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    if (!current.entries.has(k)) return def;
    const step = current.entries.get(k) as GoValue;
    if (i === keys.length - 1) return step;
    if (!(step instanceof GoMap) || step.elem !== "interface {}")
      throw new FuncError("dig: a value on the path is not a dict");
    current = step;
  }
  return def;
}

export const dictFunctions: Record<string, FuncSpec> = {
  list: spec([], (args) => new GoSlice("interface {}", args), "interface {}"),
  tuple: spec([], (args) => new GoSlice("interface {}", args), "interface {}"),
  dict: spec(
    [],
    (v) => {
      const d = newInterfaceMap();
      for (let i = 0; i < v.length; i += 2) {
        const key = strval(v[i]);
        d.entries.set(key, i + 1 >= v.length ? "" : (v[i + 1] as GoValue));
      }
      return d;
    },
    "interface {}",
  ),
  get: spec(["map[string]interface {}", "string"], ([d, k]) => {
    const m = asMap(d);
    return m.entries.has(asString(k)) ? (m.entries.get(asString(k)) as GoValue) : "";
  }),
  set: spec(["map[string]interface {}", "string", "interface {}"], ([d, k, v]) => {
    const m = asMap(d);
    if (m.isNil) throw new FuncError("assignment to entry in nil map");
    m.entries.set(asString(k), v === undefined ? null : v);
    return m;
  }),
  unset: spec(["map[string]interface {}", "string"], ([d, k]) => {
    asMap(d).entries.delete(asString(k));
    return d;
  }),
  hasKey: spec(["map[string]interface {}", "string"], ([d, k]) => asMap(d).entries.has(asString(k))),
  pluck: spec(
    ["string"],
    ([k, ...ds]) =>
      newInterfaceSlice(
        ds
          .map(asMap)
          .filter((m) => m.entries.has(asString(k)))
          .map((m) => m.entries.get(asString(k)) as GoValue),
      ),
    "map[string]interface {}",
  ),
  keys: spec([], (ds) => newStringSlice(ds.flatMap((d) => sortedKeys(asMap(d)))), "map[string]interface {}"),
  pick: spec(
    ["map[string]interface {}"],
    ([d, ...ks]) => {
      const m = asMap(d);
      const out = newInterfaceMap();
      for (const k of ks as string[]) if (m.entries.has(k)) out.entries.set(k, m.entries.get(k) as GoValue);
      return out;
    },
    "string",
  ),
  omit: spec(
    ["map[string]interface {}"],
    ([d, ...ks]) => {
      const m = asMap(d);
      const drop = new Set(ks as string[]);
      const out = newInterfaceMap();
      for (const [k, v] of m.entries) if (!drop.has(k)) out.entries.set(k, v);
      return out;
    },
    "string",
  ),
  merge: spec(["map[string]interface {}"], ([d, ...s]) => merge(d, s, false), "map[string]interface {}"),
  mustMerge: spec(["map[string]interface {}"], ([d, ...s]) => merge(d, s, false), "map[string]interface {}"),
  mergeOverwrite: spec(
    ["map[string]interface {}"],
    ([d, ...s]) => merge(d, s, true),
    "map[string]interface {}",
  ),
  mustMergeOverwrite: spec(
    ["map[string]interface {}"],
    ([d, ...s]) => merge(d, s, true),
    "map[string]interface {}",
  ),
  values: spec(["map[string]interface {}"], ([d]) => {
    const m = asMap(d);
    return newInterfaceSlice(sortedKeys(m).map((k) => m.entries.get(k) as GoValue));
  }),
  dig: spec([], (ps) => dig(ps), "interface {}"),
};

export { deepCopy };
