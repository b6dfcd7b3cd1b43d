// sprig's defaults.go: default, empty, coalesce, all, any, compact, the JSON functions,
// ternary and deepCopy.
import { FuncError } from "../errors.ts";
import { type FuncSpec, spec } from "../func-spec.ts";
import { indent, marshal, unmarshal } from "../json.ts";
import { deepCopy, GoSlice, type GoValue, isEmpty, newInterfaceSlice, typeName } from "../values.ts";
import { asString } from "./convert.ts";

function requireList(v: GoValue, what: string): GoSlice {
  if (v === undefined || v === null) throw new FuncError(`${what} of nil`);
  if (!(v instanceof GoSlice)) throw new FuncError(`Cannot ${what} on type ${kindOfForError(v)}`);
  return v;
}

export function kindOfForError(v: GoValue): string {
  return typeName(v);
}

function copyOf(v: GoValue): GoValue {
  if (v === undefined || v === null) throw new FuncError("cannot copy a nil value");
  return deepCopy(v);
}

function tryMarshal(v: GoValue, escapeHTML: boolean): string | undefined {
  try {
    return marshal(v, escapeHTML);
  } catch (e) {
    if (e instanceof FuncError) return undefined;
    throw e;
  }
}

export const defaultFunctions: Record<string, FuncSpec> = {
  default: spec(
    ["interface {}"],
    ([d, ...given]) => (given.length === 0 || isEmpty(given[0]) ? d : (given[0] as GoValue)),
    "interface {}",
  ),
  empty: spec(["interface {}"], ([v]) => isEmpty(v)),
  coalesce: spec([], (args) => args.find((v) => !isEmpty(v)) ?? null, "interface {}"),
  all: spec([], (args) => args.every((v) => !isEmpty(v)), "interface {}"),
  any: spec([], (args) => args.some((v) => !isEmpty(v)), "interface {}"),
  compact: spec(["interface {}"], ([l]) =>
    newInterfaceSlice(requireList(l, "compact").items.filter((v) => !isEmpty(v))),
  ),
  mustCompact: spec(["interface {}"], ([l]) =>
    newInterfaceSlice(requireList(l, "compact").items.filter((v) => !isEmpty(v))),
  ),
  fromJson: spec(["string"], ([v]) => {
    try {
      return unmarshal(asString(v));
    } catch (e) {
      if (e instanceof FuncError) return null;
      throw e;
    }
  }),
  mustFromJson: spec(["string"], ([v]) => unmarshal(asString(v), true)),
  toJson: spec(["interface {}"], ([v]) => tryMarshal(v, true) ?? ""),
  mustToJson: spec(["interface {}"], ([v]) => marshal(v, true)),
  toPrettyJson: spec(["interface {}"], ([v]) => {
    const s = tryMarshal(v, true);
    return s === undefined ? "" : indent(s, "  ");
  }),
  mustToPrettyJson: spec(["interface {}"], ([v]) => indent(marshal(v, true), "  ")),
  toRawJson: spec(["interface {}"], ([v]) => marshal(v, false)),
  mustToRawJson: spec(["interface {}"], ([v]) => marshal(v, false)),
  ternary: spec(["interface {}", "interface {}", "bool"], ([vt, vf, v]) => (v ? vt : vf)),
  deepCopy: spec(["interface {}"], ([v]) => copyOf(v)),
  mustDeepCopy: spec(["interface {}"], ([v]) => copyOf(v)),
};
