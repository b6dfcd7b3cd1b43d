// sprig's list.go. Lists are any Go slice; results are []interface{} except where sprig keeps the
// original slice type (slice).
import { FuncError } from "../errors.ts";
import { type FuncSpec, spec } from "../func-spec.ts";
import { deepEqual, GoSlice, type GoValue, newInterfaceSlice, typeName } from "../values.ts";
import { asInt, castToInt64 } from "./convert.ts";

function items(list: GoValue, verb: string): GoValue[] {
  if (list === undefined || list === null) throw new FuncError(`cannot ${verb} on a nil value`);
  if (!(list instanceof GoSlice)) throw new FuncError(`Cannot ${verb} on type ${kind(list)}`);
  return list.items;
}

function kind(v: GoValue): string {
  return typeName(v);
}

function chunk(size: number, list: GoValue): GoValue {
  const xs = items(list, "chunk");
  if (size <= 0) throw new FuncError("chunk size must be positive");
  const out: GoValue[] = [];
  for (let i = 0; i < xs.length; i += size) out.push(newInterfaceSlice(xs.slice(i, i + size)));
  return new GoSlice("[]interface {}", out);
}

function sliceList(list: GoValue, indices: GoValue[]): GoValue {
  if (list === undefined || list === null) throw new FuncError("slice of a nil value");
  if (!(list instanceof GoSlice))
    throw new FuncError(`list should be type of slice or array but ${kind(list)}`);
  const l = list.items.length;
  if (l === 0) return null;
  const start = indices.length > 0 ? Number(castToInt64(indices[0])) : 0;
  const end = indices.length < 2 ? l : Number(castToInt64(indices[1]));
  if (start < 0 || end < start || end > l) throw new FuncError("slice bounds out of range");
  return new GoSlice(list.elem, list.items.slice(start, end));
}

function uniq(list: GoValue): GoValue {
  const dest: GoValue[] = [];
  for (const item of items(list, "find uniq")) if (!dest.some((d) => deepEqual(item, d))) dest.push(item);
  return newInterfaceSlice(dest);
}

function without(list: GoValue, omit: GoValue[]): GoValue {
  return newInterfaceSlice(items(list, "find without").filter((x) => !omit.some((o) => deepEqual(x, o))));
}

function has(needle: GoValue, haystack: GoValue): boolean {
  if (haystack === undefined || haystack === null) return false;
  return items(haystack, "find has").some((x) => deepEqual(needle, x));
}

const nilList = () => new GoSlice("interface {}", [], true);

export const listFunctions: Record<string, FuncSpec> = {
  append: spec(["interface {}", "interface {}"], ([l, v]) =>
    newInterfaceSlice([...items(l, "push"), v ?? null]),
  ),
  push: spec(["interface {}", "interface {}"], ([l, v]) =>
    newInterfaceSlice([...items(l, "push"), v ?? null]),
  ),
  mustAppend: spec(["interface {}", "interface {}"], ([l, v]) =>
    newInterfaceSlice([...items(l, "push"), v ?? null]),
  ),
  mustPush: spec(["interface {}", "interface {}"], ([l, v]) =>
    newInterfaceSlice([...items(l, "push"), v ?? null]),
  ),
  prepend: spec(["interface {}", "interface {}"], ([l, v]) =>
    newInterfaceSlice([v ?? null, ...items(l, "prepend")]),
  ),
  mustPrepend: spec(["interface {}", "interface {}"], ([l, v]) =>
    newInterfaceSlice([v ?? null, ...items(l, "prepend")]),
  ),
  first: spec(["interface {}"], ([l]) => {
    const xs = items(l, "find first");
    return xs.length === 0 ? null : (xs[0] as GoValue);
  }),
  mustFirst: spec(["interface {}"], ([l]) => {
    const xs = items(l, "find first");
    return xs.length === 0 ? null : (xs[0] as GoValue);
  }),
  last: spec(["interface {}"], ([l]) => {
    const xs = items(l, "find last");
    return xs.length === 0 ? null : (xs[xs.length - 1] as GoValue);
  }),
  mustLast: spec(["interface {}"], ([l]) => {
    const xs = items(l, "find last");
    return xs.length === 0 ? null : (xs[xs.length - 1] as GoValue);
  }),
  rest: spec(["interface {}"], ([l]) => {
    const xs = items(l, "find rest");
    return xs.length === 0 ? nilList() : newInterfaceSlice(xs.slice(1));
  }),
  mustRest: spec(["interface {}"], ([l]) => {
    const xs = items(l, "find rest");
    return xs.length === 0 ? nilList() : newInterfaceSlice(xs.slice(1));
  }),
  initial: spec(["interface {}"], ([l]) => {
    const xs = items(l, "find initial");
    return xs.length === 0 ? nilList() : newInterfaceSlice(xs.slice(0, -1));
  }),
  mustInitial: spec(["interface {}"], ([l]) => {
    const xs = items(l, "find initial");
    return xs.length === 0 ? nilList() : newInterfaceSlice(xs.slice(0, -1));
  }),
  reverse: spec(["interface {}"], ([l]) => newInterfaceSlice([...items(l, "find reverse")].reverse())),
  mustReverse: spec(["interface {}"], ([l]) => newInterfaceSlice([...items(l, "find reverse")].reverse())),
  uniq: spec(["interface {}"], ([l]) => uniq(l)),
  mustUniq: spec(["interface {}"], ([l]) => uniq(l)),
  without: spec(["interface {}"], ([l, ...o]) => without(l, o), "interface {}"),
  mustWithout: spec(["interface {}"], ([l, ...o]) => without(l, o), "interface {}"),
  has: spec(["interface {}", "interface {}"], ([n, h]) => has(n, h)),
  mustHas: spec(["interface {}", "interface {}"], ([n, h]) => has(n, h)),
  slice: spec(["interface {}"], ([l, ...ix]) => sliceList(l, ix), "interface {}"),
  mustSlice: spec(["interface {}"], ([l, ...ix]) => sliceList(l, ix), "interface {}"),
  concat: spec(
    [],
    (lists) => {
      const res: GoValue[] = [];
      for (const l of lists) res.push(...items(l, "concat"));
      return new GoSlice("interface {}", res, res.length === 0);
    },
    "interface {}",
  ),
  chunk: spec(["int", "interface {}"], ([s, l]) => chunk(asInt(s), l)),
  mustChunk: spec(["int", "interface {}"], ([s, l]) => chunk(asInt(s), l)),
};
